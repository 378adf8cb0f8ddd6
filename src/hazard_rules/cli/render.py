"""Write verdicts as a table, JSON, JSON Lines or CSV."""

from __future__ import annotations

import csv
import io
from typing import IO, Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..classifying.verdict import Verdict
from ..classifying.verdict_text import verdict_text

VERDICT_STYLE = {"major": "bold red", "undetermined": "yellow", "ordinary": "green"}
VERDICT_LABEL = {"major": "重大隐患 major", "undetermined": "待定 undetermined", "ordinary": "一般隐患 ordinary"}

CSV_COLUMNS = ["finding", "verdict", "scope", "rules", "articles", "items", "texts", "missing", "concerned", "claim",
               "claim_notes", "reasons", "as_of", "ruleset"]
AGREEMENT_LABEL = {"confirms": "label confirmed", "contradicts": "label CONTRADICTED",
                   "unsupported": "label unsupported"}


def verdict_json(verdict: Verdict) -> dict[str, Any]:
    return verdict.model_dump(mode="json")


# Each writer turns a verdict into what it writes in two steps: `encode` (the costly part,
# picklable output, so `check --jobs` runs it in the worker that judged the finding) and
# `write_encoded` (in order, in the main process). A writer whose output is the text of each
# verdict in turn also has `join`: the text of several encoded verdicts, which a worker of
# `check --jobs` sends for a block of them.


class JsonWriter:
    """A JSON array written one verdict at a time (memory stays flat)."""

    def __init__(self, out: IO[str]) -> None:
        self.out = out
        self.first = True
        out.write("[")

    def write(self, verdict: Verdict) -> None:
        self.write_encoded(self.encode(verdict))

    @staticmethod
    def encode(verdict: Verdict) -> str:
        return verdict_text(verdict)

    def write_encoded(self, text: str) -> None:
        self.out.write("\n" if self.first else ",\n")
        self.first = False
        self.out.write(text)

    def close(self) -> None:
        self.out.write("\n]\n" if not self.first else "]\n")


class JsonlWriter:
    def __init__(self, out: IO[str]) -> None:
        self.out = out

    def write(self, verdict: Verdict) -> None:
        self.out.write(self.encode(verdict))

    @staticmethod
    def encode(verdict: Verdict) -> str:
        return verdict_text(verdict) + "\n"

    @staticmethod
    def join(encoded: list[str]) -> str:
        return "".join(encoded)

    def write_encoded(self, text: str) -> None:
        self.out.write(text)

    def close(self) -> None:
        pass


class CsvWriter:
    def __init__(self, out: IO[str]) -> None:
        self.writer = csv.writer(out)
        self.writer.writerow(CSV_COLUMNS)

    def write(self, verdict: Verdict) -> None:
        self.writer.writerow(self.encode(verdict))

    def write_encoded(self, row: list[str]) -> None:
        self.writer.writerow(row)

    @staticmethod
    def join(rows: list[list[str]]) -> str:
        text = io.StringIO()
        csv.writer(text).writerows(rows)
        return text.getvalue()

    @staticmethod
    def encode(verdict: Verdict) -> list[str]:
        missing = sorted({fact for open_rule in verdict.undetermined for fact in open_rule.missing})
        claim = verdict.claim
        return [
            verdict.finding, verdict.verdict, verdict.scope,
            ";".join(m.rule for m in verdict.matches),
            ";".join(f"{m.article}{m.clause or ''}" for m in verdict.matches),
            ";".join(f"{i.article}{i.item or ''}" for i in verdict.items),  # each item once (sub-items grouped)
            ";".join(m.text for m in verdict.matches),
            ";".join(missing), ";".join(f"{c.rule}={c.value}" for c in verdict.concerned),
            claim.agreement if claim else "", ";".join(claim.notes) if claim else "",
            ";".join(verdict.reasons), verdict.as_of.isoformat(), verdict.ruleset,
        ]

    def close(self) -> None:
        pass


class TableWriter:
    """A table for people: verdict, the deciding clause and its text, or what is missing."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.table = Table(show_lines=False, header_style="bold")
        for name in ("finding", "verdict", "clause", "why"):
            self.table.add_column(name, overflow="fold")

    @staticmethod
    def encode(verdict: Verdict) -> Verdict:
        return verdict  # the table is laid out by rich as a whole, in the main process

    def write_encoded(self, verdict: Verdict) -> None:
        self.write(verdict)

    def write(self, verdict: Verdict) -> None:
        style = VERDICT_STYLE[verdict.verdict]
        if verdict.matches:
            clause = "\n".join(f"{m.rule} {m.article}{m.clause or ''}" for m in verdict.matches)
            why = "\n".join(_short(m.text) for m in verdict.matches)
        elif verdict.verdict == "undetermined":
            clause = ("\n".join(o.rule for o in verdict.undetermined[:3])
                      + (" …" if len(verdict.undetermined) > 3 else ""))
            missing = sorted({f for o in verdict.undetermined for f in o.missing})
            parts = list(verdict.reasons)
            if missing:
                parts.append("missing: " + ", ".join(missing[:4]) + (" …" if len(missing) > 4 else ""))
            why = "\n".join(parts)
        elif verdict.concerned:
            clause = "\n".join(c.rule for c in verdict.concerned[:3]) + (" …" if len(verdict.concerned) > 3 else "")
            why = "decided false: " + ", ".join(f"{c.article}{c.clause or ''}" for c in verdict.concerned[:4])
        elif verdict.scope == "finding":
            clause, why = "", "concerns no clause; the description resembles none"
        else:
            clause, why = "", "no rule holds; every applicable rule was decided"
        if verdict.claim is not None:
            why += f"\n{AGREEMENT_LABEL[verdict.claim.agreement]}" + (
                f": {verdict.claim.notes[0]}" if verdict.claim.notes else "")
        # Text, not markup: ids, clauses and notes come from the records ("[/x]" is not a tag)
        self.table.add_row(Text(verdict.finding), Text(VERDICT_LABEL[verdict.verdict], style=style), Text(clause),
                           Text(why))

    def close(self) -> None:
        self.console.print(self.table)


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"

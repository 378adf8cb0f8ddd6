"""Write verdicts as a table, JSON, JSON Lines or CSV."""

from __future__ import annotations

import csv
import json
from typing import IO, Any

from rich.console import Console
from rich.table import Table

from ..classifying.verdict import Verdict

VERDICT_STYLE = {"major": "bold red", "undetermined": "yellow", "ordinary": "green"}
VERDICT_LABEL = {"major": "重大隐患 major", "undetermined": "待定 undetermined", "ordinary": "一般隐患 ordinary"}

CSV_COLUMNS = ["finding", "verdict", "rules", "articles", "texts", "missing", "reasons", "as_of", "ruleset"]


def verdict_json(verdict: Verdict) -> dict[str, Any]:
    return verdict.model_dump(mode="json")


class JsonWriter:
    """A JSON array written one verdict at a time (memory stays flat)."""

    def __init__(self, out: IO[str]) -> None:
        self.out = out
        self.first = True
        out.write("[")

    def write(self, verdict: Verdict) -> None:
        self.out.write("\n" if self.first else ",\n")
        self.first = False
        self.out.write(json.dumps(verdict_json(verdict), ensure_ascii=False))

    def close(self) -> None:
        self.out.write("\n]\n" if not self.first else "]\n")


class JsonlWriter:
    def __init__(self, out: IO[str]) -> None:
        self.out = out

    def write(self, verdict: Verdict) -> None:
        self.out.write(json.dumps(verdict_json(verdict), ensure_ascii=False) + "\n")

    def close(self) -> None:
        pass


class CsvWriter:
    def __init__(self, out: IO[str]) -> None:
        self.writer = csv.writer(out)
        self.writer.writerow(CSV_COLUMNS)

    def write(self, verdict: Verdict) -> None:
        missing = sorted({fact for open_rule in verdict.undetermined for fact in open_rule.missing})
        self.writer.writerow([
            verdict.finding, verdict.verdict,
            ";".join(m.rule for m in verdict.matches),
            ";".join(f"{m.article}{m.clause or ''}" for m in verdict.matches),
            ";".join(m.text for m in verdict.matches),
            ";".join(missing), ";".join(verdict.reasons), verdict.as_of.isoformat(), verdict.ruleset,
        ])

    def close(self) -> None:
        pass


class TableWriter:
    """A table for people: verdict, the deciding clause and its text, or what is missing."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.table = Table(show_lines=False, header_style="bold")
        for name in ("finding", "verdict", "clause", "why"):
            self.table.add_column(name, overflow="fold")

    def write(self, verdict: Verdict) -> None:
        style = VERDICT_STYLE[verdict.verdict]
        if verdict.matches:
            clause = "\n".join(f"{m.rule} {m.article}{m.clause or ''}" for m in verdict.matches)
            why = "\n".join(_short(m.text) for m in verdict.matches)
        elif verdict.verdict == "undetermined":
            clause = "\n".join(o.rule for o in verdict.undetermined[:3]) + (" …" if len(verdict.undetermined) > 3 else "")
            missing = sorted({f for o in verdict.undetermined for f in o.missing})
            parts = list(verdict.reasons)
            if missing:
                parts.append("missing: " + ", ".join(missing[:4]) + (" …" if len(missing) > 4 else ""))
            why = "\n".join(parts)
        else:
            clause, why = "", "no rule holds; every applicable rule was decided"
        self.table.add_row(verdict.finding, f"[{style}]{VERDICT_LABEL[verdict.verdict]}[/]", clause, why)

    def close(self) -> None:
        self.console.print(self.table)


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"

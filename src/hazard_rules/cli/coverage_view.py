"""`hazard-rules rules coverage`: the coverage report (authoring/coverage.py) as a table for people."""

from __future__ import annotations

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..authoring.coverage import CoverageReport, PackEntry, Tally


def _summary(tally: Tally) -> list[str]:
    t = tally.tests
    return [f"  items      {tally.items_encoded} of {tally.items_total} encoded, {tally.items_missing} missing",
            f"  wording    {tally.verified} verified, {tally.unverified} unverified ({tally.rules} rules)",
            (f"  tests      {t.total}: {t.true} true, {t.false} false, {t.unknown} unknown, "
             f"{t.not_concerned} not_concerned"),
            f"  decided by {tally.by_facts} facts, {tally.by_inspector} inspector"]


def _pack_table(pack: PackEntry) -> Table:
    # Text, not markup: names, notes and ids come from the pack files ("[x]" is not a tag).
    table = Table(box=box.SIMPLE_HEAD, header_style="bold", show_edge=False, pad_edge=False, padding=(0, 1, 0, 0))
    table.add_column("item", no_wrap=True)
    table.add_column("rule", no_wrap=True)
    table.add_column("tests", justify="right", no_wrap=True)
    table.add_column("t/f/u/nc", no_wrap=True)
    table.add_column("by", no_wrap=True)
    table.add_column("wording", overflow="fold")
    for article in pack.articles:
        for index, item in enumerate(article.items):
            last = index == len(article.items) - 1
            if item.missing:
                table.add_row(Text(item.label), Text("missing", style="bold yellow"), "", "", "",
                              Text(item.note or ""), end_section=last)
                continue
            for number, rule in enumerate(item.rules):
                table.add_row(Text(item.label if number == 0 else ""), Text(rule.id), str(rule.tests.total),
                              rule.tests.breakdown(), rule.determination,
                              Text(rule.wording, style="" if rule.provenance == "verified" else "yellow"),
                              end_section=last and number == len(item.rules) - 1)
    return table


def print_coverage(report: CoverageReport, console: Console) -> None:
    for pack in report.packs:
        console.print(Text(f"{pack.id}  {pack.name}", style="bold"))
        console.print(Text("\n".join([f"  文号       {pack.number}", f"  effective  {pack.period}",
                                      *_summary(pack.tally)])))
        console.print(_pack_table(pack))
        console.print()
    console.print(Text(f"total: {len(report.packs)} pack(s)", style="bold"))
    console.print(Text("\n".join(_summary(report.totals))))
    console.print(Text("t/f/u/nc: tests expecting true/false/unknown/not_concerned; by: decided by the facts, "
                       "or by the inspector's explicit determination"))

"""`hazard-rules suggest TEXT`: the clauses a description resembles, and the facts to record."""

from __future__ import annotations

import datetime as dt
import json

import click

from ..classifying.ruleset import Ruleset
from ..classifying.suggestions import suggestions


def show_suggestions(ruleset: Ruleset, text: str, day: dt.date | None, top: int, fmt: str) -> None:
    rows = suggestions(ruleset, text, day, top)
    if fmt == "json":
        click.echo(json.dumps({"text": text, "candidates": rows}, ensure_ascii=False, indent=2))
        return
    if day is not None and not any(p.in_force(day) for p in ruleset.packs):
        click.echo(f"no edition of any pack is in force on {day.isoformat()}")
        return
    if not rows:
        click.echo("no clause shares a term with this description")
        return
    for rank, row in enumerate(rows, start=1):
        mark = "≈" if row["resembles"] else " "
        click.echo(f"{rank}. {mark} {row['rule']}  {row['article']}{row['clause'] or ''}  (score {row['score']}, "
                   f"coverage {row['coverage']:.0%}; industries {', '.join(row['industries'])})")
        click.echo(f"     {row['text']}")
        click.echo("     record: " + "; ".join(
            f"{f['fact']} {f['label']} ({f['type']}{', context' if f['context'] else ''})" for f in row["facts"]))
    if any(row["resembles"] for row in rows):
        click.echo("≈ resembles closely enough that a finding with this description but no facts is not `ordinary`")

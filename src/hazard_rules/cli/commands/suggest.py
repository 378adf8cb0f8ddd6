"""`hazard-rules suggest TEXT`: the clauses a deficiency description resembles."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from ...classifying.load import load_rulesets
from ...errors import UsageError
from ..options import rules_option
from ..params import DATE


@click.command()
@click.argument("text")
@rules_option
@click.option("--date", "on", type=DATE, default=None, help="Only the editions in force on DATE (default: every pack).")
@click.option("--top", default=5, show_default=True, type=click.IntRange(1, 50), help="How many candidates.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def suggest(text: str, rules_dir: Path | None, on: dt.date | None, top: int, fmt: str) -> None:
    """Rank the clauses a deficiency description resembles, with the facts to record for each."""
    from ..suggest_view import show_suggestions

    if not text.strip():
        raise UsageError("the description is empty", hint='e.g. hazard-rules suggest "干式除尘器未设泄爆装置"')
    show_suggestions(load_rulesets(rules_dir), text, on, top, fmt)

"""`hazard-rules ledger list`: the hazards, filtered."""

from __future__ import annotations

import json

import click

from ..ledger_access import open_ledger
from ..options import db_option
from ..params import ADMIN_CODE_PREFIX


@click.command("list")
@db_option
@click.option("--state", default=None)
@click.option("--level", type=click.Choice(["major", "ordinary", "undetermined"]), default=None)
@click.option("--jurisdiction", type=ADMIN_CODE_PREFIX, default=None, help="Administrative code prefix.")
@click.option("--enterprise", default=None)
@click.option("--open", "open_only", is_flag=True, help="Only hazards not closed or void.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def list_(db_url: str | None, state: str | None, level: str | None, jurisdiction: str | None,
          enterprise: str | None, open_only: bool, fmt: str) -> None:
    """List hazards, filtered."""
    with open_ledger(db_url) as book:
        found = book.hazards(state=state, level=level, jurisdiction=jurisdiction, enterprise=enterprise,
                             open_only=open_only)
    if fmt == "json":
        click.echo(json.dumps([h.model_dump(mode="json") for h in found], ensure_ascii=False, indent=2))
        return
    for h in found:
        click.echo(f"{h.id}\t{h.state}\t{h.level}\t{h.jurisdiction or ''}\t{h.enterprise_name or ''}")
    click.echo(f"{len(found)} hazards", err=True)

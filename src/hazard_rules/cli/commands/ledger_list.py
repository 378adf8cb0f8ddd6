"""`hazard-rules ledger list`: the hazards, filtered."""

from __future__ import annotations

import sys

import click

from ..ledger_access import open_ledger
from ..ledger_view import LIST_FORMATS, print_hazards
from ..options import db_option
from ..params import ADMIN_CODE_PREFIX


@click.command("list")
@db_option
@click.option("--state", default=None)
@click.option("--level", type=click.Choice(["major", "ordinary", "undetermined"]), default=None)
@click.option("--jurisdiction", type=ADMIN_CODE_PREFIX, default=None, help="Administrative code prefix.")
@click.option("--enterprise", default=None)
@click.option("--open", "open_only", is_flag=True, help="Only hazards not closed or void.")
@click.option("--format", "fmt", type=click.Choice(LIST_FORMATS), default=None,
              help="table (default on a terminal); tsv (default otherwise: id, state, level, jurisdiction, "
                   "enterprise, tab-separated, no header; `text` is its old name); csv (with a header and more "
                   "columns); json (every field).")
def list_(db_url: str | None, state: str | None, level: str | None, jurisdiction: str | None,
          enterprise: str | None, open_only: bool, fmt: str | None) -> None:
    """List hazards, filtered."""
    with open_ledger(db_url) as book:
        found = book.hazards(state=state, level=level, jurisdiction=jurisdiction, enterprise=enterprise,
                             open_only=open_only)
    print_hazards(found, fmt or ("table" if sys.stdout.isatty() else "tsv"))
    if fmt in (None, "table", "tsv", "text"):
        click.echo(f"{len(found)} hazards", err=True)

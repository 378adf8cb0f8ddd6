"""How `ledger stats …` prints its tables: JSON, CSV, or a table for people."""

from __future__ import annotations

import datetime as dt
import json
import sys
from typing import Any

import click

FORMATS = click.Choice(["table", "json", "csv"])


def _json_default(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def dump(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=_json_default))


def emit(rows: list[dict[str, Any]], fmt: str, columns: tuple[str, ...] | None = None,
         labels: dict[str, str] | None = None, title: str | None = None) -> None:
    from ..workflow.stats import write_csv

    if fmt == "json":
        dump(rows)
    elif fmt == "csv":
        write_csv(rows, sys.stdout, columns, labels)
    else:
        print_table(rows, columns, labels, title)


def print_table(rows: list[dict[str, Any]], columns: tuple[str, ...] | None, labels: dict[str, str] | None,
                title: str | None) -> None:
    from rich.console import Console
    from rich.table import Table

    from ..workflow.stats import COLUMNS

    names = list(columns) if columns is not None else list(dict.fromkeys(k for row in rows for k in row))
    table = Table(title=title, show_lines=False)
    for name in names:
        label = (labels or {}).get(name) or COLUMNS.get(name, (name, ""))[0]
        numeric = COLUMNS.get(name, ("", "str"))[1] in ("int", "rate")
        table.add_column(label, justify="right" if numeric else "left", overflow="fold")
    for row in rows:
        table.add_row(*(shown(name, row.get(name)) for name in names))
    Console(highlight=False).print(table)


def shown(name: str, value: Any) -> str:
    from ..workflow.stats import COLUMNS

    if value is None:
        return "—"
    kind = COLUMNS.get(name, ("", "str"))[1]
    if kind == "rate":
        return f"{value:.1%}"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if name == "digest":
        return f"{value[:12]}…"
    return str(value)

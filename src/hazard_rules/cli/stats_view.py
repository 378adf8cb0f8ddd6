"""How `ledger stats …` prints its tables: JSON, CSV, or tables for people.

A table for people has to read on the terminal it is printed on, 80 columns included,
where CJK characters take two cells each. One row per group, every column, when that
fits with each header on at most two lines and no number broken; otherwise the table is
transposed — a row per measure, a column per group (the group's key values as its
header) — in as many blocks of groups as the width needs. `--wide` keeps one row per
group whatever the width (for a pager that scrolls sideways, `less -S`).
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from typing import Any

import click
from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

from .output import make_console

FORMATS = click.Choice(["table", "json", "csv"])
wide_option = click.option(
    "--wide", is_flag=True,
    help="Table: one row per group with every column, however wide (default: transposed when it does not fit).")
_BOX = box.HEAVY_HEAD
_HEADER_LINES = 2      # a header may wrap onto this many lines, no more
_TEXT_MIN = 10         # a text value (a name, an id) may wrap down to this many cells


def _json_default(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def dump(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=_json_default))


def emit(rows: list[dict[str, Any]], fmt: str, columns: tuple[str, ...] | None = None,
         labels: dict[str, str] | None = None, title: str | None = None, wide: bool = False) -> None:
    from ..workflow.stats import write_csv

    if fmt == "json":
        dump(rows)
    elif fmt == "csv":
        write_csv(rows, sys.stdout, columns, labels)
    else:
        print_table(make_console(), rows, columns, labels, title, wide=wide)


def print_table(console: Console, rows: list[dict[str, Any]], columns: tuple[str, ...] | None = None,
                labels: dict[str, str] | None = None, title: str | None = None, *, wide: bool = False) -> None:
    shown_tables, needed = _layout(console, rows, columns, labels, title, wide=wide)
    if needed > console.width:  # --wide: as wide as the table, past the terminal's edge
        console = make_console(file=console.file, width=needed, no_color=console.no_color,
                          force_terminal=console.is_terminal)
    for table in shown_tables:
        console.print(table)


def _layout(console: Console, rows: list[dict[str, Any]], columns: tuple[str, ...] | None,
            labels: dict[str, str] | None, title: str | None, *, wide: bool) -> tuple[list[Table], int]:
    """The table(s) that show `rows` within the console's width (see the module's docstring),
    and the width they need."""
    names = list(columns) if columns is not None else list(dict.fromkeys(k for row in rows for k in row))
    headers = [_label(name, labels) for name in names]
    cells = [[shown(name, row.get(name)) for name in names] for row in rows]
    width = console.width
    natural = [max([cell_len(h) for h in headers[i].split("\n")] + [cell_len(r[i]) for r in cells])
               for i in range(len(names))]
    if wide or _total(natural) <= width:
        return [_row_table(names, headers, cells, title, natural)], _total(natural)
    least = [_least(console, names[i], headers[i], [r[i] for r in cells]) for i in range(len(names))]
    if _total(least) <= width:
        return [_row_table(names, headers, cells, title, _spread(least, natural, width))], width
    return _transposed(names, headers, cells, title, width), width


# ---------------------------------------------------------------------------- one row per group
def _row_table(names: list[str], headers: list[str], cells: list[list[str]], title: str | None,
               widths: list[int]) -> Table:
    table = Table(title=title, box=_BOX)
    for i, name in enumerate(names):
        table.add_column(headers[i], justify="right" if _numeric(name) else "left", overflow="fold",
                         width=widths[i])
    for row in cells:
        table.add_row(*(Text(cell) for cell in row))
    return table


def _least(console: Console, name: str, header: str, values: list[str]) -> int:
    """The narrowest column that keeps the header on two lines and numbers whole."""
    longest = max([cell_len(v) for v in values], default=1)
    value_min = longest if _numeric(name) or longest <= _TEXT_MIN else _TEXT_MIN
    header_min = next(w for w in range(1, cell_len(header) + 2)
                      if len(Text(header).wrap(console, w, overflow="fold")) <= _HEADER_LINES)
    return max(value_min, header_min, 1)


def _spread(least: list[int], natural: list[int], width: int) -> list[int]:
    """The least widths, and the cells left over given a cell at a time to the column that
    lacks most of its natural width."""
    widths = list(least)
    spare = width - _total(widths)
    while spare > 0:
        lack = [natural[i] - widths[i] for i in range(len(widths))]
        i = max(range(len(widths)), key=lambda j: lack[j])
        if lack[i] <= 0:
            break
        widths[i] += 1
        spare -= 1
    return widths


# ---------------------------------------------------------------------------- transposed
def _transposed(names: list[str], headers: list[str], cells: list[list[str]],
                title: str | None, width: int) -> list[Table]:
    keys = _keys(names)
    measures = [i for i in range(len(names)) if i not in keys]
    corner = "\n".join(headers[i] for i in keys)
    groups = ["\n".join(row[i] for i in keys) for row in cells]
    label_width = max([cell_len(line) for line in corner.split("\n")]
                      + [cell_len(headers[i]) for i in measures])
    group_widths = [max([cell_len(line) for line in groups[g].split("\n")]
                        + [cell_len(cells[g][i]) for i in measures]) for g in range(len(cells))]
    blocks: list[list[int]] = []
    for g in range(len(cells)):
        if blocks and _total([label_width] + [group_widths[x] for x in blocks[-1]] + [group_widths[g]]) <= width:
            blocks[-1].append(g)
        else:
            blocks.append([g])
    found = []
    for number, block in enumerate(blocks or [[]]):
        table = Table(title=title if number == 0 else None, box=_BOX,
                      show_header=bool(keys))  # a single total row has no group to name
        table.add_column(corner)
        for g in block:
            table.add_column(groups[g], justify="right")
        for i in measures:
            table.add_row(Text(headers[i]), *(Text(cells[g][i]) for g in block))
        found.append(table)
    return found


def _keys(names: list[str]) -> list[int]:
    """The leading text columns that name a row's group (lane, jurisdiction, enterprise …)."""
    from ..workflow.stats import COLUMNS

    keys = []
    for i, name in enumerate(names):
        if COLUMNS.get(name, ("", "str"))[1] != "str":
            break
        keys.append(i)
    return keys


# ---------------------------------------------------------------------------- cells
def _total(widths: list[int]) -> int:
    """The cells a table with these column widths takes: one of padding either side of each
    column, and a rule between columns and at both edges."""
    return sum(widths) + 3 * len(widths) + 1


def _numeric(name: str) -> bool:
    from ..workflow.stats import COLUMNS

    return COLUMNS.get(name, ("", "str"))[1] in ("int", "rate")


def _label(name: str, labels: dict[str, str] | None) -> str:
    from ..workflow.stats import COLUMNS

    return (labels or {}).get(name) or COLUMNS.get(name, (name, ""))[0]


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

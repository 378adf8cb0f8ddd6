"""`hazard-rules ledger stats …` and `hazard-rules ledger export`: statistics over the
ledger as of a date, the enterprises' statistics tables and their submission, and export
to CSV or XLSX. Registered on the `ledger` group in cli/ledger.py."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict

import click

from ..errors import UsageError
from .ledger import clock, db_option, open_ledger
from .params import ADMIN_CODE, AS_OF, DATE, DATETIME, DIMENSIONS, PERIOD

if TYPE_CHECKING:
    from ..workflow.stats import Period


AsOf = dt.date | dt.datetime
Dimensions = tuple[tuple[str, ...], ...]  # each --by, split at commas


class _Grouping(TypedDict):
    """The grouping and scope options, as breakdown() and stock_increment() take them."""

    by: list[str]
    major_only: bool
    jurisdiction: str | None
    jurisdiction_level: str
    industry_depth: int

DIMENSION_HELP = "Group by industry, department, jurisdiction, lane (level) or age; repeat or comma-separate."
FORMATS = click.Choice(["table", "json", "csv"])
ENTERPRISE_SHOWN = ("enterprise_id", "enterprise_name", "jurisdiction", "due", "found", "void", "ordinary", "major",
                    "rectified", "rate", "major_open", "major_open_all", "submitted_at", "signed_by", "late")


def _iso(value: dt.date | dt.datetime) -> str:
    return value.isoformat()


def _as_of(value: AsOf | None,
           default: AsOf | None = None) -> dt.date | dt.datetime:
    """--as-of as given (a date: the end of that day, China time), else the default, else now."""
    if value is not None:
        return value
    return default if default is not None else dt.datetime.now().astimezone()


def _by(values: Dimensions) -> list[str]:
    """Every --by, each already split at commas and checked."""
    return [name for value in values for name in value]


def _json_default(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def _dump(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=_json_default))


def _emit(rows: list[dict[str, Any]], fmt: str, columns: tuple[str, ...] | None = None,
          labels: dict[str, str] | None = None, title: str | None = None) -> None:
    from ..workflow.stats import write_csv

    if fmt == "json":
        _dump(rows)
    elif fmt == "csv":
        write_csv(rows, sys.stdout, columns, labels)
    else:
        _print_table(rows, columns, labels, title)


def _print_table(rows: list[dict[str, Any]], columns: tuple[str, ...] | None, labels: dict[str, str] | None,
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
        table.add_row(*(_shown(name, row.get(name)) for name in names))
    Console(highlight=False).print(table)


def _shown(name: str, value: Any) -> str:
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


# ---------------------------------------------------------------------------- stats
within_option = click.option("--jurisdiction", "within", type=ADMIN_CODE, default=None,
                             help="Only enterprises within this administrative code.")
scope_options = [within_option]
group_options = [
    click.option("--by", "by", type=DIMENSIONS, multiple=True, help=DIMENSION_HELP),
    click.option("--major-only", is_flag=True, help="Count major hazards only."),
    click.option("--jurisdiction-level", type=click.Choice(["province", "city", "county", "township"]),
                 default="county", show_default=True, help="Level at which --by jurisdiction groups."),
    click.option("--industry-depth", type=click.IntRange(min=0), default=1, show_default=True,
                 help="Dotted parts of the industry code kept by --by industry (0: the whole code)."),
]


def _grouping(function: Any) -> Any:
    """The grouping and scope options shared by `stats`, `stats stock` and `export`."""
    for option in reversed(group_options + scope_options):
        function = option(function)
    return function


@click.group(invoke_without_command=True)
@db_option
@_grouping
@click.option("--as-of", "as_of", type=AS_OF, default=None,
              help="Count as of this date (end of day) or date-time (default: now).")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@click.pass_context
def stats(ctx: click.Context, db_url: str | None, by: Dimensions, major_only: bool, jurisdiction_level: str,
          industry_depth: int, within: str | None, as_of: AsOf | None, fmt: str) -> None:
    """Open/closed/void/overdue hazards and the rectification rate, grouped, as of a date.

    \b
    Subcommands: stock (存量/增量, 动态清零), enterprise (quarterly/annual tables),
    missing (enterprises that have not submitted), submit (record a signed table)."""
    if ctx.invoked_subcommand is not None:
        given = [p.opts[0] for p in ctx.command.params if p.name != "db_url"
                 and ctx.get_parameter_source(p.name) in (click.core.ParameterSource.COMMANDLINE,)]
        if given:
            raise UsageError(f"{', '.join(given)} given before `{ctx.invoked_subcommand}`",
                             hint=f"put the options after the subcommand: ledger stats {ctx.invoked_subcommand} …")
        ctx.obj = {"db_url": db_url}
        return
    from ..workflow.stats import breakdown

    as_of = _as_of(as_of)
    with open_ledger(db_url) as book:
        rows = breakdown(book, as_of, by=_by(by), major_only=major_only, jurisdiction=within,
                         jurisdiction_level=jurisdiction_level, industry_depth=industry_depth)
    _emit(rows, fmt, title=f"隐患统计 as of {_iso(as_of)}" + (" (重大隐患)" if major_only else ""))


def _db(ctx: click.Context, db_url: str | None) -> str | None:
    return db_url or (ctx.obj or {}).get("db_url")


@stats.command()
@db_option
@click.option("--cut-off", "cut_off", type=DATE, required=True,
              help="存量 = found before this date; 增量 = on or after it.")
@_grouping
@click.option("--as-of", "as_of", type=AS_OF, default=None, help="Count as of this date or date-time (default: now).")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@click.pass_context
def stock(ctx: click.Context, db_url: str | None, cut_off: dt.date, by: Dimensions, major_only: bool,
          jurisdiction_level: str, industry_depth: int, within: str | None, as_of: AsOf | None, fmt: str) -> None:
    """存量 vs 增量 and 动态清零 progress (the share of the stock closed) as of a date."""
    from ..workflow.stats import dynamic_clearing, snapshot, stock_increment

    as_of = _as_of(as_of)
    with open_ledger(_db(ctx, db_url)) as book:
        snap = snapshot(book, as_of)
    rows = stock_increment(snap, cut_off, by=_by(by), major_only=major_only, jurisdiction=within,
                           jurisdiction_level=jurisdiction_level, industry_depth=industry_depth)
    clearing = dynamic_clearing(snap, cut_off, major_only=True, jurisdiction=within)
    if fmt == "json":
        _dump({"clearing": clearing.as_dict(), "rows": rows})
        return
    _emit(rows, fmt, title=f"存量/增量 (cut-off {cut_off}) as of {_iso(as_of)}")
    progress = "—" if clearing.progress is None else f"{clearing.progress:.1%}"
    line = (f"动态清零 (存量重大隐患, found before {cut_off.isoformat()}): {clearing.stock_closed}/{clearing.stock} "
            f"closed ({progress}), {clearing.stock_open} open" + ("; cleared" if clearing.cleared else ""))
    click.echo(line, err=fmt == "csv")


@stats.command()
@db_option
@click.option("--period", "period", type=PERIOD, required=True, help="2025Q1 … 2025Q4, or 2025 for the annual table.")
@click.option("--as-of", "as_of", type=AS_OF, default=None,
              help="As of this date or date-time (default: the period's end).")
@within_option
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@click.pass_context
def enterprise(ctx: click.Context, db_url: str | None, period: Period, as_of: AsOf | None, within: str | None,
               fmt: str) -> None:
    """Each enterprise's quarterly or annual statistics table (16号令 art. 14), its due date
    and whether it was submitted."""
    from ..workflow.stats import ENTERPRISE_COLUMNS, ENTERPRISE_HEADERS, enterprise_table

    as_of = _as_of(as_of, period.end)
    with open_ledger(_db(ctx, db_url)) as book:
        rows = enterprise_table(book, period, as_of, jurisdiction=within)
    columns = ENTERPRISE_COLUMNS if fmt != "table" else ENTERPRISE_SHOWN  # the terminal gets the essentials
    _emit(rows, fmt, columns, ENTERPRISE_HEADERS,
          title=f"{period.label} 隐患排查治理统计表 (as of {_iso(as_of)}, {period.start} – {period.end})")


@stats.command()
@db_option
@click.option("--period", "period", type=PERIOD, required=True, help="2025Q1 … 2025Q4, or 2025.")
@click.option("--as-of", "as_of", type=AS_OF, default=None, help="As of this date or date-time (default: now).")
@within_option
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@click.pass_context
def missing(ctx: click.Context, db_url: str | None, period: Period, as_of: AsOf | None, within: str | None,
            fmt: str) -> None:
    """Enterprises that owe a statistics table for the period and have not submitted it."""
    from ..workflow.stats import MISSING_COLUMNS, missing_submissions

    as_of = _as_of(as_of)
    with open_ledger(_db(ctx, db_url)) as book:
        rows = missing_submissions(book, period, as_of, jurisdiction=within)
    _emit(rows, fmt, MISSING_COLUMNS, title=f"{period.label} 未报送统计表的企业 (as of {_iso(as_of)})")
    if fmt == "table":
        click.echo(f"{len(rows)} enterprise(s) have not submitted, {sum(r['late'] for r in rows)} late", err=True)


@stats.command()
@click.argument("enterprise_id")
@db_option
@click.option("--period", "period", type=PERIOD, required=True, help="2025Q1 … 2025Q4, or 2025.")
@click.option("--by", "signed_by", required=True, help="Name of the 主要负责人 who signed the table.")
@click.option("--as", "role", required=True, help="Role of the signer: must be ENT_PRINCIPAL (16号令 art. 14).")
@click.option("--now", "now", type=DATETIME, default=None, help="Time of submission, ISO 8601 (default: now).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.pass_context
def submit(ctx: click.Context, enterprise_id: str, db_url: str | None, period: Period, signed_by: str, role: str,
           now: dt.datetime | None, fmt: str) -> None:
    """Record an enterprise's signed statistics table for a period (the table as of now)."""
    from ..workflow.calendar import china_date
    from ..workflow.stats import statistics_due, submit_statistics

    now = clock(now)
    with open_ledger(_db(ctx, db_url), now) as book:
        submission, created = submit_statistics(book, enterprise_id, period, signed_by=signed_by, role=role, now=now)
        due = statistics_due(period, submission.body.get("jurisdiction"), book.settings)
    if fmt == "json":
        _dump({"created": created, "due": due, "enterprise_id": submission.enterprise_id, "period": submission.period,
               "submitted_at": submission.submitted_at, "signed_by": submission.signed_by,
               "digest": submission.digest, "table": submission.body})
        return
    late = f" (late: due {due.isoformat()})" if china_date(submission.submitted_at) > due else ""
    verb = "submitted" if created else "already submitted (the same table)"
    click.echo(f"{submission.enterprise_id} {submission.period} statistics {verb}, signed by {submission.signed_by}"
               f" at {submission.submitted_at.isoformat()}{late}; sha256:{submission.digest}")


# ---------------------------------------------------------------------------- export
@click.command()
@db_option
@click.option("--what", "what", multiple=True, required=True,
              type=click.Choice(["breakdown", "stock", "enterprise", "missing"]),
              help="Table(s) to export; several only into an .xlsx (one sheet each).")
@click.option("--output", "-o", "output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="FILE.csv or FILE.xlsx (the format follows the extension); written atomically.")
@_grouping
@click.option("--as-of", "as_of", type=AS_OF, default=None,
              help="As of this date or date-time (default: now; for enterprise alone, the period's end).")
@click.option("--cut-off", "cut_off", type=DATE, default=None, help="For stock: 存量 = found before this date.")
@click.option("--period", "period", type=PERIOD, default=None, help="For enterprise and missing: 2025Q1 or 2025.")
def export(db_url: str | None, what: tuple[str, ...], output: Path, by: Dimensions, major_only: bool,
           jurisdiction_level: str, industry_depth: int, within: str | None, as_of: AsOf | None,
           cut_off: dt.date | None, period: Period | None) -> None:
    """Export statistics tables as CSV or XLSX, with Chinese headers carrying the column ids."""
    from ..workflow import stats as st

    kind = output.suffix.lower()
    if kind not in (".csv", ".xlsx"):
        raise UsageError(f"--output {output}: the extension must be .csv or .xlsx")
    tables = list(dict.fromkeys(what))
    if kind == ".csv" and len(tables) > 1:
        raise UsageError("a CSV file holds one table", hint="export several tables into an .xlsx, or one at a time")
    if "stock" in tables and cut_off is None:
        raise UsageError("--what stock needs --cut-off DATE")
    if period is None and ({"enterprise", "missing"} & set(tables)):
        raise UsageError("--what enterprise/missing needs --period (2025Q1 or 2025)")
    default = period.end if tables == ["enterprise"] and period is not None else None
    as_of = _as_of(as_of, default)
    grouping = _Grouping(by=_by(by), major_only=major_only, jurisdiction=within,
                         jurisdiction_level=jurisdiction_level, industry_depth=industry_depth)
    with open_ledger(db_url) as book:
        snap = st.snapshot(book, as_of)
    sheets: dict[str, list[dict[str, Any]]] = {}
    columns: dict[str, tuple[str, ...]] = {}
    labels: dict[str, dict[str, str]] = {}
    names = {"breakdown": "分类统计", "stock": "存量增量", "enterprise": "企业统计表", "missing": "未报送企业"}
    for table in tables:
        name = names[table]
        if table == "breakdown":
            sheets[name] = st.breakdown(snap, **grouping)
        elif table == "stock":
            assert cut_off is not None  # refused above without --cut-off
            sheets[name] = st.stock_increment(snap, cut_off, **grouping)
        elif table == "enterprise":
            assert period is not None  # refused above without --period
            sheets[name] = st.enterprise_table(snap, period, jurisdiction=within, settings=book.settings)
            columns[name], labels[name] = st.ENTERPRISE_COLUMNS, st.ENTERPRISE_HEADERS
        else:
            assert period is not None  # refused above without --period
            sheets[name] = st.missing_submissions(snap, period, jurisdiction=within, settings=book.settings)
            columns[name] = st.MISSING_COLUMNS
    if kind == ".csv":
        name = names[tables[0]]
        st.to_csv(sheets[name], output, columns.get(name), labels.get(name))
    else:
        meta = {"as_of": snap.as_of.isoformat(), "cut_off": cut_off.isoformat() if cut_off else None,
                "period": period.label if period else None,
                "by": ",".join(grouping["by"]), "major_only": major_only, "jurisdiction": within,
                "jurisdiction_level": jurisdiction_level, "industry_depth": industry_depth}
        st.to_xlsx(sheets, output, columns=columns, labels=labels,
                   meta={k: v for k, v in meta.items() if v is not None})
    click.echo(f"wrote {output}: " + ", ".join(f"{n} ({len(rows)} rows)" for n, rows in sheets.items()), err=True)

"""`hazard-rules ledger stats`: the breakdown as of a date; the group of the other statistics
(ledger_stats_*.py, assembled in cli/main.py)."""

from __future__ import annotations

import click

from ...errors import UsageError
from ..ledger_access import open_ledger
from ..options import AsOf, Dimensions, as_of_or, db_option, grouping, grouping_options
from ..params import AS_OF
from ..stats_view import FORMATS, emit, wide_option


@click.group(invoke_without_command=True)
@db_option
@grouping_options
@click.option("--as-of", "as_of", type=AS_OF, default=None,
              help="Count as of this date (end of day) or date-time (default: now).")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@wide_option
@click.pass_context
def stats(ctx: click.Context, db_url: str | None, by: Dimensions, major_only: bool, jurisdiction_level: str,
          industry_depth: int, within: str | None, as_of: AsOf | None, fmt: str,
          wide: bool) -> None:
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
    from ...workflow.stats import breakdown

    moment = as_of_or(as_of)
    with open_ledger(db_url) as book:
        rows = breakdown(book, moment, **grouping(by, major_only, within, jurisdiction_level, industry_depth))
    emit(rows, fmt, title=f"隐患统计 as of {moment.isoformat()}" + (" (重大隐患)" if major_only else ""), wide=wide)

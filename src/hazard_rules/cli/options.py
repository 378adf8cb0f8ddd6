"""Options several commands share, declared once: where the rules and the ledger are,
the time of a step, and the statistics' grouping."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypedDict, TypeVar

import click

from .params import ADMIN_CODE, DATETIME, DIMENSIONS

F = TypeVar("F", bound=Callable[..., Any])

rules_option = click.option(
    "--rules", "rules_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
    help="Folder of rule packs (default: the packs shipped with hazard-rules).")
db_option = click.option(
    "--db", "db_url", default=None, envvar="HAZARD_RULES_DB",
    help="Database URL (default: sqlite:///hazard-ledger.sqlite; env HAZARD_RULES_DB).")
now_option = click.option(
    "--now", "now", type=DATETIME, default=None,
    help="The time of the step, ISO 8601 (default: now). The core never reads the clock.")
within_option = click.option(
    "--jurisdiction", "within", type=ADMIN_CODE, default=None,
    help="Only enterprises within this administrative code.")

DIMENSION_HELP = "Group by industry, department, jurisdiction, lane (level) or age; repeat or comma-separate."
_GROUP_OPTIONS = [
    click.option("--by", "by", type=DIMENSIONS, multiple=True, help=DIMENSION_HELP),
    click.option("--major-only", is_flag=True, help="Count major hazards only."),
    click.option("--jurisdiction-level", type=click.Choice(["province", "city", "county", "township"]),
                 default="county", show_default=True, help="Level at which --by jurisdiction groups."),
    click.option("--industry-depth", type=click.IntRange(min=0), default=1, show_default=True,
                 help="Dotted parts of the industry code kept by --by industry (0: the whole code)."),
    within_option,
]

AsOf = dt.date | dt.datetime
Dimensions = tuple[tuple[str, ...], ...]  # each --by, split at commas


class Grouping(TypedDict):
    """The grouping and scope options, as breakdown() and stock_increment() take them."""

    by: list[str]
    major_only: bool
    jurisdiction: str | None
    jurisdiction_level: str
    industry_depth: int


def grouping_options(function: F) -> F:
    """The grouping and scope options shared by `stats`, `stats stock` and `export`."""
    for option in reversed(_GROUP_OPTIONS):
        function = option(function)
    return function


def grouping(by: Dimensions, major_only: bool, within: str | None, jurisdiction_level: str,
             industry_depth: int) -> Grouping:
    return Grouping(by=[name for value in by for name in value], major_only=major_only, jurisdiction=within,
                    jurisdiction_level=jurisdiction_level, industry_depth=industry_depth)


def as_of_or(value: AsOf | None, default: AsOf | None = None) -> AsOf:
    """--as-of as given (a date: the end of that day, China time), else the default, else now."""
    if value is not None:
        return value
    return default if default is not None else dt.datetime.now().astimezone()


def clock(now: dt.datetime | None) -> dt.datetime:
    """The time of a step: --now as given, or the clock (read here, never in the core)."""
    return now if now is not None else dt.datetime.now().astimezone()


def db_of(ctx: click.Context, db_url: str | None) -> str | None:
    """--db given to a `ledger stats` subcommand, else the one given to `ledger stats` itself."""
    return db_url or (ctx.obj or {}).get("db_url")

"""`hazard-rules`: classify inspection findings, inspect rule packs, keep the hazard ledger.

This module only assembles the command groups from cli/commands/ (one module per command)
and holds the entry point with the CLI's one `except`. Exit codes: cli/exit_codes.py.
"""

from __future__ import annotations

import sys

import click

from ..errors import HazardRulesError
from .commands.check import check
from .commands.explain import explain
from .commands.ledger import ledger
from .commands.ledger_export import export
from .commands.ledger_graph import graph
from .commands.ledger_history import history
from .commands.ledger_intake import intake
from .commands.ledger_list import list_
from .commands.ledger_overdue import overdue
from .commands.ledger_show import show
from .commands.ledger_stats import stats
from .commands.ledger_stats_enterprise import enterprise
from .commands.ledger_stats_missing import missing
from .commands.ledger_stats_stock import stock
from .commands.ledger_stats_submit import submit
from .commands.ledger_step import step
from .commands.ledger_tick import tick
from .commands.ledger_verify import verify
from .commands.rules import rules
from .commands.rules_coverage import rules_coverage
from .commands.rules_diff import rules_diff
from .commands.rules_fmt import rules_fmt
from .commands.rules_lint import rules_lint
from .commands.rules_list import rules_list
from .commands.rules_new import rules_new
from .commands.rules_schema import rules_schema
from .commands.rules_show import rules_show
from .commands.rules_test import rules_test
from .commands.serve import serve
from .commands.suggest import suggest
from .commands.users import users
from .commands.users_add import users_add
from .commands.users_disable import users_disable
from .commands.users_list import users_list
from .commands.users_token import users_token
from .exit_codes import ExitCode
from .output import err_console


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="hazard-rules")
def cli() -> None:
    """Judge major accident hazards (重大事故隐患) under China's official standards."""


def _assemble(group: click.Group, *commands: click.Command) -> click.Group:
    for command in commands:
        group.add_command(command)
    return group


_assemble(stats, stock, enterprise, missing, submit)
_assemble(ledger, intake, step, show, list_, history, verify, graph, tick, overdue, stats, export)
_assemble(rules, rules_list, rules_show, rules_test, rules_coverage, rules_schema, rules_lint, rules_new, rules_diff,
          rules_fmt)
_assemble(cli, check, explain, suggest, rules, ledger)
_assemble(cli, serve, _assemble(users, users_add, users_list, users_disable, users_token))  # HTTP service


def main() -> None:
    for stream in (sys.stdout, sys.stderr):  # a lone surrogate in a record must not end the run
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    try:
        cli.main(prog_name="hazard-rules", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.Abort:
        err_console.print("aborted")
        sys.exit(ExitCode.ABORTED)
    except click.ClickException as exc:
        exc.show()
        sys.exit(ExitCode.USAGE)
    except HazardRulesError as exc:
        err_console.print(exc.render(), markup=False)
        sys.exit(exc.exit_code)
    except BrokenPipeError:  # e.g. piped into `head`
        sys.exit(ExitCode.OK)

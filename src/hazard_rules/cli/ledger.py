"""`hazard-rules ledger …`: the hazard ledger from the command line."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any, Protocol

import click
from click.decorators import FC

from ..findings.model import Scope
from .exit_codes import ExitCode
from .params import ADMIN_CODE, ADMIN_CODE_PREFIX, DATETIME, EVIDENCE, FIELD, JSON_OBJECT, SCOPE, nest


class _Option(Protocol):
    """What click.option() returns: a decorator handing back what it decorates."""

    def __call__(self, function: FC, /) -> FC: ...


# Annotated, not inferred: ledger_stats (imported at the end of this module) uses them, and
# mypy cannot infer a type across that import cycle.
db_option: _Option = click.option(
    "--db", "db_url", default=None, envvar="HAZARD_RULES_DB",
    help="Database URL (default: sqlite:///hazard-ledger.sqlite; env HAZARD_RULES_DB).")
now_option: _Option = click.option(
    "--now", "now", type=DATETIME, default=None,
    help="The time of the step, ISO 8601 (default: now). The core never reads the clock.")


def clock(now: dt.datetime | None) -> dt.datetime:
    """The time of the step: --now as given, or the clock (read here, never in the core)."""
    return now if now is not None else dt.datetime.now().astimezone()


def open_ledger(db_url: str | None, now: dt.datetime | None = None):
    from ..workflow.ledger import DEFAULT_URL, Ledger

    return Ledger.open(db_url or DEFAULT_URL, now=now)


def _print_state(state: Any, fmt: str) -> None:
    if fmt == "json":
        click.echo(state.model_dump_json(indent=2))
        return
    listed = f"  挂牌: {state.listed.get('authority')} {state.listed.get('doc_no')}" if state.listed else ""
    click.echo(f"{state.id}  {state.state}  level={state.level}  v{state.version}{listed}")
    click.echo(f"  {state.enterprise_name or ''} {state.jurisdiction or ''}  "
               f"departments: {', '.join(state.departments)}"
               + ("  (duty unclear)" if state.duty_unclear else ""))
    if state.clauses:
        click.echo(f"  clauses: {', '.join(state.clauses)}")
    if state.deadlines:
        click.echo("  deadlines: " + ", ".join(f"{k}={v}" for k, v in sorted(state.deadlines.items())))
    if state.reported_up:
        click.echo("  上报: " + ", ".join(f"{r['from']} → {r['to']} ({r['at'][:10]})" for r in state.reported_up))
    if state.published:
        click.echo("  published: "
                   + ", ".join(f"{p['what']} {p['published_at']} {p['channel']}" for p in state.published))


def _acting(event: Any) -> str:
    """The organisation, with the area and department it acted for when given."""
    extra = " ".join(x for x in (event.org_code, event.department) if x)
    return f"{event.organisation} [{extra}]" if extra else event.organisation


@click.group()
def ledger() -> None:
    """The hazard ledger: intake, steps, history, verification."""


@ledger.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@db_option
@click.option("--rules", "rules_dir", type=click.Path(file_okay=False, path_type=Path), default=None)
@click.option("--by", "actor", required=True, help="Who registers the hazards.")
@click.option("--as", "role", default="INSPECTOR", show_default=True, help="Role of the person registering.")
@click.option("--org", "organisation", required=True, help="Organisation of the person registering.")
@click.option("--org-code", type=ADMIN_CODE, default=None,
              help="Administrative code the organisation acts for (government roles).")
@click.option("--department", default=None, help="The department it is (DEPT role), e.g. 应急管理.")
@click.option("--scope", type=SCOPE, default="finding", show_default=True,
              help="finding: inspection findings; enterprise: a whole-enterprise self-inspection (docs/scopes.md).")
@now_option
def intake(files: tuple[Path, ...], db_url: str | None, rules_dir: Path | None, actor: str, role: str,
           organisation: str, org_code: str | None, department: str | None, scope: Scope,
           now: dt.datetime | None) -> None:
    """Classify finding files and register every finding as a hazard (idempotent)."""
    import sys

    from ..classifying.load import load_rulesets
    from ..pipeline import classify_files
    from ..workflow.ledger import StepRefused

    now = clock(now)
    ruleset = load_rulesets(rules_dir)
    created = existing = invalid = refused = 0
    with open_ledger(db_url, now) as book:
        book.check_actor("register", role=role, org_code=org_code, department=department)  # once, not per record
        for outcome in classify_files(ruleset, [str(f) for f in files], scope=scope):
            if outcome.error is not None:
                invalid += 1
                click.echo(outcome.error.render(), err=True)
                continue
            if outcome.verdict is None or outcome.finding is None:
                continue
            try:
                result = book.register(outcome.finding, outcome.verdict, actor=actor, role=role,
                                       organisation=organisation, at=now, org_code=org_code, department=department)
            except StepRefused as exc:  # e.g. a finding outside the department's area: the others go on
                refused += 1
                click.echo(exc.render(), err=True)
                continue
            created += result.created
            existing += not result.created
    click.echo(f"{created} hazards registered, {existing} already in the ledger"
               + (f", {refused} refused" if refused else "")
               + (f", {invalid} invalid records skipped" if invalid else ""))
    sys.exit(ExitCode.INVALID_RECORDS if invalid else ExitCode.REFUSED if refused else ExitCode.OK)


@ledger.command()
@click.argument("hazard_id")
@click.argument("action")
@db_option
@click.option("--as", "role", required=True, help="Role taking the step (see `ledger graph`).")
@click.option("--by", "actor", required=True, help="Name of the person taking the step.")
@click.option("--org", "organisation", required=True, help="Their organisation.")
@click.option("--org-code", type=ADMIN_CODE, default=None,
              help="Administrative code the organisation acts for (DEPT, SAFETY_COMMITTEE); "
                   "the hazard must lie within it.")
@click.option("--department", default=None,
              help="The department (DEPT), e.g. 应急管理; it must be responsible for the hazard.")
@click.option("--field", "field_pairs", type=FIELD, multiple=True,
              help="NAME=VALUE (dotted names nest; JSON values parsed).")
@click.option("--fields", "fields_json", type=JSON_OBJECT, default=None, help="All fields as a JSON object, or @FILE.")
@click.option("--evidence", "evidence", type=EVIDENCE, multiple=True, help="NAME=FILE; the file's SHA-256 is recorded.")
@click.option("--expect-version", type=int, default=None, help="Refuse if the hazard is not at this version.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@now_option
def step(hazard_id: str, action: str, db_url: str | None, role: str, actor: str, organisation: str,
         org_code: str | None, department: str | None, field_pairs: tuple[tuple[tuple[str, ...], Any], ...],
         fields_json: dict[str, Any] | None, evidence: tuple[Any, ...], expect_version: int | None, fmt: str,
         now: dt.datetime | None) -> None:
    """Take one workflow step on a hazard (refused with the reason if illegal)."""
    now = clock(now)
    with open_ledger(db_url, now) as book:
        state = book.step(hazard_id, action, actor=actor, role=role, organisation=organisation, at=now,
                          fields=nest(field_pairs, fields_json), evidence=list(evidence),
                          expected_version=expect_version, org_code=org_code, department=department)
    _print_state(state, fmt)


@ledger.command()
@click.argument("hazard_id")
@db_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def show(hazard_id: str, db_url: str | None, fmt: str) -> None:
    """Show a hazard's current state."""
    with open_ledger(db_url) as book:
        _print_state(book.get(hazard_id), fmt)


@ledger.command("list")
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


@ledger.command()
@click.argument("hazard_id")
@db_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def history(hazard_id: str, db_url: str | None, fmt: str) -> None:
    """The whole trace of a hazard, from finding and verdict to closure (一键追溯)."""
    with open_ledger(db_url) as book:
        events = book.history(hazard_id)
    if fmt == "json":
        click.echo(json.dumps([e.model_dump(mode="json") for e in events], ensure_ascii=False, indent=2))
        return
    for e in events:
        click.echo(f"{e.n:>3}  {e.at.isoformat()}  {e.action:<22} {e.from_state} -> {e.to_state}  "
                   f"{e.actor} ({e.role}, {_acting(e)})")
        if e.action in ("register", "submit_report"):
            verdict = e.fields.get("verdict") or {}
            finding = e.fields.get("finding") or {}
            click.echo(f"       finding {finding.get('id')}: {finding.get('description') or ''}")
            for match in verdict.get("matches", []):
                click.echo(f"       verdict {verdict.get('verdict')}: {match['rule']} "
                           f"{match['article']}{match.get('clause') or ''} {match['text']}")
            if verdict and not verdict.get("matches"):
                click.echo(f"       verdict {verdict.get('verdict')}")
        else:
            shown = {k: v for k, v in e.fields.items() if k != "sets_level"}
            if shown:
                click.echo(f"       {json.dumps(shown, ensure_ascii=False)}")
        for item in e.evidence:
            click.echo(f"       evidence {item.name}: {item.ref} sha256:{item.sha256[:16]}…")
        click.echo(f"       hash {e.hash[:16]}…")


@ledger.command()
@db_option
def verify(db_url: str | None) -> None:
    """Check the hash chain and the projection against a replay of the log."""
    import sys

    with open_ledger(db_url) as book:
        problems = book.verify()
    for problem in problems:
        where = f"event {problem.n}" if problem.n is not None else "projection"
        click.echo(f"{problem.hazard_id}: {where}: {problem.message}", err=True)
    if problems:
        click.echo(f"ledger verification FAILED: {len(problems)} problem(s)", err=True)
        sys.exit(ExitCode.FAILED)
    click.echo("ledger verified: every chain intact, every projection equals its replay")


@ledger.command()
@click.option("--format", "fmt", type=click.Choice(["dot", "mermaid"]), default="mermaid", show_default=True)
def graph(fmt: str) -> None:
    """Print the state machine as Graphviz DOT or Mermaid."""
    from ..workflow.machine import load_machine

    machine = load_machine()
    click.echo(machine.to_dot() if fmt == "dot" else machine.to_mermaid(), nl=False)


@ledger.command()
@db_option
@now_option
def tick(db_url: str | None, now: dt.datetime | None) -> None:
    """Record the escalation steps whose time has come (催办 → 督办函 → 通报 → 约谈 → 处罚)."""
    now = clock(now)
    with open_ledger(db_url, now) as book:
        recorded = book.tick(now)
    for event in recorded:
        by = event.fields.get("authority")
        click.echo(f"{event.hazard_id}\t{event.fields['timer']}\t{event.fields['step']}\tdue {event.fields['due']}"
                   + (f"\tby {by}" if by else ""))
    click.echo(f"{len(recorded)} escalation step(s) recorded", err=True)


@ledger.command()
@db_option
@now_option
def overdue(db_url: str | None, now: dt.datetime | None) -> None:
    """List open hazards with a deadline that has passed."""
    now = clock(now)
    with open_ledger(db_url, now) as book:
        found = book.overdue(now)
    for hazard, timers in found:
        dues = ", ".join(f"{t} {hazard.deadlines[t]}" for t in timers)
        click.echo(f"{hazard.id}\t{hazard.state}\t{hazard.level}\t{dues}")
    click.echo(f"{len(found)} overdue hazard(s)", err=True)


from .ledger_stats import export, stats  # noqa: E402 - statistics commands live in their own module

ledger.add_command(stats)
ledger.add_command(export)

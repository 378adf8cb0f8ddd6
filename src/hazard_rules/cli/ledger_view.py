"""How the ledger commands print a hazard and its history as text."""

from __future__ import annotations

import json
from typing import Any

import click


def print_state(state: Any, fmt: str) -> None:
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


def print_history(events: list[Any]) -> None:
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


def _acting(event: Any) -> str:
    """The organisation, with the area and department it acted for when given."""
    extra = " ".join(x for x in (event.org_code, event.department) if x)
    return f"{event.organisation} [{extra}]" if extra else event.organisation

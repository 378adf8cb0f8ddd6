"""How the ledger commands print a hazard and its history as text."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import click

from .output import make_console


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
            named = f" ({item.filename})" if item.filename else ""   # the name it was uploaded under
            click.echo(f"       evidence {item.name}{named}: {item.ref} sha256:{item.sha256[:16]}…")
        click.echo(f"       hash {e.hash[:16]}…")


def _acting(event: Any) -> str:
    """The organisation, with the area and department it acted for when given."""
    extra = " ".join(x for x in (event.org_code, event.department) if x)
    return f"{event.organisation} [{extra}]" if extra else event.organisation


# ---------------------------------------------------------------------------- ledger list
LIST_FORMATS = ("table", "tsv", "text", "csv", "json")
LIST_COLUMNS = ("id", "state", "level", "jurisdiction", "enterprise_id", "enterprise_name", "industries",
                "departments", "clauses", "found_at", "registered_at", "closed_at", "deadlines", "version")


def print_hazards(found: list[Any], fmt: str) -> None:
    """The hazards `ledger list` found, as a table, tab-separated lines, CSV or JSON."""
    if fmt == "json":
        click.echo(json.dumps([h.model_dump(mode="json") for h in found], ensure_ascii=False, indent=2))
    elif fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(LIST_COLUMNS)
        for h in found:
            writer.writerow([_csv_cell(getattr(h, name)) for name in LIST_COLUMNS])
        click.echo(out.getvalue(), nl=False)
    elif fmt == "table":
        _hazard_table(found)
    else:  # tsv, and its old name text: what scripts read, unchanged
        for h in found:
            click.echo(f"{h.id}\t{h.state}\t{h.level}\t{h.jurisdiction or ''}\t{h.enterprise_name or ''}")


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict):
        return ";".join(f"{k}={v}" for k, v in sorted(value.items()))
    if isinstance(value, (list, tuple)):
        return ";".join(str(v) for v in value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _hazard_table(found: list[Any]) -> None:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    # Lean: a rule under the header, a space between columns (the terminal's width goes to the names).
    table = Table(box=box.SIMPLE_HEAD, header_style="bold", show_edge=False, pad_edge=False, padding=0)
    for name in ("hazard", "state", "level", "jurisdiction"):
        table.add_column(name, no_wrap=True)
    table.add_column("enterprise", overflow="fold")
    table.add_column("clauses", overflow="fold")
    for h in found:  # Text, not markup: names come from the findings
        table.add_row(Text(h.id), Text(h.state), Text(h.level), Text(h.jurisdiction or ""),
                      Text(h.enterprise_name or ""), Text(", ".join(h.clauses)))
    make_console().print(table)

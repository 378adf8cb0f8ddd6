"""`hazard-rules explain`: the verdict of one finding, rule by rule."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click

from ..classifying.ruleset import Ruleset
from ..compiling.explain import explain
from ..errors import UsageError
from ..findings.coerce import to_json_value
from ..findings.model import Scope
from ..pipeline import classify_file
from .render import verdict_json

SYMBOL = {True: "TRUE ", False: "false", None: "?    "}


def explain_finding(ruleset: Ruleset, file: Path, finding_id: str, fmt: str, encoding: str | None,
                    as_of: dt.date | None, scope: Scope = "finding") -> int:
    for outcome in classify_file(ruleset, str(file), encoding=encoding, as_of=as_of, scope=scope):
        if outcome.error is not None and outcome.finding_id == finding_id:
            raise outcome.error  # the record asked for is invalid: say why
        if outcome.verdict is None or outcome.finding is None or outcome.finding.id != finding_id:
            continue
        finding, verdict = outcome.finding, outcome.verdict
        facts, _ = ruleset.coerce_facts(finding.facts)
        considered = {c.rule: c.value for c in verdict.concerned}
        traced = [(pack, rule, result) for pack, rule, result in ruleset.trace(finding, facts, verdict.as_of)
                  if verdict.scope == "enterprise" or rule.rule.id in considered]
        open_by_rule = {o.rule: o.missing for o in verdict.undetermined}
        if fmt == "json":
            payload = verdict_json(verdict)
            payload["rules"] = [{"rule": rule.rule.id, "value": result.value,
                                 "finding_scope_value": considered.get(rule.rule.id),
                                 "facts": {k: to_json_value(v) for k, v in result.support.items()},
                                 "missing": open_by_rule.get(rule.rule.id, [])} for _, rule, result in traced]
            click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
            return 0
        click.echo(f"{finding.id}  {finding.date}  {finding.description or ''}".rstrip())
        click.echo(f"verdict: {verdict.verdict}  (scope {verdict.scope}, as of {verdict.as_of}, "
                   f"rule set {verdict.ruleset})")
        for reason in verdict.reasons:
            click.echo(f"  note: {reason}")
        if verdict.scope == "finding":
            click.echo(f"  the finding concerns {len(considered)} rule(s)" + ("" if considered else
                       "; only rules whose subject facts it gives are judged (docs/scopes.md)"))
        for pack, rule, result in traced:
            value = result.value if result.value is None else bool(result.value)
            shown_value = {"true": True, "false": False, "unknown": None}.get(considered.get(rule.rule.id, ""), value)
            click.echo(f"  {SYMBOL[shown_value]} {rule.rule.id} {rule.section.section.article}{rule.rule.clause or ''} "
                       f"{rule.rule.text}")
            if shown_value is None:
                missing = open_by_rule.get(rule.rule.id, sorted(result.missing))
                click.echo(f"          would be decided by: {', '.join(missing)}")
            else:
                support = (result.support if shown_value == value
                           else _situation_support(pack, rule, facts, verdict.as_of))
                shown = ", ".join(f"{k}={json.dumps(to_json_value(v), ensure_ascii=False)}" for k, v in support.items())
                situations = " (the situations the finding concerns)" if shown_value != value else ""
                click.echo(f"          because: {shown or '(constant)'}{situations}")
        for match in verdict.matches:
            for provision in match.provisions:
                click.echo(f"  {match.rule}: {provision.article} applies — {provision.text}")
        if verdict.claim is not None:
            claim = verdict.claim
            click.echo(f"  inspector's label: {claim.level} {'、'.join(claim.clauses)} — {claim.agreement}")
            for note in claim.notes:
                click.echo(f"    {note}")
        return 0
    raise UsageError(f"no finding with id {finding_id!r} in {file}")


def _situation_support(pack, rule, facts: dict, day: dt.date) -> dict:
    """The facts that decide false each situation of `rule` the facts concern."""
    support: dict = {}
    for situation in pack.situations[pack.rules.index(rule)]:
        if not situation.subject.isdisjoint(facts):
            support.update(explain(situation.condition, facts, day).support)
    return support

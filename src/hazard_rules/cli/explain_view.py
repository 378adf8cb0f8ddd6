"""`hazard-rules explain`: the verdict of one finding, rule by rule."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click

from ..classifying.ruleset import Ruleset
from ..errors import UsageError
from ..findings.coerce import to_json_value
from ..findings.model import Finding
from ..findings.readers import read_findings
from .render import verdict_json

SYMBOL = {True: "TRUE ", False: "false", None: "?    "}


def explain_finding(ruleset: Ruleset, file: Path, finding_id: str, fmt: str,
                    encoding: str | None, as_of: dt.date | None) -> int:
    for raw in read_findings(file, encoding=encoding):
        if raw.data is None or str(raw.data.get("id")) != finding_id:
            continue
        verdict = ruleset.classify(raw.data, as_of=as_of)
        finding = Finding.model_validate(raw.data)
        facts, _ = ruleset.coerce_facts(finding.facts)
        traced = ruleset.trace(finding, facts, as_of or finding.date)
        if fmt == "json":
            payload = verdict_json(verdict)
            payload["rules"] = [{"rule": rule.rule.id, "value": outcome.value,
                                 "facts": {k: to_json_value(v) for k, v in outcome.support.items()},
                                 "missing": sorted(outcome.missing)} for _, rule, outcome in traced]
            click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
            return 0
        click.echo(f"{finding.id}  {finding.date}  {finding.description or ''}".rstrip())
        click.echo(f"verdict: {verdict.verdict}  (as of {verdict.as_of}, rule set {verdict.ruleset})")
        for reason in verdict.reasons:
            click.echo(f"  note: {reason}")
        for pack, rule, outcome in traced:
            value = outcome.value if outcome.value is None else bool(outcome.value)
            head = f"  {SYMBOL[value]} {rule.rule.id} {rule.section.section.article}{rule.rule.clause or ''} {rule.rule.text}"
            click.echo(head)
            if outcome.value is None:
                click.echo(f"          would be decided by: {', '.join(sorted(outcome.missing))}")
            else:
                shown = ", ".join(f"{k}={json.dumps(to_json_value(v), ensure_ascii=False)}" for k, v in outcome.support.items())
                click.echo(f"          because: {shown or '(constant)'}")
        for match in verdict.matches:
            for provision in match.provisions:
                click.echo(f"  {match.rule}: {provision.article} applies — {provision.text}")
        return 0
    raise UsageError(f"no finding with id {finding_id!r} in {file}")

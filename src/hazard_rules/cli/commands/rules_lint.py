"""`hazard-rules rules lint`: load and statically check every pack, its tests included; then
the lints of authoring/lint.py (docs/errors.md "Lint findings")."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from ...authoring.lint import LINTS, Finding, lint, undecided_rules
from ...classifying.load import load_rulesets
from ...errors import CODES, HazardRulesError, diagnostics_of
from ..exit_codes import ExitCode
from ..options import rules_option

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {"error": "error", "warning": "warning"}


@click.command("lint")
@rules_option
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif"]), default="text", show_default=True,
              help="json: every problem as {\"diagnostics\": [...]} on stdout; sarif: SARIF 2.1.0, for code "
                   "hosts and editors (docs/errors.md).")
@click.option("--strict", is_flag=True, help="Exit non-zero on lint warnings too (errors always do).")
def rules_lint(rules_dir: Path | None, fmt: str, strict: bool) -> None:
    """Load and check every pack, then lint it: text numbers vs conditions, rules that are
    never or always true, unused facts, untested rules, edition periods, articles without
    declared items. Exit 1 on a lint
    error (or, with --strict, a warning); 2 when the packs do not load."""
    try:
        ruleset = load_rulesets(rules_dir, tests=True)
    except HazardRulesError as exc:
        if fmt == "text":
            raise
        errors = diagnostics_of(exc)
        click.echo(_json([e.as_dict() for e in errors]) if fmt == "json" else _sarif(
            [(e.code, "error", e.message, e.hint, e.as_dict()) for e in errors]))
        sys.exit(exc.exit_code)
    findings = lint(ruleset)
    if fmt == "json":
        click.echo(_json([f.as_dict() for f in findings]))
    elif fmt == "sarif":
        click.echo(_sarif([(f.code, f.severity, f.message, f.hint, f.as_dict()) for f in findings]))
    else:
        _text(findings, len(ruleset.packs), sum(len(p.rules) for p in ruleset.packs), len(undecided_rules(ruleset)))
    failing = any(f.severity == "error" or strict for f in findings)
    sys.exit(ExitCode.FAILED if failing else ExitCode.OK)


def _text(findings: list[Finding], packs: int, rules: int, undecided: int) -> None:
    for finding in findings:
        click.echo(finding.render() + "\n")
    errors = sum(f.severity == "error" for f in findings)
    warnings = len(findings) - errors
    if not findings:
        click.echo(f"{packs} pack(s), {rules} rules: no problems found")
    else:
        click.echo(f"{packs} pack(s), {rules} rules: {errors} lint error(s), {warnings} warning(s)")
    if undecided:
        # L003/L004 enumerate finite facts only; say how many rules they could not judge.
        click.echo(f"never/always true (L003/L004) undecidable for {undecided} rule(s): they read a number, "
                   "date, text or list, or too many facts (docs/errors.md, L003)")


def _json(diagnostics: list[dict[str, Any]]) -> str:
    return json.dumps({"diagnostics": diagnostics}, ensure_ascii=False, indent=2)


def _sarif(results: list[tuple[str, str, str, str | None, dict[str, Any]]]) -> str:
    """A minimal valid SARIF 2.1.0 log: one run, the codes used as rules, one result each."""
    used = sorted({code for code, *_ in results})
    rules = [{"id": code, "shortDescription": {"text": LINTS[code].summary if code in LINTS else CODES[code].summary}}
             for code in used]
    out = []
    for code, severity, message, hint, where in results:
        text = message if not hint else f"{message} (hint: {hint})"
        result: dict[str, Any] = {"ruleId": code, "ruleIndex": used.index(code), "level": _LEVEL[severity],
                                  "message": {"text": text}}
        if where["file"] is not None:
            result["locations"] = [{"physicalLocation": {
                "artifactLocation": {"uri": Path(where["file"]).as_posix()},
                "region": {"startLine": where["line"], "startColumn": where["column"]}}}]
        out.append(result)
    log = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [{
        "tool": {"driver": {"name": "hazard-rules", "rules": rules}},
        "results": out}]}
    return json.dumps(log, ensure_ascii=False, indent=2)


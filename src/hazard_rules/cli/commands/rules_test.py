"""`hazard-rules rules test [PACKS]`: run the packs' own tests (and, with --mutate, mutants)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ...classifying.load import load_rulesets
from ...classifying.ruleset import Ruleset
from ...errors import UsageError
from ..exit_codes import ExitCode
from ..options import rules_option
from ..packs import chosen_packs


@click.command("test")
@click.argument("packs", nargs=-1)
@rules_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text for people; json: one document (docs/rule-tests.md).")
@click.option("--junit", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write the results as JUnit XML to FILE.")
@click.option("--min-coverage", type=click.FloatRange(0, 100), default=None, metavar="PERCENT",
              help="Fail when fewer than PERCENT % of the rules are free of coverage gaps.")
@click.option("--verbose", "-v", is_flag=True, help="List every test and the whole confusion matrix.")
@click.option("--mutate", is_flag=True,
              help="Also change each rule one small step at a time and fail if the tests miss a change.")
@click.option("--coverage", "condition_coverage", is_flag=True,
              help="Also show condition coverage: sub-conditions, unless, at_least and thresholds no test exercises.")
@click.option("--boundaries", is_flag=True,
              help="Also list thresholds and enum values at which no written test pins down a rule's behaviour.")
def rules_test(packs: tuple[str, ...], rules_dir: Path | None, fmt: str, junit: Path | None,
               min_coverage: float | None, verbose: bool, mutate: bool, condition_coverage: bool,
               boundaries: bool) -> None:
    """Run the tests written in the packs (all, or the PACKS named by id): each rule's tests and
    each pack's finding tests; report coverage gaps and a per-rule confusion matrix."""
    from ...authoring.testing import run_tests
    from ..junit import write_junit
    from ..rule_test_view import (
        Section,
        finding_tests_section,
        gaps_section,
        matrix_section,
        render_json,
        render_text,
        rule_tests_section,
        summary_section,
    )

    if mutate and fmt == "json":
        raise UsageError("--mutate reports in text only", hint="run it without --format json")
    ruleset = load_rulesets(rules_dir, tests=True)
    chosen = chosen_packs(ruleset, packs)
    report = run_tests(ruleset, chosen)
    # One section per part of the report, the matrix last; a new part is one more section.
    sections: list[Section] = [
        rule_tests_section(ruleset, report.rule_tests, verbose),
        finding_tests_section(ruleset, report.finding_tests, verbose),
        gaps_section(report.coverage),
        summary_section(ruleset, report, chosen, min_coverage),
        matrix_section(report.matrix, verbose),
    ]
    if condition_coverage or boundaries:  # docs/condition-coverage.md
        from ..condition_coverage_view import authoring_sections
        sections[3:3] = authoring_sections(ruleset, chosen, condition_coverage, boundaries)
    click.echo(render_json(sections) if fmt == "json" else render_text(sections))
    if junit is not None:
        write_junit(report, junit)
    survived = _report_mutants(ruleset, chosen) if mutate else False
    below = min_coverage is not None and report.rule_coverage < min_coverage
    failed = bool(report.failed) or not report.executed or below or survived
    sys.exit(ExitCode.FAILED if failed else ExitCode.OK)


def _report_mutants(ruleset: Ruleset, packs: set[str]) -> bool:
    """Print each surviving mutant with a finding that tells it apart; True if any survive."""
    from ...authoring.mutation import mutation_report

    report = mutation_report(ruleset, packs)
    for result in report.survivors:
        mutant = result.mutant
        click.echo(f"SURVIVED {mutant.rule} [{mutant.id}]: {mutant.description}")
        if result.witness is not None and result.values is not None:
            click.echo(f"    no test has a finding like {json.dumps(result.witness, ensure_ascii=False)}: "
                       f"the rule says {result.values[0]}, the mutant {result.values[1]}")
        else:
            click.echo("    no finding that tells them apart was found: if they are equivalent, say why under "
                       "the rule's `equivalent_mutants`")
    for stale in report.stale_marks:
        click.echo(f"STALE    {stale}")
    total = len(report.results)
    killed = sum(r.killed_by is not None for r in report.results)
    marked = sum(r.equivalent is not None for r in report.results)
    click.echo(f"mutants: {total}, killed {killed}, marked equivalent {marked}, survived {len(report.survivors)}"
               + (f"; {len(report.stale_marks)} stale marks" if report.stale_marks else ""))
    return bool(report.survivors or report.stale_marks)

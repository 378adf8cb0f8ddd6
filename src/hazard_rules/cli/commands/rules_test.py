"""`hazard-rules rules test [PACKS]`: run the packs' own tests (and, with --mutate, mutants)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ...classifying.load import load_rulesets
from ...classifying.ruleset import Ruleset
from ..exit_codes import ExitCode
from ..options import rules_option
from ..packs import chosen_packs


@click.command("test")
@click.argument("packs", nargs=-1)
@rules_option
@click.option("--junit", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write the results as JUnit XML to FILE.")
@click.option("--verbose", "-v", is_flag=True, help="List every test, not only failures and gaps.")
@click.option("--mutate", is_flag=True,
              help="Also change each rule one small step at a time and fail if the tests miss a change.")
def rules_test(packs: tuple[str, ...], rules_dir: Path | None, junit: Path | None, verbose: bool,
               mutate: bool) -> None:
    """Run the tests written in the packs (all, or the PACKS named by id) and report per-rule coverage."""
    from ...authoring.testing import run_pack_tests
    from ..junit import write_junit

    ruleset = load_rulesets(rules_dir, tests=True)
    chosen = chosen_packs(ruleset, packs)
    results, coverage = run_pack_tests(ruleset, chosen)
    failed = [r for r in results if not r.passed]
    for result in results:
        if verbose or not result.passed:
            status = "ok  " if result.passed else "FAIL"
            detail = result.error or (f"expected {result.expected}, got {result.actual}" if not result.passed else "")
            click.echo(f"{status} {result.rule}: {result.name}" + (f" — {detail} ({result.origin})" if detail else ""))
    gaps = [c for c in coverage if c.gaps]
    for cover in gaps:
        for gap in cover.gaps:
            click.echo(f"gap  {cover.rule}: {gap}")
    verified = sum(r.rule.provenance.status == "verified" for p in ruleset.packs if p.id in chosen for r in p.rules)
    click.echo(f"{len(results)} tests, {len(failed)} failed; {len(coverage)} rules, {len(gaps)} with coverage gaps; "
               f"rule text: {verified} verified, {len(coverage) - verified} unverified")
    if junit is not None:
        write_junit(results, junit)
    survived = _report_mutants(ruleset, chosen) if mutate else False
    sys.exit(ExitCode.FAILED if failed or survived else ExitCode.OK)


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

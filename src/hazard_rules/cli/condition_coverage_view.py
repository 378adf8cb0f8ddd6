"""`rules test --coverage` / `--boundaries`: the condition coverage report (authoring/
condition_coverage.py) and the boundary report (authoring/boundaries.py) as sections of the
`rules test` report (cli/rule_test_view.py), in text and in `--format json`."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from ..authoring.condition_coverage import ConditionCoverageReport, condition_coverage
from ..classifying.ruleset import Ruleset
from ..errors import UsageError
from .rule_test_view import Section

if TYPE_CHECKING:
    from ..authoring.boundaries import BoundaryReport


def render_condition_coverage(report: ConditionCoverageReport) -> list[str]:
    """Per pack, the percentage; under it each rule with gaps, where it is, and what no test exercises."""
    lines = ["condition coverage (docs/condition-coverage.md):"]
    for pack in report.packs:
        lines.append(f"{pack.pack}: {pack.percent:.1f} % ({pack.met} of {pack.required} obligations met)")
        for rule in pack.rules:
            missing = rule.missing
            if not missing:
                continue
            lines.append(f"  {rule.rule} ({rule.origin}): {len(missing)} of {len(rule.required)} not exercised")
            lines.extend(f"    {obligation.describe()}" for obligation in missing)
    return lines


def render_boundaries(report: BoundaryReport) -> list[str]:
    """Each rule with a decisive boundary point no written test pins down, and a finding that shows it."""
    lines = ["boundaries (docs/condition-coverage.md):"]
    flagged = [r for r in report.rules if r.unpinned]
    for rule in flagged:
        lines.append(f"  {rule.rule} ({rule.origin}):")
        for gap in rule.unpinned:
            lines.append(f"    {gap.describe()}")
            lines.append(f"      e.g. {json.dumps(gap.to_json()['witness'], ensure_ascii=False, sort_keys=True)}")
    total = sum(len(r.boundaries) for r in report.rules)
    lines.append(f"{len(report.rules)} rules, {total} boundaries; "
                 f"{len(flagged)} rules with a boundary no test pins down")
    return lines


def authoring_sections(ruleset: Ruleset, packs: set[str], coverage: bool, boundaries: bool) -> list[Section]:
    """The sections `rules test --coverage` and `--boundaries` add (each report is built once)."""
    sections: list[Section] = []
    if coverage:
        cover = condition_coverage(ruleset, packs)
        sections.append(Section("condition_coverage", lambda: render_condition_coverage(cover), cover.to_json))
    if boundaries:
        try:
            from ..authoring.boundaries import boundary_report
        except ImportError as exc:  # hypothesis is an optional extra
            raise UsageError(f"--boundaries needs {exc.name}", hint="pip install 'hazard-rules[authoring]'") from None
        found = boundary_report(ruleset, packs)
        sections.append(Section("boundaries", lambda: render_boundaries(found), found.to_json))
    return sections

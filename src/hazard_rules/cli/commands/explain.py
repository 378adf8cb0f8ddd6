"""`hazard-rules explain FILE --id ID [--why-not RULE]`: how one finding was judged, rule by rule,
or what would make one rule fire on it."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from ...classifying.load import load_rulesets
from ...errors import UsageError
from ...findings.model import Scope
from ..options import rules_option
from ..params import DATE, SCOPE


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--id", "finding_id", required=True, help="The finding to explain.")
@rules_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--encoding", default=None)
@click.option("--as-of", type=DATE, default=None, help="Judge as of this date instead of the finding's own date.")
@click.option("--scope", type=SCOPE, default="finding", show_default=True,
              help="finding: the rules the finding concerns; enterprise: every applicable rule.")
@click.option("--why-not", "why_not_rule", metavar="RULE_ID", default=None,
              help="Instead: the fewest fact changes that would make RULE_ID fire on this finding.")
@click.option("--max-changes", type=click.IntRange(1, 6), default=3, show_default=True,
              help="With --why-not: the most facts changed or added at once.")
def explain(file: Path, finding_id: str, rules_dir: Path | None, fmt: str, encoding: str | None,
            as_of: dt.date | None, scope: Scope, why_not_rule: str | None, max_changes: int) -> None:
    """Show how one finding was judged: each rule considered, its value and the facts behind it;
    with --why-not RULE_ID, what would have to be different for that rule to fire."""
    from ..explain_view import explain_finding
    from ..why_not_view import why_not_finding

    ruleset = load_rulesets(rules_dir)
    if not file.is_file():
        raise UsageError(f"file not found: {file}")
    if why_not_rule is not None:
        sys.exit(why_not_finding(ruleset, file, finding_id, why_not_rule, fmt, encoding, as_of, max_changes))
    sys.exit(explain_finding(ruleset, file, finding_id, fmt, encoding, as_of, scope))

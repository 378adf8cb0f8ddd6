"""`hazard-rules rules new FAMILY EDITION`: scaffold a pack that lints and passes its tests at once."""

from __future__ import annotations

from pathlib import Path

import click

from ..options import rules_option


@click.command("new")
@click.argument("family")
@click.argument("edition")
@rules_option
@click.option("--name", default=None, help="The standard's name (default: a TODO placeholder).")
@click.option("--number", default=None, help="Its 文号 or standard number (default: a TODO placeholder).")
@click.option("--industry", default=None,
              help="The industry code findings under it carry (default: the family, '-' as '_').")
def rules_new(family: str, edition: str, rules_dir: Path | None, name: str | None, number: str | None,
              industry: str | None) -> None:
    """Create <rules>/FAMILY-EDITION/: a header, one example article, rule and tests."""
    from ...authoring.scaffold import scaffold_pack
    from ...classifying.load import default_rules_dir

    target = scaffold_pack(rules_dir or default_rules_dir(), family, edition, name=name, number=number,
                           industry=industry)
    click.echo(f"created {target}/ (pack.yaml, art01.yaml, art01.tests.yaml)")
    click.echo("next: replace every TODO with the official text, then run "
               f"`hazard-rules rules lint` and `hazard-rules rules test {target.name}`")

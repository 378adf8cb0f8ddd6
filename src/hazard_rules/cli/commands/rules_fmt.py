"""`hazard-rules rules fmt [PATHS…] [--check]`: rewrite pack files in one layout, keeping
every comment and value (authoring/fmt.py)."""

from __future__ import annotations

import difflib
import sys
from pathlib import Path

import click

from ..exit_codes import ExitCode
from ..options import rules_option
from ..output import output_to


@click.command("fmt")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@rules_option
@click.option("--check", is_flag=True,
              help="Change nothing: show what would change (a diff) and exit 1 if anything would.")
def rules_fmt(paths: tuple[Path, ...], rules_dir: Path | None, check: bool) -> None:
    """Lay out pack files the one way (indentation, `null`, a flow list spread over several
    lines as one entry per line), keeping comments, quotes and values. PATHS: files or
    folders (default: the rules folder). Needs ruamel.yaml: pip install 'hazard-rules[fmt]'."""
    from ...authoring.fmt import format_files, pack_files
    from ...classifying.load import default_rules_dir

    files = pack_files(paths or (rules_dir or default_rules_dir(),))
    changed = 0
    for result in format_files(files):
        if not result.changed:
            continue
        changed += 1
        if check:
            name = str(result.path)
            click.echo("".join(difflib.unified_diff(result.before.splitlines(keepends=True),
                                                    result.after.splitlines(keepends=True), name, name)))
        else:
            with output_to(result.path) as out:
                out.write(result.after)
            click.echo(f"formatted {result.path}")
    verb = "would change" if check else "changed"
    click.echo(f"{len(files)} file(s), {changed} {verb}")
    sys.exit(ExitCode.FAILED if check and changed else ExitCode.OK)

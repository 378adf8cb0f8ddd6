"""`hazard-rules rules schema`: the JSON Schema of pack files, for editors."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..output import output_to


@click.command("schema")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to FILE instead of stdout.")
def rules_schema(output: Path | None) -> None:
    """Print the JSON Schema of pack files, for editors (docs/pack.schema.json)."""
    from ...loading.schema import pack_schema

    text = json.dumps(pack_schema(), ensure_ascii=False, indent=2) + "\n"
    if output is None:
        click.echo(text, nl=False)
        return
    with output_to(output) as out:
        out.write(text)

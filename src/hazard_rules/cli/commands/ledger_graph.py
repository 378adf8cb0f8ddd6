"""`hazard-rules ledger graph`: the state machine as Graphviz DOT or Mermaid."""

from __future__ import annotations

import click


@click.command()
@click.option("--format", "fmt", type=click.Choice(["dot", "mermaid"]), default="mermaid", show_default=True)
def graph(fmt: str) -> None:
    """Print the state machine as Graphviz DOT or Mermaid."""
    from ...workflow.service.operations import graph as draw

    click.echo(draw(fmt), nl=False)

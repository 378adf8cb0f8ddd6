"""`hazard-rules ledger graph`: the state machine as Graphviz DOT or Mermaid."""

from __future__ import annotations

import click


@click.command()
@click.option("--format", "fmt", type=click.Choice(["dot", "mermaid"]), default="mermaid", show_default=True)
def graph(fmt: str) -> None:
    """Print the state machine as Graphviz DOT or Mermaid."""
    from ...workflow.domain.machine import load_machine

    machine = load_machine()
    click.echo(machine.to_dot() if fmt == "dot" else machine.to_mermaid(), nl=False)

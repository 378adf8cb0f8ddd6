"""The command line's layout (issue 8): one module per command under cli/commands/,
cli/main.py only assembling the groups, and exit codes named once (cli/exit_codes.py)."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import click

from hazard_rules.cli.main import cli

CLI = Path(__file__).resolve().parents[1] / "src" / "hazard_rules" / "cli"


def _commands(group: click.Group):
    for command in group.commands.values():
        yield command
        if isinstance(command, click.Group):
            yield from _commands(command)


def test_every_command_is_one_module_of_its_own() -> None:
    modules = [command.callback.__module__ for command in _commands(cli)]
    assert all(m.startswith("hazard_rules.cli.commands.") for m in modules), modules
    assert len(set(modules)) == len(modules), sorted(modules)
    for path in (CLI / "commands").glob("*.py"):
        if path.name != "__init__.py":
            module = importlib.import_module(f"hazard_rules.cli.commands.{path.stem}")
            assert sum(isinstance(v, click.Command) for v in vars(module).values()
                       if getattr(v, "callback", None) and v.callback.__module__ == module.__name__) == 1, path


def test_exit_codes_are_named_not_written_as_numbers() -> None:
    """sys.exit takes an ExitCode, an error's own exit_code or a computed one, never a literal."""
    literal = []
    for path in sorted(CLI.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "exit"
                    and any(isinstance(n, ast.Constant) and isinstance(n.value, int)
                            for arg in node.args for n in ast.walk(arg))):
                literal.append(f"{path.relative_to(CLI)}:{node.lineno}")
    assert literal == [], literal


def test_every_console_prints_text_as_given() -> None:
    """Consoles come from output.make_console, which turns off rich's emoji codes: a position
    such as `pack.yaml:100:7` would otherwise print as `pack.yaml💯7`."""
    import io

    from hazard_rules.cli.output import make_console

    buffer = io.StringIO()
    make_console(file=buffer, width=200).print("rules/demo/pack.yaml:100:7: error[E301]: x", markup=False)
    assert buffer.getvalue() == "rules/demo/pack.yaml:100:7: error[E301]: x\n"
    direct = [f"{path.relative_to(CLI)}:{node.lineno}" for path in sorted(CLI.rglob("*.py")) if path.name != "output.py"
              for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
              if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) == "Console"]
    assert direct == [], f"construct consoles with output.make_console: {direct}"

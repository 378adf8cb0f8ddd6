"""The public surface: __all__, README examples, documented commands, the pack schema."""

from __future__ import annotations

import json
import re

import hazard_rules

from .conftest import ROOT, run_cli

PUBLIC = {"Claim", "ClaimCheck", "ConflictError", "Considered", "Diagnostics", "Enterprise", "Finding",
          "HazardRulesError", "Ledger", "Match", "OpenRule", "PackError", "PackErrors", "RecordError", "Resemblance",
          "Ruleset", "StepRefused", "Verdict", "VerdictColumns", "default_rules_dir", "load_rulesets", "read_findings"}


def test_all_is_exactly_the_public_api() -> None:
    assert set(hazard_rules.__all__) == PUBLIC
    assert all(hasattr(hazard_rules, name) for name in hazard_rules.__all__)
    assert (ROOT / "src" / "hazard_rules" / "py.typed").is_file()


def test_the_package_namespace_holds_the_public_api_and_internal_modules_only() -> None:
    """As httpx checks: every public name of the package is in __all__, and the rest are its
    internal subpackages (documented in hazard_rules/__init__.py)."""
    import types

    for name in hazard_rules.__all__:
        getattr(hazard_rules, name)          # resolve the lazy ones
    public = {name for name, value in vars(hazard_rules).items()
              if not name.startswith("_") and not isinstance(value, types.ModuleType)}
    assert public == set(hazard_rules.__all__)
    assert hazard_rules.Ledger.__module__ == "hazard_rules.workflow.service.ledger"


def test_readme_library_example_runs() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## Library\n\n```python\n(.*?)```", readme, re.S).group(1)
    namespace: dict = {"records": []}
    exec(compile(block, "README.md", "exec"), namespace)  # noqa: S102 - our own documentation
    assert namespace["verdict"].verdict == "major"


def test_every_command_in_the_readme_exists() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = set(re.findall(r"^hazard-rules ((?:rules )?[a-z]+)", readme, re.M))
    assert {"check", "explain", "rules list", "rules show", "rules test", "rules lint"} <= commands
    for command in commands:
        result = run_cli(*command.split(), "--help")
        assert result.returncode == 0, command


def test_every_command_is_documented_in_the_readme() -> None:
    import click

    from hazard_rules.cli.main import cli

    def commands(group: click.Group, prefix: tuple[str, ...] = ()):
        for name, command in group.commands.items():
            yield " ".join((*prefix, name))
            if isinstance(command, click.Group):
                yield from commands(command, (*prefix, name))

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    undocumented = [c for c in commands(cli) if not re.search(rf"^hazard-rules {re.escape(c)}\b", readme, re.M)]
    assert undocumented == [], f"add to README.md: {undocumented}"


def test_published_schema_is_current() -> None:
    from hazard_rules.loading.schema import pack_schema

    committed = json.loads((ROOT / "docs" / "pack.schema.json").read_text(encoding="utf-8"))
    assert committed == pack_schema(), "run `hazard-rules rules schema -o docs/pack.schema.json`"

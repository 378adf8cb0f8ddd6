"""The pipeline you can see in the folder names is also the import graph (issue 8): each
stage imports only itself and the stages before it, and no module reaches into another
module's private names. docs/architecture.md draws the same order."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "hazard_rules"

# Earlier first. A module at the package's top level (errors.py, pipeline.py …) is a stage of its own.
STAGES = ["errors", "trees", "loading", "parsing", "checking", "compiling", "findings", "matching", "classifying",
          "authoring", "workflow", "pipeline", "scale", "server", "cli", "__init__", "__main__"]


def _imports(path: Path):
    """(line, imported module as a tuple of parts, names) of every relative import, lazy ones too."""
    module = path.relative_to(PACKAGE).with_suffix("").parts
    package = module[:-1] if path.name != "__init__.py" else module[:-1]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package[:len(package) - (node.level - 1)] if node.level > 1 else package
            target = (*base, *(node.module.split(".") if node.module else ()))
            yield node.lineno, target, [alias.name for alias in node.names]


def _stage(parts: tuple[str, ...]) -> str:
    return parts[0] if parts else "__init__"


def test_every_module_belongs_to_a_stage() -> None:
    stages = {_stage(p.relative_to(PACKAGE).with_suffix("").parts) for p in PACKAGE.rglob("*.py")}
    assert stages <= set(STAGES), sorted(stages - set(STAGES))


def test_a_stage_imports_only_earlier_stages() -> None:
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        own = _stage(path.relative_to(PACKAGE).with_suffix("").parts)
        for line, target, _ in _imports(path):
            if target and STAGES.index(_stage(target)) > STAGES.index(own):
                wrong.append(f"{path.relative_to(PACKAGE)}:{line} ({own}) imports {'.'.join(target)}")
    assert wrong == [], "\n".join(wrong)


def test_no_module_imports_a_private_name_of_another() -> None:
    wrong = [f"{path.relative_to(PACKAGE)}:{line} imports {name} from {'.'.join(target)}"
             for path in sorted(PACKAGE.rglob("*.py")) for line, target, names in _imports(path)
             for name in names if name.startswith("_") and not name.startswith("__")]
    assert wrong == [], "\n".join(wrong)

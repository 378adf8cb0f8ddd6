"""Route handlers hold no ledger logic: they parse, authorise, call the service layer and
serialise. Shown by what server/routes/*.py may import: of the package, only the service
layer (workflow/service), the classifying pipeline's entry points, and the server's own
plumbing — never the ledger's domain, policy, store or statistics, nor SQLAlchemy — and no
handler reaches for the ledger's engine."""

from __future__ import annotations

import ast
from pathlib import Path

ROUTES = Path(__file__).resolve().parents[2] / "src" / "hazard_rules" / "server" / "routes"

ALLOWED_PACKAGE_MODULES = (
    "workflow.service",            # the Ledger, Desk, accounts and reports services
    "pipeline",                    # classify_records: read, validate, classify
    "classifying.suggestions",     # suggest
    "classifying.catalogue",       # rules list / show
    "classifying.verdict_text",    # a verdict as the JSON text check writes (serialising)
    "server.auth", "server.schemas", "server",  # the server's plumbing (not routes)
    "errors",                      # the error base class, to show a refusal on a page
)
FORBIDDEN_NAMES = {"engine", "repository", "machine", "_step", "_check"}


def _package_imports(path: Path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level == 0:
                yield node.lineno, node.module or "", node.level
            else:  # routes/x.py: level 1 is server.routes, 2 server, 3 the package
                base = ["hazard_rules", "server", "routes"][:4 - node.level]
                yield node.lineno, ".".join([*base, *([node.module] if node.module else [])]), node.level
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, 0


def test_route_modules_import_only_the_service_layer() -> None:
    wrong = []
    for path in sorted(ROUTES.glob("*.py")):
        for line, module, _ in _package_imports(path):
            if module.startswith("sqlalchemy"):
                wrong.append(f"{path.name}:{line} imports {module}")
            if module.startswith("hazard_rules"):
                inner = module.removeprefix("hazard_rules").lstrip(".")
                if not any(inner == ok or inner.startswith(ok + ".") for ok in ALLOWED_PACKAGE_MODULES):
                    wrong.append(f"{path.name}:{line} imports {module}")
                if inner.startswith("server.routes"):
                    wrong.append(f"{path.name}:{line} imports another route module")
    assert wrong == [], "\n".join(wrong)


def test_handlers_do_not_reach_into_the_ledger() -> None:
    wrong = [f"{path.name}:{node.lineno} uses .{node.attr}"
             for path in sorted(ROUTES.glob("*.py"))
             for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
             if isinstance(node, ast.Attribute) and node.attr in FORBIDDEN_NAMES]
    assert wrong == [], "\n".join(wrong)


def test_the_scan_sees_the_route_modules() -> None:
    """The scans above must not pass because they read nothing."""
    names = {p.stem for p in ROUTES.glob("*.py")}
    assert {"auth", "classify", "hazards", "reports", "rules"} <= names
    imported = {m for p in ROUTES.glob("*.py") for _, m, _ in _package_imports(p)}
    assert "hazard_rules.workflow.service.desk" in imported


def test_the_scan_catches_a_handler_that_imports_the_store(tmp_path, monkeypatch) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from ...workflow.store import repository\nfrom ...workflow.domain.state import apply\n")
    monkeypatch.setattr(__import__(__name__, fromlist=["ROUTES"]), "ROUTES", tmp_path)
    try:
        test_route_modules_import_only_the_service_layer()
    except AssertionError as exc:
        assert "workflow.store" in str(exc) and "workflow.domain" in str(exc)
    else:
        raise AssertionError("the scan let a route import the store")

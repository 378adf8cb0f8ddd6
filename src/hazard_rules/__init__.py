"""hazard_rules: judge major accident hazards (重大事故隐患) under China's official
determination standards, encoded as rule packs.

    >>> from hazard_rules import load_rulesets
    >>> ruleset = load_rulesets()            # the packs shipped with the package
    >>> verdict = ruleset.classify({"id": "F-1", "date": "2024-05-12",
    ...     "industries": ["gongmao.ammonia"],
    ...     "facts": {"ammonia.quick_freeze.room_workers": 12}})

The public API is `__all__`; the subpackages (classifying, loading, workflow …) are internal:
import from `hazard_rules`, not from them (tests/test_docs_and_api.py checks `vars()`).
"""

from .classifying.load import default_rules_dir, load_rulesets
from .classifying.ruleset import Ruleset
from .classifying.verdict import ClaimCheck, Considered, Match, OpenRule, Resemblance, Verdict, VerdictColumns
from .errors import Diagnostics, HazardRulesError, PackError, PackErrors, RecordError
from .findings.model import Claim, Enterprise, Finding
from .findings.readers import read_findings

__all__ = [
    "Claim",
    "ConflictError",
    "ClaimCheck",
    "Considered",
    "Diagnostics",
    "Enterprise",
    "Finding",
    "HazardRulesError",
    "Ledger",
    "Match",
    "OpenRule",
    "PackError",
    "PackErrors",
    "RecordError",
    "Resemblance",
    "Ruleset",
    "StepRefused",
    "Verdict",
    "VerdictColumns",
    "default_rules_dir",
    "load_rulesets",
    "read_findings",
]

__version__ = "0.1.0"

# The ledger (SQLAlchemy) is imported on first use, so that classifying never pays for it.
_LAZY = {"Ledger": "service.ledger", "StepRefused": "service.ledger", "ConflictError": "service.ledger"}


def __getattr__(name: str) -> object:
    if name in _LAZY:
        from importlib import import_module

        value = getattr(import_module(f".workflow.{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'hazard_rules' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))

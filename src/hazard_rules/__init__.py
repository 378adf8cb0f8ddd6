"""hazard_rules: judge major accident hazards (重大事故隐患) under China's official
determination standards, encoded as rule packs.

    >>> from hazard_rules import load_rulesets
    >>> ruleset = load_rulesets()            # the packs shipped with the package
    >>> verdict = ruleset.classify({"id": "F-1", "date": "2024-05-12",
    ...     "industries": ["gongmao.ammonia"],
    ...     "facts": {"ammonia.quick_freeze.room_workers": 12}})
"""

from .classifying.load import default_rules_dir, load_rulesets
from .classifying.ruleset import Ruleset
from .classifying.verdict import ClaimCheck, Considered, Match, OpenRule, Resemblance, Verdict
from .errors import HazardRulesError, PackError, PackErrors, RecordError
from .findings.model import Claim, Enterprise, Finding
from .findings.readers import read_findings

__all__ = [
    "Claim",
    "ClaimCheck",
    "Considered",
    "Enterprise",
    "Finding",
    "HazardRulesError",
    "Match",
    "OpenRule",
    "PackError",
    "PackErrors",
    "RecordError",
    "Resemblance",
    "Ruleset",
    "Verdict",
    "default_rules_dir",
    "load_rulesets",
    "read_findings",
]

__version__ = "0.1.0"

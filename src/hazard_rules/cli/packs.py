"""The packs a `rules` command was asked about."""

from __future__ import annotations

import difflib

from ..classifying.ruleset import Ruleset
from ..errors import UsageError


def chosen_packs(ruleset: Ruleset, packs: tuple[str, ...]) -> set[str]:
    """The packs named on the command line (all when none is), each checked to exist."""
    known = {p.id for p in ruleset.packs}
    for name in packs:
        if name not in known:
            close = difflib.get_close_matches(name, sorted(known), n=1)
            raise UsageError(f"no pack {name!r}", hint=f"did you mean {close[0]!r}?" if close else
                             f"packs: {', '.join(sorted(known))}")
    return set(packs) or known

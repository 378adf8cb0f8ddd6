"""Industry codes as people read them: 中文名（code）.

The names are the rule packs' own (`scope.codes` in each pack.yaml; where two editions of
a standard name a code, the newer one's), without the article or category the pack points
to or the pack's notes ("使用液氨制冷（第十二条）" is 使用液氨制冷). Top-level industries no pack names take the
names the public report form offers (public.INDUSTRIES). A code nobody names is shown as
it is: a name is never made up.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .public import INDUSTRIES

# A trailing note on where the code sits in the standard or the pack: （第十二条）, （专项类（二））,
# （4.1、4.9）, （5.3.3 c)：原文未找到）, （本标准全部20项）.
_NOTE = re.compile(r"（[^（）]*(?:（[^（）]*）[^（）]*)*）$")
_POINTS_AT = re.compile(r"[0-9第条类项；]|原文")


@dataclass(frozen=True)
class IndustryNames:
    names: Mapping[str, str]

    def __call__(self, code: str) -> str:
        """中文名（code）, or the code when no pack names it."""
        name = self.names.get(code)
        return f"{name}（{code}）" if name else code

    def known(self) -> list[str]:
        """Every named code, in code order (gongmao before gongmao.ammonia)."""
        return sorted(self.names)

    def of(self, codes: Iterable[str]) -> dict[str, str]:
        """The names of those codes that have one (for data a page embeds)."""
        return {code: self.names[code] for code in codes if code in self.names}


def industry_names(ruleset: Any) -> IndustryNames:
    """The names of the industry codes of a loaded ruleset's packs (classifying.Ruleset)."""
    manifests = sorted((pack.checked.source.manifest for pack in ruleset.packs),
                       key=lambda m: m.standard.effective_from or dt.date.min)
    names = {code: text for code, text in INDUSTRIES.items() if code != "other"}
    for manifest in manifests:   # the newest edition last, so its names win
        names.update({code: _plain(str(text)) for code, text in manifest.scope.codes.items()})
    return IndustryNames(names)


def _plain(text: str) -> str:
    found = _NOTE.search(text)
    if found and found.start() > 0 and _POINTS_AT.search(found.group()):
        return text[:found.start()]
    return text

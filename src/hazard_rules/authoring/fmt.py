"""`rules fmt`: rewrite pack files in one layout, keeping every comment and every value.

The layout is the one the shipped packs are written in: mappings indented by 2, sequence
items by 4 with the dash at 2, `null` spelt out, quotes and flow/block style as written,
long lines never folded. One normalisation changes what an author wrote: a flow collection
spread over several lines (`items: [（一）, …,\\n （十一）, …]`) becomes a block collection,
one entry per line (ruamel.yaml cannot keep a flow collection's own line breaks; joining
them makes lines of hundreds of characters, which review badly).

ruamel.yaml (an optional dependency: `pip install 'hazard-rules[fmt]'`) does the round
trip. A file that does not read strictly (loading/strict_yaml.py) is refused with that
error, and a result that would read as different data than the file did is refused too, so
formatting can never change what a pack says.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..loading.strict_yaml import read_yaml


@dataclass(frozen=True, slots=True)
class Formatted:
    path: Path
    before: str
    after: str

    @property
    def changed(self) -> bool:
        return self.before != self.after


def format_text(text: str, file: str) -> str:
    """text in the canonical layout. Raises the strict reader's error for a file it refuses,
    and UsageError if the result would not read as the same data."""
    before = read_yaml(text, file, positions=False).data
    if before is None:
        return text  # empty or only comments: nothing to lay out (ruamel would write `null`)
    yaml = _round_trip()
    data = yaml.load(text)
    _unfold(data, parent_is_flow=False)
    out = io.StringIO()
    yaml.dump(data, out)
    after = out.getvalue()
    if read_yaml(after, file, positions=False).data != before:
        raise UsageError(f"rules fmt would change what {file} says; the file is left as it is",
                         hint="please report it with the file: formatting must never change a value")
    return after


def format_files(paths: Iterable[Path]) -> Iterator[Formatted]:
    for path in paths:
        text = path.read_text(encoding="utf-8")
        yield Formatted(path, text, format_text(text, str(path)))


def pack_files(roots: Iterable[Path]) -> list[Path]:
    """The YAML files under each root (a rules folder, a pack folder or a file), sorted."""
    found: set[Path] = set()
    for root in roots:
        if root.is_dir():
            found.update(p for p in root.rglob("*.yaml") if p.is_file())
        elif root.is_file():
            found.add(root)
        else:
            raise UsageError(f"no such file or folder: {root}")
    return sorted(found)


def _round_trip() -> Any:
    try:
        from ruamel.yaml import YAML
    except ImportError:  # pragma: no cover - depends on the installation
        raise UsageError("rules fmt needs ruamel.yaml", hint="pip install 'hazard-rules[fmt]'") from None
    yaml = YAML()  # round trip: comments, quotes, flow style and key order kept
    yaml.preserve_quotes = True
    yaml.width = 1_000_000  # never fold a long line (rule texts are long Chinese lines)
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.representer.add_representer(
        type(None), lambda representer, _: representer.represent_scalar("tag:yaml.org,2002:null", "null"))
    return yaml


def _unfold(node: Any, parent_is_flow: bool) -> None:
    """Write in block style each flow collection spread over several lines (not inside
    another flow collection, where block style cannot stand)."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if not isinstance(node, CommentedMap | CommentedSeq):
        return
    flow = node.fa.flow_style()
    if flow and not parent_is_flow and _spans_lines(node):
        node.fa.set_block_style()
        flow = False
    children = node.values() if isinstance(node, CommentedMap) else node
    for child in children:
        _unfold(child, parent_is_flow=flow)


def _spans_lines(node: Any) -> bool:
    lines = {position[0] for position in node.lc.data.values()} if isinstance(node.lc.data, dict) \
        else {position[0] for position in node.lc.data}
    lines.add(node.lc.line)
    return len(lines) > 1

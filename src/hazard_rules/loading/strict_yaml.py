"""Strict, position-keeping YAML reading.

PyYAML composes the node tree (with the C parser when available); we build plain
Python values ourselves so that duplicate keys are errors, only ``true``/``false`` are
booleans, dates stay strings (the models parse them), and every value keeps the mark
of where it was written. Size and depth are bounded: packs are untrusted input.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from ..errors import DuplicateKeyError, LimitExceededError, Span, YamlSyntaxError

try:  # the C composer is several times faster; fall back silently when absent
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader

MAX_DEPTH = 64
MAX_NODES = 200_000
MAX_BYTES = 8 * 1024 * 1024

_INT = re.compile(r"[-+]?[0-9]+")
_FLOAT = re.compile(r"[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")
_NULLS = {"", "~", "null"}
_DEFAULT_TAGS = {
    "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null", "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq", "tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:merge",
    "tag:yaml.org,2002:binary", "tag:yaml.org,2002:omap", "tag:yaml.org,2002:pairs",
    "tag:yaml.org,2002:set", "tag:yaml.org,2002:value",
}

Path = tuple[str | int, ...]


@dataclass
class YamlDocument:
    """Plain data read from one YAML file, with the node behind every path."""

    file: str
    text: str
    data: Any
    nodes: dict[Path, yaml.Node] = field(default_factory=dict)
    key_nodes: dict[Path, yaml.Node] = field(default_factory=dict)
    _line_starts: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        starts = [0]
        for match in re.finditer("\n", self.text):
            starts.append(match.end())
        self._line_starts = starts

    def line_text(self, line: int) -> str:
        """The 1-based source line."""
        lines = self.text.splitlines()
        return lines[line - 1] if 0 < line <= len(lines) else ""

    def span_at_index(self, index: int, width: int = 1) -> Span:
        line = bisect.bisect_right(self._line_starts, index)
        column = index - self._line_starts[line - 1] + 1
        return Span(self.file, line, column, width, self.line_text(line))

    def span(self, path: Path, *, key: bool = False) -> Span:
        """Span of the value (or, with key=True, the key) at path; the nearest ancestor
        that exists when the path itself was never written."""
        table = self.key_nodes if key else self.nodes
        probe = tuple(path)
        while probe and probe not in table:
            if key and probe in self.nodes:
                table = self.nodes
                break
            probe = probe[:-1]
        node = table.get(probe) or self.nodes.get(probe)
        if node is None:
            return Span(self.file, 1, 1, 1, self.line_text(1))
        mark = node.start_mark
        width = max(1, node.end_mark.index - mark.index) if node.start_mark.line == node.end_mark.line else 1
        return self.span_at_index(mark.index, width)

    def scalar_span(self, path: Path, offset: int, width: int = 1) -> Span:
        """Span of the character at `offset` inside the string scalar at path.

        Aligns the k-th non-blank character of the value with the k-th non-blank
        character of its source text, which holds for plain, quoted, literal and
        folded scalars alike (only escapes in double quotes can shift it).
        """
        node = self.nodes.get(tuple(path))
        if node is None or not isinstance(node, yaml.ScalarNode):
            return self.span(path)
        value: str = node.value
        start, end = node.start_mark.index, node.end_mark.index
        body_start = start
        if node.style in ("|", ">"):
            newline = self.text.find("\n", start)
            body_start = newline + 1 if newline != -1 else start
        elif node.style in ("'", '"'):
            body_start = start + 1
        source_positions = [i for i in range(body_start, end) if not self.text[i].isspace()]
        offset = min(max(offset, 0), max(len(value) - 1, 0))
        while offset < len(value) - 1 and value[offset].isspace():
            offset += 1
        k = sum(1 for ch in value[:offset] if not ch.isspace())
        if not source_positions:
            return self.span(path)
        index = source_positions[min(k, len(source_positions) - 1)]
        span = self.span_at_index(index, width)
        return span


def read_yaml(text: str, file: str) -> YamlDocument:
    """Parse YAML text strictly into a YamlDocument (one document per file)."""
    if len(text.encode("utf-8", "ignore")) > MAX_BYTES:
        raise LimitExceededError(f"file is larger than {MAX_BYTES // (1024 * 1024)} MiB",
                                 Span(file, 1, 1), "split the pack with `include:`")
    doc = YamlDocument(file, text, None)
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        span = doc.span_at_index(mark.index) if mark is not None else Span(file, 1, 1)
        message = exc.problem or "invalid YAML"
        if exc.context:
            message = f"{exc.context}: {message}"
        raise YamlSyntaxError(message, span, _yaml_hint(message)) from None
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(str(exc), Span(file, 1, 1)) from None
    builder = _Builder(doc)
    doc.data = builder.build(root, (), 0) if root is not None else None
    return doc


def _yaml_hint(message: str) -> str | None:
    if "mapping values are not allowed" in message:
        return "a value containing ': ' must be quoted, or written as a block scalar (>- or |)"
    if "tab" in message:
        return "YAML indentation must use spaces, not tabs"
    if "could not find expected ':'" in message:
        return "check the indentation and that every key ends with ':'"
    return None


class _Builder:
    def __init__(self, doc: YamlDocument) -> None:
        self.doc = doc
        self.count = 0

    def build(self, node: yaml.Node, path: Path, depth: int) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise LimitExceededError(f"more than {MAX_NODES} YAML nodes (aliases included)",
                                     self.doc.span_at_index(node.start_mark.index),
                                     "packs are bounded in size; check for alias expansion")
        if depth > MAX_DEPTH:
            raise LimitExceededError(f"YAML nested deeper than {MAX_DEPTH} levels",
                                     self.doc.span_at_index(node.start_mark.index))
        if node.tag not in _DEFAULT_TAGS and not node.tag.startswith("tag:yaml.org,2002:"):
            raise YamlSyntaxError(f"YAML tag {node.tag!r} is not allowed in rule packs",
                                  self.doc.span_at_index(node.start_mark.index),
                                  "remove the tag; packs use plain YAML values only")
        self.doc.nodes.setdefault(path, node)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path, depth)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, path + (i,), depth + 1) for i, item in enumerate(node.value)]
        return _scalar(node)

    def _mapping(self, node: yaml.MappingNode, path: Path, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise YamlSyntaxError("mapping keys must be plain strings",
                                      self.doc.span_at_index(key_node.start_mark.index))
            key = key_node.value if key_node.style else _scalar(key_node)
            if key == "<<" and not key_node.style:
                raise YamlSyntaxError("YAML merge keys (<<) are not allowed in rule packs",
                                      self.doc.span_at_index(key_node.start_mark.index),
                                      "write the keys out; merges hide where a value came from")
            key = str(key) if not isinstance(key, str) else key
            if key in result:
                first = self.doc.key_nodes[path + (key,)]
                first_span = self.doc.span_at_index(first.start_mark.index)
                raise DuplicateKeyError(
                    f"duplicate key {key!r} (first written at line {first_span.line})",
                    self.doc.span_at_index(key_node.start_mark.index, len(key)),
                    "YAML keeps only one of them; remove or rename the other")
            self.doc.key_nodes[path + (key,)] = key_node
            result[key] = self.build(value_node, path + (key,), depth + 1)
        return result


def _scalar(node: yaml.ScalarNode) -> Any:
    value: str = node.value
    if node.style:  # quoted or block: always a string (plain is None, or '' from the C loader)
        return value
    if value in ("true", "false"):
        return value == "true"
    if value in _NULLS:
        return None
    if _INT.fullmatch(value):
        return int(value)
    if _FLOAT.fullmatch(value):
        return float(value)
    return value

"""Strict, position-keeping YAML reading.

PyYAML composes the node tree (with the C parser when available); we build plain
Python values ourselves so that duplicate keys are errors, only ``true``/``false`` are
booleans, dates stay strings (the models parse them), and every value keeps the mark
of where it was written. Size and depth are bounded: packs are untrusted input.

Finding files are read with the same rules by `read_yaml_items`, one record at a time,
each record bounded like a pack file (`ITEM_LIMITS`); the file as a whole is not bounded,
since it may hold any number of records.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeAlias

import yaml

from ..errors import Diagnostics, DuplicateKeyError, LimitExceededError, PackError, Span, YamlSyntaxError
from .cache import Memo

try:  # the C composer is several times faster; fall back silently when absent
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader


class _UntaggedLoader(_Loader):  # type: ignore[misc]
    """The loader without implicit tag resolution (PyYAML's regular expressions per scalar):
    values are typed by _scalar, and a node's tag is only checked to be one of YAML's own, so
    an untagged node is given its kind's default tag. Explicit tags are kept, as before."""

    def resolve(self, kind: type[yaml.Node], value: Any, implicit: Any) -> str:
        return _KIND_TAGS[kind]


_KIND_TAGS = {yaml.ScalarNode: "tag:yaml.org,2002:str", yaml.SequenceNode: "tag:yaml.org,2002:seq",
              yaml.MappingNode: "tag:yaml.org,2002:map"}

MAX_DEPTH = 64
MAX_NODES = 200_000
MAX_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """How much one read may build: nesting depth, nodes (aliases expanded), text size."""

    depth: int = MAX_DEPTH
    nodes: int = MAX_NODES
    bytes: int | None = MAX_BYTES


PACK_LIMITS = Limits()
# A finding file is read one record at a time, each record bounded like a pack file; the
# file itself may be of any size (it holds any number of records).
ITEM_LIMITS = Limits(bytes=None)

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
if TYPE_CHECKING:
    # A parser event's position: the pure-Python parser's yaml.Mark or the C parser's own
    # class (yaml._yaml exists only when PyYAML was built with libyaml). Nodes accept either
    # at run time, though the stubs name only the first.
    _EventMark: TypeAlias = yaml.Mark | yaml._yaml.Mark


# Where a value (or key) stands in its file: what spans need of a YAML node, kept instead of
# the node. A pack holds tens of thousands; a plain tuple of ints and strings is small and,
# unlike a node or a NamedTuple, untracked by the cyclic collector (which otherwise walks them
# again and again while packs load). Fields: start and end offsets into the text, whether it
# is on one line, a scalar's style ("" plain, "'", '"', "|", ">"; None: not a scalar) and text.
Where: TypeAlias = tuple[int, int, bool, str | None, str | None]


def _where(node: yaml.Node) -> Where:
    if isinstance(node, yaml.ScalarNode):
        style, value = node.style or "", node.value
    else:
        style, value = None, None
    return (node.start_mark.index, node.end_mark.index, node.start_mark.line == node.end_mark.line, style, value)


@dataclass
class YamlDocument:
    """Plain data read from one YAML file, with where every path stands in it.

    A document read from the cache (loading/cache.py) holds only its values: where each
    path stands is read again from the text the first time a position is asked for (an
    error, `rules show`), which a load without errors never does.
    """

    file: str
    text: str
    data: Any
    # What later stages derived from this text, and the cache entry it is kept under.
    memo: Memo = field(default_factory=Memo)
    cache_key: str | None = None
    _nodes: dict[Path, Where] | None = field(default_factory=dict, init=False, repr=False)
    _key_nodes: dict[Path, Where] | None = field(default_factory=dict, init=False, repr=False)
    _starts: list[int] | None = field(default=None, init=False, repr=False)

    @classmethod
    def without_positions(cls, file: str, text: str, data: Any, memo: Memo, cache_key: str) -> YamlDocument:
        doc = cls(file, text, data, memo, cache_key)
        doc.forget_positions()
        return doc

    @property
    def nodes(self) -> dict[Path, Where]:
        """Where each value stands, by path."""
        if self._nodes is None:
            self._read_positions()
        assert self._nodes is not None
        return self._nodes

    @property
    def key_nodes(self) -> dict[Path, Where]:
        """Where each mapping key stands, by the path of its value."""
        if self._key_nodes is None:
            self._read_positions()
        assert self._key_nodes is not None
        return self._key_nodes

    def __getstate__(self) -> dict[str, Any]:
        """Pickled (a rule set sent to a worker, or kept whole in the cache): the text, not
        the values nor the positions (read again from it when asked for: the load that
        validated them is done) nor what the load cache keeps."""
        state = dict(self.__dict__)
        state.pop("data", None)
        state.update(memo=Memo(), cache_key=None, _nodes=None, _key_nodes=None, _starts=None)
        return state

    def __getattr__(self, name: str) -> Any:
        if name == "data":  # a document restored from a pickle: read its values again
            self.data = read_yaml(self.text, self.file, positions=False).data
            return self.data
        raise AttributeError(name)

    def forget_positions(self) -> None:
        """Read positions again from the text when one is next asked for."""
        self._nodes = self._key_nodes = None

    def _read_positions(self) -> None:
        again = read_yaml(self.text, self.file)
        self._nodes, self._key_nodes = again.nodes, again.key_nodes

    @property
    def _line_starts(self) -> list[int]:
        if self._starts is None:
            self._starts = [0, *(match.end() for match in re.finditer("\n", self.text))]
        return self._starts

    def line_text(self, line: int) -> str:
        """The 1-based source line (found through the line starts: a finding file may be large)."""
        if not 0 < line <= len(self._line_starts):
            return ""
        start = self._line_starts[line - 1]
        end = self._line_starts[line] if line < len(self._line_starts) else len(self.text)
        return self.text[start:end].rstrip("\r\n")

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
        where = table.get(probe) or self.nodes.get(probe)
        if where is None:
            return Span(self.file, 1, 1, 1, self.line_text(1))
        start, end, one_line, _, _ = where
        width = max(1, end - start) if one_line else 1
        return self.span_at_index(start, width)

    def scalar_span(self, path: Path, offset: int, width: int = 1) -> Span:
        """Span of the character at `offset` inside the string scalar at path.

        Aligns the k-th non-blank character of the value with the k-th non-blank
        character of its source text, which holds for plain, quoted, literal and
        folded scalars alike (only escapes in double quotes can shift it).
        """
        where = self.nodes.get(tuple(path))
        if where is None or where[3] is None or where[4] is None:
            return self.span(path)
        start, end, _, style, value = where
        assert value is not None
        body_start = start
        if style in ("|", ">"):
            newline = self.text.find("\n", start)
            body_start = newline + 1 if newline != -1 else start
        elif style in ("'", '"'):
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


def read_yaml(text: str, file: str, limits: Limits = PACK_LIMITS, *, positions: bool = True) -> YamlDocument:
    """Parse YAML text strictly into a YamlDocument (one document per file).

    Every duplicate key of the file is reported, each at its own position: one
    DuplicateKeyError, or Diagnostics with all of them (and the error that stopped the
    reading, if another did). Any other error stops the reading at once.

    positions=False leaves where each value stands to be read again from the text when a
    position is first asked for (YamlDocument.nodes): a pack that loads without errors
    never asks, and building them is half the work of reading."""
    if limits.bytes is not None and len(text.encode("utf-8", "ignore")) > limits.bytes:
        raise LimitExceededError(f"file is larger than {limits.bytes // (1024 * 1024)} MiB",
                                 Span(file, 1, 1), "split the pack with `include:`")
    doc = YamlDocument(file, text, None)
    try:
        root = yaml.compose(text, Loader=_UntaggedLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        span = doc.span_at_index(mark.index) if mark is not None else Span(file, 1, 1)
        message = exc.problem or "invalid YAML"
        if exc.context:
            message = f"{exc.context}: {message}"
        raise YamlSyntaxError(message, span, _yaml_hint(message)) from None
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(str(exc), Span(file, 1, 1)) from None
    builder = _Builder(doc, limits, duplicates=[])
    try:
        if positions:
            doc.data = builder.build(root, (), 0) if root is not None else None
        else:
            doc.data = builder.plain(root, 0) if root is not None else None
            doc.forget_positions()
    except PackError as error:
        if builder.duplicates:
            raise Diagnostics([*builder.duplicates, error], file) from None
        raise
    if builder.duplicates:
        duplicates = builder.duplicates
        raise duplicates[0] if len(duplicates) == 1 else Diagnostics(duplicates, file)
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
    """Plain values from a node tree, checked. A duplicate key raises at once, unless a list
    is given to collect each one in (the reading then goes on, to find the others)."""

    def __init__(self, doc: YamlDocument, limits: Limits = PACK_LIMITS,
                 duplicates: list[DuplicateKeyError] | None = None) -> None:
        self.doc = doc
        self.limits = limits
        self.count = 0
        self.duplicates = duplicates

    def build(self, node: yaml.Node, path: Path, depth: int) -> Any:
        """The value of node, noting where it and every value inside it stand."""
        self._check(node, depth)
        if path not in self.doc.nodes:
            self.doc.nodes[path] = _where(node)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path, depth)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, path + (i,), depth + 1) for i, item in enumerate(node.value)]
        assert isinstance(node, yaml.ScalarNode)  # the only other kind of node
        return _scalar(node)

    def plain(self, node: yaml.Node, depth: int) -> Any:
        """The value of node alone: the same checks, no positions."""
        self._check(node, depth)
        if isinstance(node, yaml.MappingNode):
            result: dict[str, Any] = {}
            firsts: dict[str, int] = {}
            for key_node, value_node in node.value:
                key = self._key(key_node)
                if key in firsts:
                    self._duplicate(key, firsts[key], key_node)
                else:
                    firsts[key] = key_node.start_mark.index
                result[key] = self.plain(value_node, depth + 1)
            return result
        if isinstance(node, yaml.SequenceNode):
            return [self.plain(item, depth + 1) for item in node.value]
        assert isinstance(node, yaml.ScalarNode)  # the only other kind of node
        return _scalar(node)

    def _check(self, node: yaml.Node, depth: int) -> None:
        self.count += 1
        if self.count > self.limits.nodes:
            raise LimitExceededError(f"more than {self.limits.nodes} YAML nodes (aliases included)",
                                     self.doc.span_at_index(node.start_mark.index),
                                     "packs are bounded in size; check for alias expansion")
        if depth > self.limits.depth:
            raise LimitExceededError(f"YAML nested deeper than {self.limits.depth} levels",
                                     self.doc.span_at_index(node.start_mark.index))
        if node.tag not in _DEFAULT_TAGS and not node.tag.startswith("tag:yaml.org,2002:"):
            raise YamlSyntaxError(f"YAML tag {node.tag!r} is not allowed",
                                  self.doc.span_at_index(node.start_mark.index),
                                  "remove the tag; only plain YAML values are read")

    def _key(self, key_node: yaml.Node) -> str:
        if not isinstance(key_node, yaml.ScalarNode):
            raise YamlSyntaxError("mapping keys must be plain strings",
                                  self.doc.span_at_index(key_node.start_mark.index))
        key = key_node.value if key_node.style else _scalar(key_node)
        if key == "<<" and not key_node.style:
            raise YamlSyntaxError("YAML merge keys (<<) are not allowed",
                                  self.doc.span_at_index(key_node.start_mark.index),
                                  "write the keys out; merges hide where a value came from")
        return str(key) if not isinstance(key, str) else key

    def _duplicate(self, key: str, first_index: int, key_node: yaml.Node) -> None:
        first_span = self.doc.span_at_index(first_index)
        error = DuplicateKeyError(
            f"duplicate key {key!r} (first written at line {first_span.line})",
            self.doc.span_at_index(key_node.start_mark.index, len(key)),
            "YAML keeps only one of them; remove or rename the other")
        if self.duplicates is None:
            raise error
        self.duplicates.append(error)

    def _mapping(self, node: yaml.MappingNode, path: Path, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = self._key(key_node)
            if key in result:  # where the first one stands is kept: a third one points to it too
                self._duplicate(key, self.doc.key_nodes[path + (key,)][0], key_node)
            else:
                self.doc.key_nodes[path + (key,)] = _where(key_node)
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
    if _INT.fullmatch(value) and len(value) <= 4000:  # longer: text (Python's int() refuses it)
        return int(value)
    if _FLOAT.fullmatch(value):
        return float(value)
    return value


# ---------------------------------------------------------------- finding files: one record at a time

@dataclass(frozen=True)
class YamlItem:
    """One record of a YAML file: its plain value, or the error that makes it unreadable."""

    line: int
    data: Any = None
    error: PackError | None = None


def read_yaml_items(text: str, file: str, limits: Limits = ITEM_LIMITS) -> Iterator[YamlItem]:
    """Each item of a top-level sequence, or each document that is not a sequence, read
    strictly and bounded one at a time.

    An item that breaks a rule (duplicate key, tag, merge key, nested deeper than
    limits.depth, too many nodes) becomes a YamlItem with that error, positioned in the
    file, and the next items are still read. A syntax error raises YamlSyntaxError.
    """
    return _ItemReader(text, file, limits).items()


_LIBYAML_DEPTH = "exceeded maximum nesting depth"
_SCALAR_TAG, _SEQ_TAG, _MAP_TAG = "tag:yaml.org,2002:str", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"


class _ItemReader:
    def __init__(self, text: str, file: str, limits: Limits) -> None:
        self.doc = YamlDocument(file, text, None)  # the whole file, for positions only
        self.limits = limits
        self.item_line: int | None = None  # the item being read, if any
        self.column: int | None = None  # of the top-level block sequence's '-', if any
        self.flow_root = False  # the document is one [ … ] of items
        self.start = 0  # where the text being parsed starts (after a resume)
        self.shift_line = 0

    def items(self) -> Generator[YamlItem, None, None]:
        # libyaml gives up at 1,000 levels of nesting and cannot go on after an error; the
        # pure-Python parser can, but is quadratic on such input. So an item nested that
        # deeply is reported, and parsing starts afresh at the next item or document.
        resume: int | None = 0
        while resume is not None:
            self.start, self.shift_line = resume, self.doc.text.count("\n", 0, resume)
            resume = yield from self._segment()

    def _segment(self) -> Generator[YamlItem, None, int | None]:
        """Yield the items of the text from self.start on; return where to resume (None: done)."""
        text = self.doc.text[self.start:] if self.start else self.doc.text
        events = iter(yaml.parse(text, Loader=_Loader))
        try:
            for event in events:
                if isinstance(event, yaml.DocumentStartEvent):
                    yield from self._document(events)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            index = self.start + (mark.index if mark is not None else 0)
            if exc.problem != _LIBYAML_DEPTH:
                message = exc.problem or "invalid YAML"
                message = f"{exc.context}: {message}" if exc.context else message
                raise YamlSyntaxError(message, self.doc.span_at_index(index), _yaml_hint(message)) from None
            return (yield from self._too_deep_for_libyaml(index))
        return None

    def _document(self, events: Iterator[yaml.Event]) -> Iterator[YamlItem]:
        anchors: dict[str, yaml.Node] = {}
        self.column, self.flow_root = None, False
        root = next(events)
        if isinstance(root, yaml.SequenceStartEvent):
            self.flow_root = bool(root.flow_style)
            self.column = None if root.flow_style else _start(root).column
            for event in events:
                if isinstance(event, yaml.SequenceEndEvent):
                    break
                yield self._item(event, events, anchors)
            self.column, self.flow_root = None, False
            return
        item = self._item(root, events, anchors)
        if item.data is not None or item.error is not None:  # an empty document holds no record
            yield item

    def _item(self, first: yaml.Event, events: Iterator[yaml.Event], anchors: dict[str, yaml.Node]) -> YamlItem:
        self.item_line = line = _start(first).line + 1 + self.shift_line
        composer = _Composer(self, anchors)
        try:
            node = composer.compose(first, events)
            data = _Builder(self.doc, self.limits).plain(node, 0)  # a record's own positions are not kept
        except PackError as error:
            composer.skip_rest(events)
            self.item_line = None
            return YamlItem(line, error=error)
        self.item_line = None
        return YamlItem(line, data)

    def _too_deep_for_libyaml(self, index: int) -> Generator[YamlItem, None, int | None]:
        """Report the item libyaml stopped in; return where to parse on from (None: the end)."""
        text = self.doc.text
        after = text.find("\n", index)
        boundary = None
        if self.column is not None:  # the next item of the top-level sequence, or the next document
            boundary = re.compile(rf"^(?: {{{self.column}}}-|---)(?=[ \t\r\n]|$)", re.MULTILINE)
            before = [m.start() for m in boundary.finditer(text, self.start, index)]
            line = self.item_line or (self.doc.span_at_index(before[-1]).line if before else None)
        else:  # the next document
            boundary = re.compile(r"^---(?=[ \t\r\n]|$)", re.MULTILINE)
            line = self.item_line
        span = self.doc.span_at_index(index)
        message = f"nested too deeply (more than {self.limits.depth} levels)"
        found = boundary.search(text, after + 1) if after != -1 else None
        if self.flow_root or (self.column is None and self.item_line is None):
            # the items after it in the same [ … ] (or a document libyaml gave up on before
            # its first item) cannot be told apart
            message += "; the rest of the document was skipped" if found else "; the rest of the file was skipped"
        # Where libyaml stopped (1,000 levels in) says nothing useful: the item's line is the place.
        yield YamlItem(line or span.line, error=LimitExceededError(message))
        self.item_line = None
        return found.start() if found is not None else None


class _Composer:
    """Builds the node tree of one item from parser events, without recursion, refusing
    more nesting or nodes than the limits allow (so nothing later recurses deeply)."""

    def __init__(self, reader: _ItemReader, anchors: dict[str, yaml.Node]) -> None:
        self.reader = reader
        self.anchors = anchors
        self.stack: list[_Open] = []
        self.count = 0

    def compose(self, event: yaml.Event, events: Iterator[yaml.Event]) -> yaml.Node:
        while True:
            node = self._node(event)
            if node is not None:
                if not self.stack:
                    return node
                self._attach(node)
            event = next(events)

    def _node(self, event: yaml.Event) -> yaml.Node | None:
        """The finished node of this event, or None when it opened a collection."""
        if isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            done = self.stack.pop()
            done.node.end_mark = self._mark(event.end_mark)
            if done.anchor is not None:
                self.anchors[done.anchor] = done.node
            return done.node
        self.count += 1
        limits = self.reader.limits
        if isinstance(event, yaml.AliasEvent):
            if event.anchor not in self.anchors:
                raise YamlSyntaxError(f"found undefined alias {event.anchor!r}", self._span(event),
                                      "an alias (*name) must follow its anchor (&name) in the same document")
            return self.anchors[event.anchor]
        # inside a node the parser emits only the events above and these
        assert isinstance(event, (yaml.ScalarEvent, yaml.CollectionStartEvent)), event
        tag = event.tag if event.tag not in (None, "!") else None
        start = self._mark(event.start_mark)
        node: yaml.Node
        if isinstance(event, yaml.ScalarEvent):
            node = yaml.ScalarNode(tag or _SCALAR_TAG, event.value, start, self._mark(event.end_mark), event.style)
            if event.anchor is not None:
                self.anchors[event.anchor] = node
        elif isinstance(event, yaml.SequenceStartEvent):
            node = yaml.SequenceNode(tag or _SEQ_TAG, [], start, start, event.flow_style)
        else:
            node = yaml.MappingNode(tag or _MAP_TAG, [], start, start, event.flow_style)
        if not isinstance(node, yaml.ScalarNode):  # open until its end event (counted by skip_rest)
            self.stack.append(_Open(node, event.anchor))
            if len(self.stack) > limits.depth:
                raise LimitExceededError(f"nested too deeply (more than {limits.depth} levels)", self._span(event))
        if self.count > limits.nodes:
            raise LimitExceededError(f"more than {limits.nodes} YAML nodes", self._span(event))
        return node if isinstance(node, yaml.ScalarNode) else None

    def _attach(self, node: yaml.Node) -> None:
        top = self.stack[-1]
        if isinstance(top.node, yaml.SequenceNode):
            top.node.value.append(node)
        elif top.key is None:
            top.key = node
        else:
            top.node.value.append((top.key, node))
            top.key = None

    def skip_rest(self, events: Iterator[yaml.Event]) -> None:
        """Read past the end of an item abandoned half-way (its collections still open)."""
        open_ = len(self.stack)
        while open_:
            event = next(events)
            if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                open_ += 1
            elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                open_ -= 1
        self.stack.clear()

    def _mark(self, mark: _EventMark | None) -> Any:
        """The mark as a node takes it (Any: see _EventMark), shifted to the whole text."""
        if not self.reader.start or mark is None:
            return mark
        # no buffer: get_snippet() returns None without reading the pointer
        return yaml.Mark(mark.name, mark.index + self.reader.start, mark.line + self.reader.shift_line,
                         mark.column, None, 0)

    def _span(self, event: yaml.Event) -> Span:
        return self.reader.doc.span_at_index(self.reader.start + _start(event).index)


@dataclass(slots=True)
class _Open:
    """A collection node being composed: its anchor, and a mapping key awaiting its value."""

    node: yaml.Node
    anchor: str | None
    key: yaml.Node | None = None


def _start(event: yaml.Event) -> _EventMark:
    mark = event.start_mark
    assert mark is not None  # both parsers mark every event they emit
    return mark

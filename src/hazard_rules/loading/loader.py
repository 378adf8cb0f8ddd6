"""Read a rule-pack folder (pack.yaml, its includes and imported vocabularies).

The result is a PackSource: the validated parts of the pack, each paired with the
document and path it came from so that later stages can point at it. All errors of a
pack are collected and raised together.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, TypeVar, cast

from pydantic import BaseModel

from ..errors import Diagnostics, DuplicateIdError, EmptyPackFileError, IncludeError, PackError, SchemaError, Span
from . import cache, strict_yaml
from .models import (
    FactDecl,
    FindingTest,
    FindingTestsPart,
    PackManifest,
    PackPart,
    Provision,
    Rule,
    RuleTest,
    Section,
    TestsPart,
    Vocabulary,
)
from .strict_yaml import Path as YPath
from .strict_yaml import YamlDocument, read_yaml

T = TypeVar("T")
PartT = TypeVar("PartT", bound=BaseModel)

PACK_FILE = "pack.yaml"
VOCABULARY_FILE = "vocabulary.yaml"
TESTS_SUFFIX = ".tests.yaml"  # art11.yaml's rules are tested in art11.tests.yaml
FINDING_TESTS_FILE = "findings.tests.yaml"  # a pack's finding-level tests (docs/rule-tests.md)


def tests_file(part: Path) -> Path:
    """Where the tests of the rules in a pack file are written."""
    return part.with_name(part.name.removesuffix(".yaml").removesuffix(".yml") + TESTS_SUFFIX)


@dataclass(frozen=True)
class Origin:
    """Where something was written: a document and the path inside it."""

    doc: YamlDocument
    path: YPath

    def span(self, *, key: bool = False) -> Span:
        return self.doc.span(self.path, key=key)


@dataclass(frozen=True)
class Located(Generic[T]):
    value: T
    origin: Origin


@dataclass
class PackSource:
    """A pack as written: validated parts with their origins, not yet parsed."""

    id: str
    folder: Path
    manifest: PackManifest
    manifest_doc: YamlDocument
    types: dict[str, Located[FactDecl]] = field(default_factory=dict)
    facts: dict[str, Located[FactDecl]] = field(default_factory=dict)
    conditions: dict[str, Located[str]] = field(default_factory=dict)
    sections: dict[str, Located[Section]] = field(default_factory=dict)
    rules: list[Located[Rule]] = field(default_factory=list)
    provisions: list[Located[Provision]] = field(default_factory=list)
    documents: list[YamlDocument] = field(default_factory=list)
    # Read only when asked for (`load_pack_source(tests=True)`): where each rule's tests are.
    tests_read: bool = False
    test_origins: dict[str, Origin] = field(default_factory=dict)
    # The pack's findings.tests.yaml, each test with where it is written (also read only with tests).
    finding_tests: list[Located[FindingTest]] = field(default_factory=list)


def read_document(file: Path, root: Path | None = None) -> YamlDocument:
    shown = _shown(file, root)
    try:
        text = file.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise IncludeError(f"file not found: {shown}", Span(shown, 1, 1)) from None
    except UnicodeDecodeError as exc:
        raise IncludeError(f"{shown} is not UTF-8 text ({exc.reason})", Span(shown, 1, 1),
                           "save rule packs as UTF-8") from None
    return _read_yaml_cached(text, shown)


def _read_yaml_cached(text: str, shown: str) -> YamlDocument:
    """read_yaml, or what it returned for the same text before (loading/cache.py)."""
    key = cache.entry_key(cache.code_digest(strict_yaml.__file__, cache.__file__), text)
    entry = cache.read_entry(key)
    if isinstance(entry, tuple) and len(entry) == 2 and isinstance(entry[1], dict):
        data, memo = entry
        doc = YamlDocument.without_positions(shown, text, data, cache.Memo(memo), key)
    else:
        doc = read_yaml(text, shown, positions=False)
        doc.cache_key = key
        doc.memo.changed = True  # not stored yet
    return doc


def store_document(doc: YamlDocument) -> None:
    """Keep what reading doc (and later stages, in its memo) produced, if anything is new."""
    if doc.cache_key is not None and doc.memo.changed:
        cache.write_entry(doc.cache_key, (doc.data, doc.memo.entries))
        doc.memo.changed = False


def _shown(file: Path, root: Path | None) -> str:
    try:
        return str(file.relative_to(root)) if root else str(file)
    except ValueError:
        return str(file)


def load_pack_source(folder: Path, root: Path | None = None,
                     vocabularies: dict[str, tuple[Vocabulary, YamlDocument]] | None = None, *,
                     tests: bool = False) -> PackSource:
    """Read and validate one pack folder; raise Diagnostics with everything wrong.

    tests=True also reads each file's `.tests.yaml` and gives every rule its tests."""
    from .validate import validate_document

    errors: list[PackError] = []
    vocabularies = vocabularies if vocabularies is not None else {}
    doc = _read_or_collect(folder / PACK_FILE, root, errors, "a truncated copy? restore the file from its source")
    if doc is None:
        raise Diagnostics(errors, "rule packs")
    manifest, problems = validate_document(doc, PackManifest)
    errors.extend(problems)
    if manifest is None:
        raise Diagnostics(errors, "rule packs")
    source = PackSource(folder.name, folder, manifest, doc, documents=[doc])
    parts = [folder / PACK_FILE]
    for index, name in enumerate(manifest.imports):
        vocabulary = _import_vocabulary(folder.parent, name, root, vocabularies, errors,
                                        Origin(doc, ("imports", index)))
        if vocabulary is not None:
            vocab, vocab_doc = vocabulary
            _merge(source, vocab, vocab_doc, errors)
    _merge(source, manifest, doc, errors)
    for index, name in enumerate(manifest.include):
        part_doc = _include(folder, name, root, errors, Origin(doc, ("include", index)))
        if part_doc is None:
            continue
        source.documents.append(part_doc)
        parts.append(folder / name)
        part, problems = validate_document(part_doc, PackPart)
        errors.extend(problems)
        if part is not None:
            _merge(source, part, part_doc, errors)
    if tests:
        _read_tests(source, parts, root, errors)
    if errors:
        raise Diagnostics(errors, "rule packs")
    return source


def _read_tests(source: PackSource, parts: list[Path], root: Path | None, errors: list[PackError]) -> None:
    """Give each rule the tests written for it in the `.tests.yaml` files beside the pack's files."""
    source.tests_read = True
    index = {located.value.id: n for n, located in enumerate(source.rules)}
    expected = {tests_file(part) for part in parts} | {source.folder / FINDING_TESTS_FILE}
    for stray in sorted(source.folder.rglob("*" + TESTS_SUFFIX)):
        if stray not in expected:
            errors.append(IncludeError(
                f"{_shown(stray, root)} tests no file of the pack", Span(_shown(stray, root), 1, 1),
                f"name a tests file after the file whose rules it tests (art11.yaml: art11{TESTS_SUFFIX}), "
                "and include that file in pack.yaml"))
    for part in parts:
        read = _read_tests_part(source, tests_file(part), TestsPart, root, errors)
        if read is None:
            continue
        written, doc = read
        for rule_id, rule_tests in written.tests.items():
            _attach(source, index, rule_id, rule_tests, Origin(doc, ("tests", rule_id)), errors)
    _read_finding_tests(source, root, errors)


def _read_finding_tests(source: PackSource, root: Path | None, errors: list[PackError]) -> None:
    """The pack's findings.tests.yaml, if it has one. Rule ids are checked when the tests run,
    against every loaded pack (a finding at an edition's boundary may fire another edition's rule)."""
    read = _read_tests_part(source, source.folder / FINDING_TESTS_FILE, FindingTestsPart, root, errors)
    if read is not None:
        written, doc = read
        source.finding_tests = [Located(test, Origin(doc, ("findings", n))) for n, test in enumerate(written.findings)]


def _read_tests_part(source: PackSource, file: Path, model: type[PartT], root: Path | None,
                     errors: list[PackError]) -> tuple[PartT, YamlDocument] | None:
    """A tests file validated against its model, its document kept with the pack's; None if the
    file does not exist or cannot be read or validated (the errors collected)."""
    from .validate import validate_document

    if not file.is_file():
        return None
    doc = _read_or_collect(file, root, errors, "remove the empty file, or write the tests", kind="tests file")
    if doc is None:
        return None
    source.documents.append(doc)
    written, problems = validate_document(doc, model)
    errors.extend(problems)
    return None if written is None else (written, doc)


def test_names(source: PackSource) -> dict[str, list[str]]:
    """The names of each rule's tests where the rule is true: inspector-style wording of the
    hazard, which the clause matcher indexes (a test where the rule is false or unknown names
    a compliant or unrecorded situation, which must not make a description resemble the clause).

    From the rules when their tests were read; else read here, leniently: a tests file that
    cannot be read is skipped (`rules lint` reports it; classifying never fails on a test)."""
    if source.tests_read:
        found = {located.value.id: [t.name for t in located.value.tests
                                    if t.name and t.expect in (True, "true")]
                 for located in source.rules}
        return {rule_id: names for rule_id, names in found.items() if names}
    names: dict[str, list[str]] = {}
    for part in [source.folder / PACK_FILE, *(source.folder / name for name in source.manifest.include)]:
        file = tests_file(part)
        if not file.is_file():
            continue
        try:
            doc = read_document(file)
        except (PackError, Diagnostics):
            continue
        written = doc.data.get("tests") if isinstance(doc.data, dict) else None
        for rule_id, tests in (written.items() if isinstance(written, dict) else ()):
            for test in tests if isinstance(tests, list) else ():
                if isinstance(test, dict) and isinstance(test.get("name"), str) \
                        and test.get("expect") in (True, "true"):
                    names.setdefault(rule_id, []).append(test["name"])
        store_document(doc)
    return names


def _attach(source: PackSource, index: dict[str, int], rule_id: str, rule_tests: list[RuleTest], origin: Origin,
            errors: list[PackError]) -> None:
    import difflib

    if rule_id not in index:
        close = difflib.get_close_matches(rule_id, list(index), n=1)
        errors.append(SchemaError(f"tests for rule {rule_id!r}, which the pack does not define", origin.span(key=True),
                                  f"did you mean {close[0]!r}?" if close else "check the rule id"))
        return
    if rule_id in source.test_origins:
        first = source.test_origins[rule_id].span(key=True)
        errors.append(DuplicateIdError(f"the tests of rule {rule_id!r} are written twice (first at {first})",
                                       origin.span(key=True), "keep one list of tests per rule"))
        return
    located = source.rules[index[rule_id]]
    source.rules[index[rule_id]] = Located(located.value.model_copy(update={"tests": rule_tests}), located.origin)
    source.test_origins[rule_id] = origin


def _read_or_collect(file: Path, root: Path | None, errors: list[PackError], empty_hint: str,
                     kind: str = "pack file") -> YamlDocument | None:
    """The file's document; None (and the error collected) if it cannot be read or holds nothing."""
    try:
        doc = read_document(file, root)
    except PackError as error:
        errors.append(error)
        return None
    except Diagnostics as several:  # the file's duplicate keys, each where it is written
        errors.extend(cast(list[PackError], several.errors))
        return None
    if doc.data is None:  # empty, only comments, or a bare `---`: a truncated copy, not an empty part
        errors.append(EmptyPackFileError(f"{kind} {file.name} is empty (or only comments)", doc.span(()), empty_hint))
        return None
    return doc


def _include(folder: Path, name: str, root: Path | None, errors: list[PackError],
             origin: Origin) -> YamlDocument | None:
    target = folder / name
    if folder.resolve() not in target.resolve().parents or not name.endswith((".yaml", ".yml")):
        errors.append(IncludeError(f"include {name!r} must be a .yaml file inside the pack folder",
                                   origin.span(), "write a file name relative to the pack folder"))
        return None
    if not target.is_file():
        errors.append(IncludeError(f"included file {name!r} does not exist", origin.span(),
                                   f"create {_shown(target, root)} or remove it from `include`"))
        return None
    return _read_or_collect(target, root, errors, "a truncated copy? restore the file, or remove it from `include`")


def _import_vocabulary(rules_root: Path, name: str, root: Path | None,
                       cache: dict[str, tuple[Vocabulary, YamlDocument]],
                       errors: list[PackError], origin: Origin) -> tuple[Vocabulary, YamlDocument] | None:
    if name in cache:
        return cache[name]
    file = rules_root / name / VOCABULARY_FILE
    if not name.startswith("_") or not file.is_file():
        available = sorted(p.name for p in rules_root.iterdir()
                           if p.name.startswith("_") and (p / VOCABULARY_FILE).is_file())
        errors.append(IncludeError(f"no shared vocabulary named {name!r}", origin.span(),
                                   f"available: {', '.join(available) or 'none'} "
                                   f"(folders under {rules_root.name}/ starting with '_')"))
        return None
    from .validate import validate_document

    doc = _read_or_collect(file, root, errors, "a truncated copy? restore the file, or remove the vocabulary "
                           "from `imports`", kind="shared vocabulary file")
    if doc is None:
        return None
    vocab, problems = validate_document(doc, Vocabulary)
    errors.extend(problems)
    if vocab is None:
        return None
    cache[name] = (vocab, doc)
    return cache[name]


def _merge(source: PackSource, part: BaseModel, doc: YamlDocument, errors: list[PackError]) -> None:
    for kind in ("types", "facts", "conditions"):
        table = getattr(source, kind)
        for key, value in getattr(part, kind, {}).items():
            origin = Origin(doc, (kind, key))
            if key in table:
                first = table[key].origin.span(key=True)
                errors.append(DuplicateIdError(
                    f"{kind[:-1]} {key!r} is declared twice (first at {first})",
                    origin.span(key=True), "keep one declaration; shared ones belong in a vocabulary"))
                continue
            table[key] = Located(value, origin)
    for index, section in enumerate(getattr(part, "sections", [])):
        origin = Origin(doc, ("sections", index))
        if section.id in source.sections:
            errors.append(DuplicateIdError(f"section {section.id!r} is declared twice", origin.span()))
            continue
        source.sections[section.id] = Located(section, origin)
    for index, rule in enumerate(getattr(part, "rules", [])):
        origin = Origin(doc, ("rules", index))
        if rule.tests:
            errors.append(SchemaError(
                f"rule {rule.id} writes its tests in the rule", Origin(doc, ("rules", index, "tests")).span(key=True),
                f"move them to {Path(doc.file).name.removesuffix('.yaml')}{TESTS_SUFFIX}, under "
                f"`tests: {{{rule.id}: [...]}}`: a load that classifies findings does not read tests"))
        source.rules.append(Located(rule, origin))
    for index, provision in enumerate(getattr(part, "provisions", [])):
        source.provisions.append(Located(provision, Origin(doc, ("provisions", index))))

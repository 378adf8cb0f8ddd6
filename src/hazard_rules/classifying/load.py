"""load_rulesets(): find pack folders, read, check and compile them all."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

from ..checking.pack import check_pack
from ..errors import Diagnostics, HazardRulesError, PackError, UsageError
from ..loading.loader import PACK_FILE, TESTS_SUFFIX, load_pack_source, store_document
from ..loading.models import Vocabulary
from ..loading.strict_yaml import YamlDocument
from .ruleset import CompiledPack, Ruleset, compile_pack
from .snapshot import read_snapshot, snapshot_key, write_snapshot


def default_rules_dir() -> Path:
    """The packs shipped with the package (the repository's rulesets/ in a checkout)."""
    shipped = resources.files("hazard_rules").joinpath("rulesets")
    if shipped.is_dir():
        return Path(str(shipped))
    return Path(__file__).resolve().parents[3] / "rulesets"


def pack_folders(root: Path) -> list[Path]:
    if (root / PACK_FILE).is_file():
        return [root]
    return sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))
                  and (p / PACK_FILE).is_file())


def load_rulesets(path: str | Path | None = None, *, tests: bool = False) -> Ruleset:
    """Load every pack under path (a rules folder or one pack folder).

    A load that was done before with the same files and engine is restored whole from the
    load cache (snapshot.py); otherwise its parts come from the cache where they can.

    tests=True also reads the packs' tests (`<file>.tests.yaml`), which `rules test`,
    `rules lint`, `rules coverage` and mutation testing need; classifying does not.
    Raises Diagnostics listing every problem in every pack.
    """
    with _collector_paused():
        return _load(path, tests)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Loading allocates hundreds of thousands of objects that all stay alive; Python's cyclic
    collector would walk them again and again (about 45 % of a cold load). Paused, then restored.

    Restored, its first young collection would still walk everything the load made (10–30 ms
    for the shipped packs): freezing and at once unfreezing moves all tracked objects to the
    oldest generation without a walk (unless the program keeps objects frozen itself)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if gc.get_freeze_count() == 0:
            gc.freeze()
            gc.unfreeze()
        if was_enabled:
            gc.enable()


def _load(path: str | Path | None, tests: bool) -> Ruleset:
    root = Path(path) if path is not None else default_rules_dir()
    if not root.is_dir():
        raise UsageError(f"rules folder not found: {root}", hint="pass --rules DIR with a folder of rule packs")
    folders = pack_folders(root)
    if not folders:
        raise UsageError(f"no rule packs in {root}", hint=f"a pack is a folder holding {PACK_FILE}")
    key = snapshot_key(root, tests=tests)
    restored = read_snapshot(key) if key else None
    if restored is not None:
        return restored
    ruleset = _load_packs(root, folders, tests)
    if key and snapshot_key(root, tests=tests) == key:  # not if a file changed while it was read
        write_snapshot(key, ruleset)
    return ruleset


def _load_packs(root: Path, folders: list[Path], tests: bool) -> Ruleset:
    display_root = root.parent if (root / PACK_FILE).is_file() else root
    shown_root = display_root.parent
    vocabularies: dict[str, tuple[Vocabulary, YamlDocument]] = {}
    errors: list[HazardRulesError] = []
    compiled: list[CompiledPack] = []
    files: set[Path] = set()
    for folder in folders:
        try:
            source = load_pack_source(folder, shown_root, vocabularies, tests=tests)
            compiled.append(compile_pack(check_pack(source)))
        except Diagnostics as exc:
            errors.extend(exc.errors)
        except PackError as exc:
            errors.append(exc)
        # What the verdicts depend on: the rules, not their tests.
        files.update(f for f in folder.rglob("*.yaml") if not f.name.endswith(TESTS_SUFFIX))
    for pack in compiled:
        for doc in pack.checked.source.documents:
            store_document(doc)
    for _, vocabulary_doc in vocabularies.values():
        store_document(vocabulary_doc)
    for name in vocabularies:
        files.update((display_root / name).rglob("*.yaml"))
    if errors:
        raise Diagnostics(errors, "rule packs")
    digest = digest_files_relative(files, display_root)
    return Ruleset(compiled, digest, tests_read=tests)


def digest_files_relative(files: set[Path], root: Path) -> str:
    """Content hash of the rule set, independent of where it is installed."""
    import hashlib

    sha = hashlib.sha256()
    for file in sorted(files, key=lambda f: f.relative_to(root).as_posix()):
        sha.update(file.relative_to(root).as_posix().encode())
        sha.update(b"\0")
        sha.update(file.read_bytes().replace(b"\r\n", b"\n"))
        sha.update(b"\0")
    return "sha256:" + sha.hexdigest()[:16]


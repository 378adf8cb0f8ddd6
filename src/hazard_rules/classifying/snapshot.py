"""The whole loaded Ruleset, kept in the load cache and keyed by the content of its rule files.

With the cache of documents (loading/cache.py) warm, a load still validates, checks and
builds every pack from the cached parts: about 0.2 s for the shipped packs. What that
produces depends only on the rule files' bytes, the folder they are in, whether tests were
read, and the code that reads, checks and compiles them. So a successful load pickles the
checked Ruleset into the cache folder under a key made of exactly those, and the next load
with the same key hashes the files (a few ms) and restores it instead.

A changed, added or removed rule file, a changed engine source file, another Python or
pydantic gives another key: a stale snapshot is never read. A damaged entry, or one that
does not restore to a Ruleset, is a miss; an unwritable folder means no snapshot. The
folder is trusted as Python's __pycache__ is (it is the user's own cache folder).

Which files count: every .yaml/.yml file under the rules folder (its `.tests.yaml` files
only for a `tests=True` load, which reads them), or, for one pack folder, that folder and
the shared vocabularies (`_name/`) beside it. Counting a file the load does not read only costs a miss.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import sys
from pathlib import Path

import pydantic

from ..loading import cache
from ..loading.loader import PACK_FILE, TESTS_SUFFIX
from .ruleset import Ruleset

# The stages whose code decides what a loaded Ruleset holds (tests/test_layering.py's order).
_ENGINE = ("errors.py", "trees.py", "loading", "parsing", "checking", "compiling", "findings", "matching",
           "classifying")
_PREFIX = "ruleset-"
MAX_SNAPSHOTS = 8  # rule sets (folders × tests= × engine versions) kept; the oldest go first


def snapshot_key(root: Path, *, tests: bool) -> str | None:
    """The key of the Ruleset that loading root would give now; None when the cache is off."""
    if cache.cache_folder() is None:
        return None
    sha = hashlib.blake2b(digest_size=20, key=engine_digest())
    sha.update(repr((str(root.resolve()), tests, sys.version, pydantic.VERSION)).encode())
    try:
        for name, file in _rule_files(root, tests):
            sha.update(name.encode("utf-8", "surrogateescape") + b"\0")
            with open(file, "rb") as handle:
                sha.update(handle.read())
            sha.update(b"\0")
    except OSError:
        return None  # a file vanished while we read: load without the snapshot
    return _PREFIX + sha.hexdigest()


def _rule_files(root: Path, tests: bool) -> list[tuple[str, str]]:
    """(name shown in the key, path) of every rule file (and tests file, if tests are read),
    sorted by name."""
    if (root / PACK_FILE).is_file():
        folders = [root, *sorted(p for p in root.parent.glob("_*") if p.is_dir())]
    else:
        folders = [root]
    found = []
    for folder in folders:
        seen: set[str] = set()  # symbolic links are followed (as the loader does), once
        for where, subfolders, names in os.walk(folder, followlinks=True):
            real = os.path.realpath(where)
            if real in seen:
                subfolders.clear()
                continue
            seen.add(real)
            shown = os.path.relpath(where, folder.parent)
            found += [(f"{shown}/{name}", os.path.join(where, name)) for name in names
                      if name.endswith((".yaml", ".yml")) and (tests or not name.endswith(TESTS_SUFFIX))]
    return sorted(found)


@functools.cache
def engine_digest() -> bytes:
    """A digest of the engine's source (and its grammar), computed once per process."""
    package = Path(__file__).resolve().parents[1]
    files = [str(path) for stage in _ENGINE
             for path in ([package / stage] if stage.endswith(".py") else sorted((package / stage).rglob("*.py")))]
    grammar = package / "grammars"
    if not grammar.is_dir():
        grammar = package.parents[1] / "grammars"
    files += [str(path) for path in sorted(grammar.glob("*.lark"))]
    return cache.code_digest(*files)


def read_snapshot(key: str) -> Ruleset | None:
    """The Ruleset stored under key, or None (absent, damaged, or not a Ruleset)."""
    data = cache.read_bytes(key)
    if data is None:
        return None
    try:
        value = pickle.loads(data)  # noqa: S301 - the user's own cache folder, as __pycache__
    except Exception:  # a damaged entry can fail in any way unpickling can
        return None
    return value if isinstance(value, Ruleset) else None


def write_snapshot(key: str, ruleset: Ruleset) -> None:
    """Keep ruleset under key; nothing if it cannot be pickled or the folder written."""
    try:
        data = pickle.dumps(ruleset, protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError, RecursionError):
        return
    cache.write_bytes(key, data)
    _keep_newest(MAX_SNAPSHOTS)


def _keep_newest(count: int) -> None:
    """Remove all but the count most recently written snapshots: each is megabytes, and
    every edit of a pack or of the engine makes a new one."""
    folder = cache.cache_folder()
    try:
        found = sorted((entry.stat().st_mtime, entry.path) for entry in os.scandir(folder or "")
                       if entry.name.startswith(_PREFIX))
        for _, path in found[:-count]:
            os.unlink(path)
    except OSError:
        return

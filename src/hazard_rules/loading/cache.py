"""A disk cache of what reading a YAML file produced, keyed by the file's content.

Reading a pack file strictly (compose, our node walk, a position for every value) is most
of a cold load, and its result depends only on the text and on the code that reads it. So,
as Python keeps bytecode in __pycache__, the plain result (values, positions, and what
later stages derived from the same text, its `Memo`) is kept in a cache folder under a key
made of a digest of the text and of the reading code. A changed file, or changed code,
gets a new key; a stale entry is never read. Entries are `marshal` data (plain values
only: no code runs when one is read); a damaged or unreadable entry is a miss, and a
folder that cannot be written just means no cache.

Where: $HAZARD_RULES_CACHE if set (`off` turns the cache off), else
$XDG_CACHE_HOME/hazard-rules, else ~/.cache/hazard-rules.
"""

from __future__ import annotations

import functools
import hashlib
import marshal
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ENV = "HAZARD_RULES_CACHE"
FORMAT = 1
# At most this many entries; past it the least recently written half is removed.
MAX_ENTRIES = 4000


@dataclass
class Memo:
    """Values that later stages derived from one document's text (parsed conditions…),
    stored with the document. Each stage keys its own entry and checks its own version."""

    entries: dict[str, Any] = field(default_factory=dict)
    changed: bool = False

    def put(self, key: str, value: Any) -> None:
        self.entries[key] = value
        self.changed = True


def cache_folder() -> Path | None:
    """The folder entries go in, or None when the cache is off."""
    configured = os.environ.get(ENV)
    if configured is not None:
        if configured.strip().lower() in ("", "off", "0", "no", "false"):
            return None
        base = Path(configured)
    else:
        xdg = os.environ.get("XDG_CACHE_HOME")
        base = (Path(xdg) if xdg else Path.home() / ".cache") / "hazard-rules"
    return base / f"v{FORMAT}"


@functools.cache
def code_digest(*files: str) -> bytes:
    """A digest of the source files that compute a cached value (computed once per process)."""
    sha = hashlib.blake2b(digest_size=16)
    for name in files:
        sha.update(Path(name).read_bytes())
    return sha.digest()


def entry_key(code: bytes, text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=20, key=code).hexdigest()


def read_entry(key: str) -> Any | None:
    """The value stored under key, or None (absent, damaged, unreadable, or the cache is off)."""
    folder = cache_folder()
    if folder is None:
        return None
    try:
        return marshal.loads((folder / key).read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        return None


def write_entry(key: str, value: Any) -> None:
    """Store value under key, atomically (a reader sees the old entry or the new, never half);
    silently nothing when the folder cannot be written."""
    try:
        data = marshal.dumps(value)
    except ValueError:
        return
    write_bytes(key, data)


def read_bytes(key: str) -> bytes | None:
    """The bytes stored under key, or None (absent, unreadable, or the cache is off)."""
    folder = cache_folder()
    if folder is None:
        return None
    try:
        return (folder / key).read_bytes()
    except OSError:
        return None


def write_bytes(key: str, data: bytes) -> None:
    """Store data under key, as write_entry does."""
    folder = cache_folder()
    if folder is None:
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".tmp-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.replace(temporary, folder / key)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        if not _pruned:
            _pruned.append(folder)
            _prune(folder)
    except (OSError, ValueError):
        return


_pruned: list[Path] = []  # a process checks the folder's size once, at its first write


def _prune(folder: Path) -> None:
    entries = [entry for entry in os.scandir(folder) if not entry.name.startswith(".")]
    if len(entries) <= MAX_ENTRIES:
        return
    entries.sort(key=lambda entry: entry.stat().st_mtime)
    for entry in entries[: len(entries) // 2]:
        Path(entry.path).unlink(missing_ok=True)

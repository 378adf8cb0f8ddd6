"""Evidence files uploaded through the console: stored under their content hash, so a
stored file is never overwritten by another and the ledger's sha256 names it."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import Any


def store(folder: Path, name: str, content: bytes, filename: str | None = None) -> dict[str, Any]:
    """Write `content` as FOLDER/<sha256><suffix> (atomically; kept if already there) and
    return the evidence item the ledger records: {name, ref, sha256, filename} (the name
    the file was uploaded under, without its folders, when it had one)."""
    digest = hashlib.sha256(content).hexdigest()
    suffix = Path(filename or "").suffix.lower()[:10]
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{digest}{suffix}"
    if not target.exists():
        handle, temp = tempfile.mkstemp(dir=folder, prefix=".upload-")
        with os.fdopen(handle, "wb") as out:
            out.write(content)
        os.replace(temp, target)
    item = {"name": name, "ref": f"evidence/{target.name}", "sha256": digest}
    original = Path((filename or "").replace("\\", "/")).name[:200]
    return {**item, "filename": original} if original else item


def nested(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Form fields with dotted names (plan.measures) as nested objects; blank values left out."""
    fields: dict[str, Any] = {}
    for dotted, value in pairs:
        if not value.strip():
            continue
        parts = dotted.split(".")
        target = fields
        for part in parts[:-1]:
            target = target.setdefault(part, {})
        target[parts[-1]] = value.strip()
    return fields

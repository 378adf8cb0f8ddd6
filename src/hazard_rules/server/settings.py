"""What the service is started with."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..workflow.store.repository import DEFAULT_URL


def _now() -> dt.datetime:
    return dt.datetime.now().astimezone()


@dataclass(frozen=True)
class ServerSettings:
    db_url: str = DEFAULT_URL
    rules_dir: Path | None = None            # default: the packs shipped with hazard-rules
    secure_cookies: bool = False             # True behind HTTPS (the reverse proxy terminates TLS)
    session_hours: int = 12
    evidence_dir: Path = Path("evidence")    # console uploads, named by their SHA-256
    clock: Callable[[], dt.datetime] = field(default=_now)  # the one place the service reads the time
    public_intake: str | None = None         # username of the DEPT account public 举报 are submitted as; None: closed
    form_key: bytes = field(default_factory=lambda: secrets.token_bytes(32), repr=False)  # signs public forms' tokens

"""CSRF for public forms (no session to bind a token to): signed double submit.

The page sets a random nonce in a cookie (HttpOnly, SameSite=Strict) and puts
`ISSUED.SIGNATURE` in a hidden field, the signature an HMAC of nonce and issue time under
the server's form key (ServerSettings.form_key). A submission is accepted only with both, the
signature matching and not older than FORM_TTL. Another site can make a browser post the
form but can read neither the cookie nor the page, and cannot sign a nonce of its own."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

NONCE_COOKIE = "hazard_form_nonce"
FORM_TTL = dt.timedelta(hours=2)


def new_nonce() -> str:
    return secrets.token_urlsafe(16)


def sign(key: bytes, nonce: str, issued: dt.datetime) -> str:
    stamp = str(int(issued.timestamp()))
    mac = hmac.new(key, f"{nonce}|{stamp}".encode(), hashlib.sha256).hexdigest()
    return f"{stamp}.{mac}"


def valid(key: bytes, nonce: str | None, token: str | None, now: dt.datetime) -> bool:
    """Whether `token` was signed for this nonce and is still fresh."""
    if not nonce or not token or "." not in token:
        return False
    stamp, _, mac = token.partition(".")
    if not stamp.isdigit():
        return False
    issued = dt.datetime.fromtimestamp(int(stamp), dt.UTC)
    if not dt.timedelta(0) <= now - issued <= FORM_TTL:
        return False
    return hmac.compare_digest(sign(key, nonce, issued), token)

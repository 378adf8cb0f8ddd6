"""Accounts of the HTTP service: who signs in, and who they act as in the ledger.

A user has a role of the state machine and what that role acts for: a government role
(DEPT, SAFETY_COMMITTEE) its administrative code and, for DEPT, its department; an
enterprise role its enterprise id. The ledger's events take actor, role, organisation,
area and department from the `Identity` a credential resolves to, never from a request.

Passwords are hashed with argon2id (argon2-cffi, the `server` extra). Sessions (the
console's cookie) and bearer tokens (systems) are random secrets of which only the SHA-256
is stored. Sign-ins are recorded in `login_attempts`; too many failures for a username or
a client within the window are refused (TooManyAttempts) before the password is checked.
The caller passes the clock, as everywhere in the workflow.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, bindparam, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from ...errors import HazardRulesError, UsageError
from ..domain.acting import acting_code
from ..domain.machine import Machine
from ..policy.routing import DepartmentTable
from ..store.schema import credentials, login_attempts, users

log = logging.getLogger("hazard_rules.accounts")

ENTERPRISE_ROLES = frozenset({"ENT_SAFETY", "ENT_PRINCIPAL", "ENT_ASSIGNEE"})
SESSION_HOURS = 12
# At most this many failed sign-ins per username, and per client, in the window.
LOGIN_FAILURES = 5
LOGIN_WINDOW = dt.timedelta(minutes=15)


class AccountError(HazardRulesError):
    code = "E631"


class NotAuthenticated(HazardRulesError):
    code = "E632"


class AccessDenied(HazardRulesError):
    code = "E633"


class TooManyAttempts(HazardRulesError):
    code = "E634"


@dataclass(frozen=True)
class Identity:
    """Who acts: what the ledger records for each event, and what bounds their reach.

    `claimed` marks an identity the command line takes on trust (--as/--by/--org): it is
    not bound to an enterprise. Identities from accounts are never claimed."""

    name: str
    role: str
    organisation: str
    org_code: str | None = None
    department: str | None = None
    enterprise_id: str | None = None
    username: str | None = None
    claimed: bool = False

    def acting(self) -> dict[str, Any]:
        """The keyword arguments Ledger.register/step take for the actor."""
        return {"actor": self.name, "role": self.role, "organisation": self.organisation,
                "org_code": self.org_code, "department": self.department}


@dataclass(frozen=True)
class Account:
    identity: Identity
    disabled: bool
    created_at: str

    def as_dict(self) -> dict[str, Any]:
        i = self.identity
        return {"username": i.username, "name": i.name, "role": i.role, "organisation": i.organisation,
                "org_code": i.org_code, "department": i.department, "enterprise_id": i.enterprise_id,
                "disabled": self.disabled, "created_at": self.created_at}


# argon2-cffi's defaults (RFC 9106's low-memory profile). Tests lower the cost: hashing is
# slow on purpose, and they add dozens of accounts.
ARGON2: dict[str, Any] = {}


def _hasher() -> Any:
    try:
        from argon2 import PasswordHasher
    except ImportError:
        raise UsageError("password hashing needs argon2-cffi, which comes with the server extra",
                         hint="pip install 'hazard-rules[server]'") from None
    return PasswordHasher(**ARGON2)


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def csrf_token(session_secret: str) -> str:
    """The CSRF token of a session: derived from its secret, so it needs no storage and
    a page of another site, which cannot read the cookie, cannot compute it."""
    return hashlib.sha256(b"csrf:" + session_secret.encode("utf-8")).hexdigest()


class Accounts:
    def __init__(self, engine: Engine, machine: Machine, departments: DepartmentTable) -> None:
        self.engine = engine
        self.machine = machine
        self.departments = departments

    @classmethod
    def of(cls, ledger: Any) -> Accounts:
        """The accounts kept in a ledger's database."""
        return cls(ledger.engine, ledger.machine, ledger.departments)

    # ------------------------------------------------------------------ administration
    def add(self, username: str, password: str, *, name: str, role: str, organisation: str,
            at: dt.datetime, org_code: str | None = None, department: str | None = None,
            enterprise_id: str | None = None) -> Account:
        identity = self._checked(username, password, name, role, organisation, org_code, department, enterprise_id)
        row = {"username": username, "name": name, "password_hash": _hasher().hash(password), "role": role,
               "organisation": organisation, "org_code": identity.org_code, "department": department,
               "enterprise_id": enterprise_id, "disabled": False, "created_at": at.isoformat()}
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(users).values(**row))
        except IntegrityError:
            raise AccountError(f"username {username!r} is taken") from None
        log.info("account %s added (%s, %s)", username, role, organisation)
        return Account(identity, False, row["created_at"])

    def _checked(self, username: str, password: str, name: str, role: str, organisation: str,
                 org_code: str | None, department: str | None, enterprise_id: str | None) -> Identity:
        def refuse(message: str, hint: str | None = None) -> None:
            raise AccountError(f"账号 {username!r}：{message}", hint=hint)

        if not username.strip() or not name.strip() or not organisation.strip():
            refuse("用户名（username）、姓名（name）和单位（organisation）不能为空")
        if len(password) < 10:
            refuse("密码至少须有 10 个字符")
        if role not in self.machine.definition.roles:
            refuse(f"未知角色 {role!r}", f"角色：{'、'.join(self.machine.roles)}")
        if role in ENTERPRISE_ROLES and not enterprise_id:
            refuse(f"角色 {role} 代表企业行事：须给出企业编号（enterprise id）")
        if role not in ENTERPRISE_ROLES and enterprise_id:
            refuse(f"角色 {role} 不代表企业行事：不应给出企业编号（enterprise id）")
        code = acting_code(self.machine.definition.acting, refuse, role, org_code, department, self.departments)
        return Identity(name=name, role=role, organisation=organisation, org_code=code, department=department,
                        enterprise_id=enterprise_id, username=username)

    def accounts(self) -> list[Account]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(users).order_by(users.c.username)).all()
        return [_account(row) for row in rows]

    def identity_of(self, username: str) -> Identity | None:
        """The identity of an active account (None: no such account, or disabled)."""
        with self.engine.connect() as conn:
            row = conn.execute(select(users).where(users.c.username == username)).first()
        return None if row is None or row.disabled else _account(row).identity

    def disable(self, username: str) -> None:
        """Disable an account and revoke its sessions and tokens."""
        with self.engine.begin() as conn:
            user_id = conn.execute(select(users.c.id).where(users.c.username == username)).scalar()
            if user_id is None:
                raise AccountError(f"no account {username!r}", hint="`hazard-rules users list` shows them")
            conn.execute(update(users).where(users.c.id == user_id).values(disabled=True))
            conn.execute(update(credentials).where(credentials.c.user_id == user_id).values(revoked=True))
        log.info("account %s disabled", username)

    def issue_token(self, username: str, label: str, at: dt.datetime) -> str:
        """A bearer token for a system acting as this account; shown once, stored hashed."""
        with self.engine.begin() as conn:
            row = conn.execute(select(users).where(users.c.username == username)).first()
            if row is None or row.disabled:
                raise AccountError(f"no active account {username!r}")
            return _new_credential(conn, row.id, "token", label, at, None)

    # ------------------------------------------------------------------ signing in
    def login(self, username: str, password: str, *, client: str, at: dt.datetime,
              hours: int = SESSION_HOURS) -> tuple[Identity, str]:
        """A new session for a correct password: (identity, session secret). Refused with
        TooManyAttempts while the username or the client has too many recent failures."""
        since = (at - LOGIN_WINDOW).isoformat()
        with self.engine.begin() as conn:
            for column, value in ((login_attempts.c.username, username), (login_attempts.c.client, client)):
                failures = conn.execute(select(func.count()).select_from(login_attempts).where(
                    column == value, login_attempts.c.ok.is_(False), login_attempts.c.at >= since)).scalar()
                if (failures or 0) >= LOGIN_FAILURES:
                    log.warning("sign-in refused: too many failures (username %s, client %s)", username, client)
                    raise TooManyAttempts("too many failed sign-ins; try again later",
                                          hint=f"at most {LOGIN_FAILURES} failures in {LOGIN_WINDOW}")
            row = conn.execute(select(users).where(users.c.username == username)).first()
            ok = row is not None and not row.disabled and _verify(row.password_hash, password)
            conn.execute(insert(login_attempts).values(username=username[:100], client=client[:100],
                                                       at=at.isoformat(), ok=ok))
            if not ok:
                log.warning("sign-in failed for %r from %s", username, client)
            else:
                assert row is not None
                log.info("sign-in of %s from %s", username, client)
                secret = _new_credential(conn, row.id, "session", None, at, at + dt.timedelta(hours=hours))
                return _account(row).identity, secret
        # outside the transaction: the failed attempt is committed
        raise NotAuthenticated("wrong username or password")

    def resolve(self, secret: str, kind: str, at: dt.datetime) -> Identity:
        """The identity a session or token stands for, or NotAuthenticated."""
        with self.engine.connect() as conn:
            row = conn.execute(_CREDENTIAL, {"secret_hash": secret_hash(secret), "kind": kind}).first()
        if row is None or row.revoked or row.disabled:
            raise NotAuthenticated("not signed in" if kind == "session" else "unknown or revoked token")
        if row.expires_at is not None and dt.datetime.fromisoformat(row.expires_at) <= at:
            raise NotAuthenticated("the session has expired; sign in again")
        return _account(row).identity

    def logout(self, secret: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(credentials).where(credentials.c.secret_hash == secret_hash(secret))
                         .values(revoked=True))

    def attempts(self) -> list[dict[str, Any]]:
        """The sign-in log, oldest first."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(login_attempts).order_by(login_attempts.c.id)).all()
        return [dict(row._mapping) for row in rows]


# Every API request resolves its credential: the statement is built (and compiled, once per
# engine) once, not per request.
_CREDENTIAL = (select(users, credentials.c.expires_at, credentials.c.revoked)
               .join(credentials, credentials.c.user_id == users.c.id)
               .where(credentials.c.secret_hash == bindparam("secret_hash"), credentials.c.kind == bindparam("kind")))


def _verify(stored: str, password: str) -> bool:
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return bool(_hasher().verify(stored, password))
    except (VerificationError, InvalidHashError):
        return False


def _new_credential(conn: Any, user_id: int, kind: str, label: str | None, at: dt.datetime,
                    expires: dt.datetime | None) -> str:
    secret = secrets.token_urlsafe(32)
    conn.execute(insert(credentials).values(user_id=user_id, kind=kind, secret_hash=secret_hash(secret), label=label,
                                            created_at=at.isoformat(),
                                            expires_at=expires.isoformat() if expires else None, revoked=False))
    return secret


def _account(row: Any) -> Account:
    identity = Identity(name=row.name, role=row.role, organisation=row.organisation, org_code=row.org_code,
                        department=row.department, enterprise_id=row.enterprise_id, username=row.username)
    return Account(identity, bool(row.disabled), row.created_at)

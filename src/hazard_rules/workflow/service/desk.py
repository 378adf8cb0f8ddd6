"""The ledger as one identity uses it: what the command line and the HTTP service call.

`Desk(ledger, identity)` takes every ledger operation on behalf of an `Identity`: the
actor of each event is the identity (never a field of a request), and what it may read
and do is bounded here, on top of the ledger's own checks (role, state, acting area and
department, guards), which apply unchanged:

- an enterprise account (ENT_*) reads and acts only on its own enterprise's hazards;
- a government account (DEPT, SAFETY_COMMITTEE) reads hazards inside its area;
- statistics and exports are for government accounts (within their area) and SYSTEM;
  `verify`, which reads the whole database, for SAFETY_COMMITTEE and SYSTEM.

An identity the command line takes on trust (`Identity.claimed`) is bound to no enterprise.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from ...errors import HazardRulesError, UsageError
from ...findings.model import Finding
from ..domain.events import Evidence
from ..domain.state import HazardState
from ..policy.routing import AdminCode, AdminCodeError
from . import operations, reports
from .accounts import ENTERPRISE_ROLES, AccessDenied, Identity
from .ledger import Ledger, StepRefused, UnknownHazardError

STATS_ROLES = frozenset({"DEPT", "SAFETY_COMMITTEE", "SYSTEM"})
VERIFY_ROLES = frozenset({"SAFETY_COMMITTEE", "SYSTEM"})
TICK_ROLES = frozenset({"SYSTEM"})            # the tick acts as SYSTEM over the whole ledger
SUBMIT_ROLES = frozenset({"ENT_PRINCIPAL"})   # 16号令 art. 14: the 主要负责人 signs the table
PAGE_LIMIT = 500


@dataclass(frozen=True)
class IntakeItem:
    """One record of an intake: created, existing (already registered), refused or invalid."""

    number: int
    finding_id: str | None
    status: str
    hazard: HazardState | None = None
    error: HazardRulesError | None = None


@dataclass
class Tally:
    created: int = 0
    existing: int = 0
    refused: int = 0
    invalid: int = 0

    def add(self, item: IntakeItem) -> IntakeItem:
        setattr(self, item.status, getattr(self, item.status) + 1)
        return item

    def summary(self) -> str:
        return (f"{self.created} hazards registered, {self.existing} already in the ledger"
                + (f", {self.refused} refused" if self.refused else "")
                + (f", {self.invalid} invalid records skipped" if self.invalid else ""))


@dataclass(frozen=True)
class Filters:
    """What `hazards` selects: the ledger's columns, and the console's overlays."""

    state: str | None = None
    level: str | None = None
    jurisdiction: str | None = None     # a code prefix
    enterprise: str | None = None
    industry: str | None = None         # a code prefix of one of the hazard's industries
    open_only: bool = False
    listed: bool | None = None          # 挂牌督办 (listed now) or not
    overdue_at: dt.datetime | None = None  # only hazards with a deadline passed at this moment


@dataclass
class Page:
    items: list[HazardState]
    total: int
    limit: int
    offset: int = 0
    overdue: dict[str, list[str]] = field(default_factory=dict)


class Desk:
    def __init__(self, ledger: Ledger, identity: Identity) -> None:
        self.ledger = ledger
        self.identity = identity

    # ------------------------------------------------------------------ who sees what
    def visible(self, hazard: HazardState) -> bool:
        i = self.identity
        if i.role in ENTERPRISE_ROLES and not i.claimed:
            return hazard.enterprise_id is not None and hazard.enterprise_id == i.enterprise_id
        if i.org_code and i.role in self.ledger.machine.definition.acting.area_roles:
            return _within(hazard.jurisdiction, i.org_code)
        return True

    def hazard(self, hazard_id: str) -> HazardState:
        found = self.ledger.get(hazard_id)
        if not self.visible(found):
            raise AccessDenied(f"隐患 {hazard_id} 不在 {self.identity.organisation} 可查看的范围内",
                               hint=self._reach())
        return found

    def _reach(self) -> str:
        i = self.identity
        if i.role in ENTERPRISE_ROLES:
            return f"企业账号只能查看本企业的隐患（{i.enterprise_id}）"
        return f"政府账号只能查看其辖区内的隐患（{i.org_code}）"

    def _require(self, roles: frozenset[str], what: str) -> None:
        if self.identity.role not in roles:
            raise AccessDenied(f"角色 {self.identity.role} 无权{what}",
                               hint=f"可执行的角色：{'、'.join(sorted(roles))}")

    # ------------------------------------------------------------------ writing
    def intake(self, outcomes: Iterable[Any], at: dt.datetime) -> Iterator[IntakeItem]:
        """Register each classified record (an Outcome of pipeline: finding, verdict, or
        error). Records refused one by one (outside the area, another enterprise's) and
        invalid ones are reported and the others registered. The actor is checked once."""
        i = self.identity
        self.ledger.check_actor("register", role=i.role, org_code=i.org_code, department=i.department)
        for outcome in outcomes:
            if outcome.error is not None:
                yield IntakeItem(outcome.number, outcome.finding_id, "invalid", error=outcome.error)
                continue
            if outcome.verdict is None or outcome.finding is None:
                continue  # a file warning
            finding = outcome.finding
            own = finding.enterprise.id if finding.enterprise else None
            if i.role in ENTERPRISE_ROLES and not i.claimed and own != i.enterprise_id:
                error = AccessDenied(f"发现 {finding.id}：企业 {own or '（未给出）'} 不是 "
                                     f"{i.organisation} 所属的企业（{i.enterprise_id}）")
                yield IntakeItem(outcome.number, finding.id, "refused", error=error)
                continue
            try:
                result = self.ledger.register(finding, outcome.verdict, at=at, **i.acting())
            except StepRefused as exc:
                yield IntakeItem(outcome.number, finding.id, "refused", error=exc)
                continue
            yield IntakeItem(outcome.number, finding.id, "created" if result.created else "existing", result.hazard)

    def report(self, finding: Finding, fields: dict[str, Any], at: dt.datetime) -> HazardState:
        """A 举报 received by this (DEPT) identity: the finding enters the verification lane
        (`submit_report`, NEW → REPORT_VERIFYING) unclassified; `fields` carry the channel
        and content it requires (StepRefused when the machine refuses it)."""
        return self.ledger.register(finding, None, at=at, action="submit_report", fields=fields,
                                    **self.identity.acting()).hazard

    def step(self, hazard_id: str, action: str, *, at: dt.datetime, fields: dict[str, Any] | None = None,
             evidence: Iterable[Evidence | dict[str, Any]] = (), expected_version: int | None = None) -> HazardState:
        """One step as this identity (StepRefused, ConflictError, AccessDenied)."""
        i = self.identity
        if i.role in ENTERPRISE_ROLES and not i.claimed:
            self.hazard(hazard_id)  # an enterprise acts only on its own enterprise's hazards
        return self.ledger.step(hazard_id, action, at=at, fields=fields, evidence=_evidence(evidence),
                                expected_version=expected_version, **i.acting())

    # ------------------------------------------------------------------ reading
    def allowed(self, hazard_id: str, at: dt.datetime) -> list[dict[str, Any]]:
        """The steps this identity may take on the hazard at `at`, with what each requires;
        steps a guard on the hazard's state, the actor or the time refuses are left out."""
        self.hazard(hazard_id)
        i = self.identity
        return [{"action": t.action, "label": t.label, "to": t.to, "overlay": t.overlay, "requires": list(t.requires),
                 "evidence": list(t.evidence), "guards": list(t.guards), "source": t.source}
                for t in self.ledger.allowed(hazard_id, actor=i.name, role=i.role, organisation=i.organisation,
                                             at=at, org_code=i.org_code, department=i.department)]

    def history(self, hazard_id: str) -> list[Any]:
        """Every event of the hazard, from finding and verdict to closure (一键追溯)."""
        self.hazard(hazard_id)
        return self.ledger.history(hazard_id)

    def hazards(self, filters: Filters = Filters(), *, limit: int | None = None, offset: int = 0) -> Page:
        """The hazards this identity may see, filtered, in id order, one page of them."""
        if limit is not None and not 1 <= limit <= PAGE_LIMIT:
            raise UsageError(f"limit must be between 1 and {PAGE_LIMIT}, not {limit}")
        if offset < 0:
            raise UsageError(f"offset must not be negative, not {offset}")
        f = filters
        found = [h for h in self.ledger.hazards(state=f.state, level=f.level, jurisdiction=f.jurisdiction,
                                                enterprise=f.enterprise, open_only=f.open_only)
                 if self.visible(h)]
        if f.industry:
            found = [h for h in found if any(code.startswith(f.industry) for code in h.industries)]
        if f.listed is not None:
            found = [h for h in found if bool(h.listed) == f.listed]
        late: dict[str, list[str]] = {}
        if f.overdue_at is not None:
            late = {h.id: timers for h, timers in self.ledger.overdue(f.overdue_at)}
            found = [h for h in found if h.id in late]
        end = None if limit is None else offset + limit
        return Page(found[offset:end], len(found), limit or len(found), offset, late)

    def overdue(self, now: dt.datetime) -> list[tuple[HazardState, list[str]]]:
        return [(h, timers) for h, timers in self.ledger.overdue(now) if self.visible(h)]

    def state_labels(self) -> dict[str, str]:
        """Each state's Chinese label (machine.yaml), for people."""
        return {name: state.label for name, state in self.ledger.machine.definition.states.items()}

    def transitions(self) -> dict[str, Any]:
        """Each step by action: its Chinese label and what it requires (machine.yaml)."""
        return {t.action: t for t in self.ledger.machine.definition.transitions}

    def field_defs(self) -> dict[str, Any]:
        """The fields steps require: label, kind (text, long, date) and choices (machine.yaml)."""
        return dict(self.ledger.machine.definition.fields)

    # ------------------------------------------------------------------ statistics
    def stats(self, as_of: Any, grouping: reports.Grouping) -> list[dict[str, Any]]:
        """The breakdown (open/closed/overdue … by the grouping) as of a moment."""
        from ..stats import breakdown

        return breakdown(self.ledger, as_of, **self._scoped(grouping).kwargs())

    def series(self, window: reports.Window, grouping: reports.Grouping) -> dict[str, Any]:
        """存量/增量, 动态清零 progress and the 整改率 at each day of the window, and a
        breakdown by each dimension of the grouping as of its last day (JSON values)."""
        from ..stats import series

        return series(self.ledger, window.cut_off, window.start, window.end, window.step,
                      **self._scoped(grouping).kwargs()).as_dict()

    def export(self, tables: list[str], kind: str, as_of: Any, grouping: reports.Grouping,
               cut_off: dt.date | None = None, period: Any = None) -> bytes:
        """The statistics tables as a CSV or XLSX file's bytes."""
        reports.check_request(kind, tables, cut_off, period)
        result = reports.build(self.ledger, tables, as_of, self._scoped(grouping), cut_off, period)
        return reports.to_bytes(result, kind)

    def _scoped(self, grouping: reports.Grouping) -> reports.Grouping:
        """A government account's statistics are of its own area (within it when narrower)."""
        self._require(STATS_ROLES, "查看统计")
        own = self.identity.org_code
        if own is None:
            return grouping
        wanted = grouping.jurisdiction
        if wanted is not None and not _within(wanted, own):
            raise AccessDenied(f"{wanted} 不在 {self.identity.organisation} 所代表的地区 {own} 之内")
        return reports.Grouping(grouping.by, grouping.major_only, wanted or own, grouping.jurisdiction_level,
                                grouping.industry_depth)

    # ------------------------------------------------------------------ operations
    def tick(self, now: dt.datetime) -> list[dict[str, Any]]:
        """Record the escalation steps whose time has come, for the whole ledger (SYSTEM)."""
        self._require(TICK_ROLES, "执行逾期升级（tick）")
        return operations.tick(self.ledger, now)

    def graph(self, fmt: str) -> str:
        """The ledger's state machine as Mermaid or Graphviz DOT (anyone)."""
        return operations.graph(fmt, self.ledger.machine)

    def submit_statistics(self, period: str, now: dt.datetime) -> dict[str, Any]:
        """This enterprise's statistics table for `period`, signed by this account (its
        主要负责人): the enterprise and the signer are the account's, never the request's."""
        self._require(SUBMIT_ROLES, "签署企业统计表")
        i = self.identity
        if not i.enterprise_id:
            raise AccessDenied(f"{i.organisation} 不代表任何企业")
        return operations.submit_statistics(self.ledger, i.enterprise_id, reports.parse_period(period),
                                            signed_by=i.name, role=i.role, now=now)

    def verify(self) -> list[dict[str, Any]]:
        """Every hash-chain break and projection mismatch of the whole database."""
        self._require(VERIFY_ROLES, "校验整个台账")
        return [{"hazard_id": p.hazard_id, "n": p.n, "message": p.message} for p in self.ledger.verify()]


def _within(code: str | None, area: str) -> bool:
    """A hazard without a valid jurisdiction cannot be placed: the ledger does not refuse
    acting on it by area (acting.check_scope), and neither is reading it refused."""
    if not code:
        return True
    try:
        return AdminCode.parse(code).is_within(area)
    except AdminCodeError:
        return True


def _evidence(items: Iterable[Evidence | dict[str, Any]]) -> list[Evidence]:
    found = []
    for item in items:
        try:
            found.append(item if isinstance(item, Evidence) else Evidence.model_validate(item))
        except ValidationError as exc:
            raise UsageError(f"evidence: {exc.errors()[0]['msg']}: {item!r}",
                             hint="each evidence item is {name, ref, sha256}") from None
    return found


__all__ = ["Desk", "Filters", "IntakeItem", "Page", "Tally", "UnknownHazardError"]

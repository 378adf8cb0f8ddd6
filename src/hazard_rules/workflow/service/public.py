"""举报 from the public (安全生产法 arts. 73–74): anyone, without an account, reports a
hazard; it enters the ledger in the verification lane (`submit_report`: NEW →
REPORT_VERIFYING), where a department substantiates, rejects or transfers it.

Who acts: the event's actor is never taken from the report. The service is configured with
an *intake account* (ServerSettings.public_intake: the username of an active DEPT account of
the department that receives reports — the fallback department of the routing table, 应急管理,
which runs the 12350 line and transfers what belongs elsewhere); the report is submitted as
that account, on channel 网络举报. Without one (or with one that cannot receive reports) the
form is closed (ReportsClosed).

What a report becomes: a minimal finding — a new id (JB-date-random), the day, the
enterprise or place named (no enterprise id: the public does not know it, and no enterprise
account therefore sees the report or its reporter), its jurisdiction (an administrative
code within the intake account's area), the address and the description. The reporter's
industry is a claim recorded in the event (`reported_industry`), not a routing input: the
hazard is routed to the intake department (duty unclear) and the department that
verifies it transfers it if it is another's. The reporter's contact, if given, is kept in the
event (`reporter.contact`), seen only by the government accounts of the area.

Rate limit: at most REPORT_LIMIT reports per client address in REPORT_WINDOW, counted in
memory (RateLimiter). Not persisted on purpose: storing the addresses of whistle-blowers is
what 举报人保护 forbids, and the sign-in log's approach (accounts.py counts rows of
login_attempts, an audit record kept anyway) would need exactly that. The count is per
process and forgotten on restart; with several processes the limit is that many times
REPORT_LIMIT.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import threading
from collections import deque
from dataclasses import dataclass
from typing import Any

from ...errors import HazardRulesError
from ...findings.model import Enterprise, Finding
from ..domain.state import HazardState
from ..policy.calendar import china_aware, china_date
from ..policy.routing import AdminCode, AdminCodeError
from .accounts import Accounts, Identity, TooManyAttempts
from .desk import Desk

log = logging.getLogger("hazard_rules.public")

CHANNEL = "网络举报"
REPORT_LIMIT = 5
REPORT_WINDOW = dt.timedelta(hours=1)

# The fields of a report: (label, longest length, required).
FIELDS: dict[str, tuple[str, int, bool]] = {
    "place": ("单位或场所名称", 200, True),
    "jurisdiction": ("所在地行政区划代码", 12, True),
    "location": ("详细地址", 200, False),
    "description": ("隐患情况描述", 2000, True),
    "industry": ("行业", 40, False),
    "contact": ("联系方式", 100, False),
}
# What a reporter may say the industry is (the routing table's top-level industries).
INDUSTRIES = {
    "gongmao": "工贸（冶金、有色、建材、机械、轻工、纺织、烟草、商贸）",
    "hazchem": "危险化学品",
    "fireworks": "烟花爆竹",
    "metal_mine": "金属非金属矿山",
    "coal": "煤矿",
    "construction": "房屋市政工程（建筑施工）",
    "gas": "城镇燃气",
    "road_transport": "道路运输",
    "special_equipment": "特种设备",
    "fire": "消防",
    "other": "其他或不清楚",
}


class ReportInvalid(HazardRulesError):
    """A public report with fields missing or wrong; `problems` maps each field to why."""

    code = "E635"

    def __init__(self, problems: dict[str, str]) -> None:
        self.problems = dict(problems)
        super().__init__("; ".join(f"{name}: {why}" for name, why in problems.items()),
                         hint="fix the fields named and send the report again")


class ReportsClosed(HazardRulesError):
    """This service does not take public reports (no intake account, or an unusable one)."""

    code = "E636"


@dataclass(frozen=True)
class PublicReport:
    """What the reporter says (strings as typed; `check` says what is wrong with them)."""

    place: str
    jurisdiction: str
    description: str
    location: str = ""
    industry: str = ""
    contact: str = ""

    def values(self) -> dict[str, str]:
        return {name: getattr(self, name).strip() for name in FIELDS}


class RateLimiter:
    """At most `limit` hits per key within `window`, in memory (thread-safe); the caller
    passes the clock."""

    def __init__(self, limit: int, window: dt.timedelta) -> None:
        self.limit = limit
        self.window = window
        self._hits: dict[str, deque[dt.datetime]] = {}
        self._lock = threading.Lock()

    def check(self, key: str, at: dt.datetime) -> None:
        """Refuse (TooManyAttempts) a key with `limit` hits in the window before `at`."""
        with self._lock:
            if self._count(key, at) >= self.limit:
                raise TooManyAttempts("too many reports from this address; try again later",
                                      hint=f"at most {self.limit} reports in {self.window}")

    def record(self, key: str, at: dt.datetime) -> None:
        with self._lock:
            self._count(key, at)
            self._hits.setdefault(key, deque()).append(at)

    def _count(self, key: str, at: dt.datetime) -> int:
        """The key's hits within the window; an idle key is forgotten (nothing about a
        client outlives its window)."""
        hits = self._hits.get(key)
        if hits is None:
            return 0
        while hits and hits[0] <= at - self.window:
            hits.popleft()
        if not hits:
            del self._hits[key]
        return len(hits)


class PublicIntake:
    """Public reports into one ledger, as its configured intake account."""

    def __init__(self, ledger: Any, accounts: Accounts, username: str | None,
                 limiter: RateLimiter | None = None) -> None:
        self.ledger = ledger
        self.accounts = accounts
        self.username = username
        self.limiter = limiter or RateLimiter(REPORT_LIMIT, REPORT_WINDOW)

    def intake_account(self) -> Identity:
        """The account reports are submitted as, or ReportsClosed."""
        if not self.username:
            raise ReportsClosed("this service takes no public reports (no intake account is configured)",
                                hint="hazard-rules serve --public-intake USERNAME (an active DEPT account)")
        who = self.accounts.identity_of(self.username)
        fallback = self.ledger.departments.fallback
        if who is None or who.role != "DEPT" or who.department != fallback:
            log.error("public reports closed: intake account %r is not an active DEPT account of %s",
                      self.username, fallback)
            raise ReportsClosed(f"the intake account {self.username!r} cannot receive public reports",
                                hint=f"it must be an active DEPT account of {fallback}, the department "
                                     "reports go to (departments.yaml fallback)")
        return who

    def is_open(self) -> bool:
        try:
            self.intake_account()
        except ReportsClosed:
            return False
        return True

    def problems(self, report: PublicReport, intake: Identity) -> dict[str, str]:
        """Each field that is missing or wrong, with why (Chinese, for the reporter)."""
        values, found = report.values(), {}
        for name, (label, longest, required) in FIELDS.items():
            if required and not values[name]:
                found[name] = f"请填写{label}"
            elif len(values[name]) > longest:
                found[name] = f"{label}不能超过{longest}个字"
        code = values["jurisdiction"]
        if code and "jurisdiction" not in found:
            try:
                place = AdminCode.parse(code)
            except AdminCodeError:
                found["jurisdiction"] = "行政区划代码应为6位数字（如370782），乡镇为9位"
            else:
                if intake.org_code and not place.is_within(intake.org_code):
                    found["jurisdiction"] = (f"{place.code}不在本平台受理范围（{intake.org_code}）内，"
                                             "请向当地应急管理部门举报或拨打12350")
        if values["industry"] and values["industry"] not in INDUSTRIES:
            found["industry"] = "请选择列出的行业"
        return found

    def submit(self, report: PublicReport, *, client: str, at: dt.datetime) -> HazardState:
        """Record the report as a hazard in REPORT_VERIFYING, as the intake account. Refused,
        with nothing written: ReportsClosed, TooManyAttempts (this client), ReportInvalid."""
        intake = self.intake_account()
        self.limiter.check(client, at)
        problems = self.problems(report, intake)
        if problems:
            raise ReportInvalid(problems)
        values = report.values()
        finding = Finding(id=new_report_id(at), date=china_date(at), source=CHANNEL,
                          enterprise=Enterprise(name=values["place"], jurisdiction=AdminCode.parse(
                              values["jurisdiction"]).code),
                          location=values["location"] or None, description=values["description"])
        fields: dict[str, Any] = {"channel": CHANNEL, "content": values["description"]}
        if values["industry"]:
            fields["reported_industry"] = values["industry"]
        if values["contact"]:
            fields["reporter"] = {"contact": values["contact"]}
        hazard = Desk(self.ledger, intake).report(finding, fields, at)
        self.limiter.record(client, at)
        log.info("public report %s received for %s", hazard.id, hazard.jurisdiction)
        return hazard


def new_report_id(at: dt.datetime) -> str:
    """JB-YYYYMMDD-xxxxxxxx: the day (China time) and 8 random hex digits."""
    return f"JB-{china_aware(at):%Y%m%d}-{secrets.token_hex(4)}"

"""Who supervises a hazard: industry → departments, and the administrative-division tree.

Industry routing follows 管行业必须管安全 (安全生产法 art. 3 ¶3, art. 10): the table in
``data/departments.yaml`` maps dotted industry-code prefixes to departments; the longest
matching prefix wins for each code; an industry nobody is assigned to goes to 应急管理
with ``duty_unclear`` set (art. 10 ¶2: the government assigns new industries).

Administrative codes are the statistical division codes (统计用区划代码, GB/T 2260 for
the first six digits): ``PP CC DD TTT VVV`` = province, city, county, township, village.
A code is accepted with 2, 4, 6, 9 or 12 digits; trailing all-zero groups only pad it
("370200" and "370200000000" are the city 3702). Canonical form is the shortest: "37",
"3702", "370202", "370202001", "370202001001". Quirks handled:

- Municipalities (11 北京, 12 天津, 31 上海, 50 重庆) have no prefecture level: their
  4-digit groups (1101 市辖区, 5002 县) are statistical groupings, not governments.
- ``xx90`` (e.g. 4190, 4290, 4690, 6590) groups the county-level units the province
  administers directly (省直辖县级行政区划), so 419001 济源市's parent is 41.
- Cities without counties (4419 东莞, 4420 中山, 4604 儋州) have townships written with
  county digits 00: 441900003's parent is the city 4419.

``parent`` and ``ancestors`` follow governments, so they skip both kinds of grouping;
``is_within`` is geographic containment, so 110101 is within 1101 as well as within 11.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StrictStr, model_validator

from ...errors import Diagnostics, HazardRulesError, recast
from ...loading.models import INDUSTRY_CODE
from ...loading.strict_yaml import YamlDocument, read_yaml
from ...loading.validate import validate_document

Level = Literal["province", "city", "county", "township", "village"]
LEVELS: tuple[Level, ...] = ("province", "city", "county", "township", "village")
LEVEL_NAMES = {"province": "省", "city": "市", "county": "县", "township": "乡", "village": "村"}
_ENDS = (2, 4, 6, 9, 12)  # cumulative digits at each level: PP CC DD TTT VVV
MUNICIPALITIES = frozenset({"11", "12", "31", "50"})
PROVINCES = frozenset({
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65",
    "71", "81", "82",
})
V = TypeVar("V")
DIRECT_COUNTY_GROUP = "90"  # xx90: 省（自治区）直辖县级行政区划


class AdminCodeError(HazardRulesError):
    """An administrative division code that is not well-formed."""

    code = "E613"


class DepartmentTableError(HazardRulesError):
    """The industry → department table is malformed."""

    code = "E614"


# ---------------------------------------------------------------------------- admin codes
@dataclass(frozen=True, slots=True)
class AdminCode:
    """One administrative division, by its canonical (shortest) code."""

    code: str

    @classmethod
    def parse(cls, text: str | AdminCode) -> AdminCode:
        """Accept 2/4/6/9/12 digits; strip zero padding; reject anything else."""
        if isinstance(text, AdminCode):
            return text
        if not isinstance(text, str):
            raise AdminCodeError(f"行政区划代码须为数字串，而不是 {type(text).__name__}")
        raw = text.strip()
        if not raw.isascii() or not raw.isdigit() or len(raw) not in _ENDS:
            raise AdminCodeError(f"行政区划代码格式错误 {text!r}",
                                 hint="写 2、4、6、9 或 12 位数字，例如 37, 3702, 370202, 370202001")
        groups = [raw[start:end] for start, end in zip((0,) + _ENDS, _ENDS) if end <= len(raw)]
        if groups[0] not in PROVINCES:
            raise AdminCodeError(f"行政区划代码 {text!r}：{groups[0]!r} 不是省级代码",
                                 hint="省级代码为 11-15, 21-23, 31-37, 41-46, 50-54, 61-65, 71, 81, 82")
        depth = max(i for i, g in enumerate(groups) if int(g) != 0)
        for i in range(1, depth):
            # Zero county digits before a township are the one gap that exists (东莞, 中山, 儋州).
            if int(groups[i]) == 0 and not (LEVELS[i] == "county" and i + 1 == depth):
                raise AdminCodeError(
                    f"行政区划代码 {text!r}：{LEVEL_NAMES[LEVELS[i]]}级（{LEVELS[i]}）各位为零，却给出了更低一级",
                    hint="只有不设区县的市可以跳过一级（例如东莞的 441900003）")
        return cls("".join(groups[: depth + 1]))

    def __str__(self) -> str:
        return self.code

    @property
    def level(self) -> Level:
        return LEVELS[_ENDS.index(len(self.code))]

    @property
    def province(self) -> str:
        return self.code[:2]

    def padded(self, digits: int = 12) -> str:
        """Zero-padded to 6, 9 or 12 digits (e.g. '370200' for the city 3702)."""
        if digits not in (6, 9, 12) or digits < len(self.code):
            raise ValueError(f"cannot pad {self.code} to {digits} digits")
        return self.code.ljust(digits, "0")

    @property
    def is_grouping(self) -> bool:
        """A 4-digit statistical grouping with no government of its own (municipal
        市辖区/县 groups, and xx90 省直辖县级行政区划)."""
        return self.level == "city" and (self.province in MUNICIPALITIES or self.code[2:] == DIRECT_COUNTY_GROUP)

    @property
    def parent(self) -> AdminCode | None:
        """The next government up (groupings skipped); None for a province."""
        code = self.code
        while len(code) > 2:
            code = _trim(code[: _ENDS[_ENDS.index(len(code)) - 1]])
            candidate = AdminCode(code)
            if not candidate.is_grouping:
                return candidate
        return None

    @property
    def ancestors(self) -> list[AdminCode]:
        """Nearest first, up to and including the province."""
        found: list[AdminCode] = []
        current = self.parent
        while current is not None:
            found.append(current)
            current = current.parent
        return found

    def is_within(self, other: str | AdminCode) -> bool:
        """True when self equals other or lies inside it (geographic containment)."""
        return self.code.startswith(AdminCode.parse(other).code)


def _trim(code: str) -> str:
    """Drop trailing all-zero groups (a county code '441900' is the city '4419')."""
    while len(code) > 2 and int(code[_ENDS[_ENDS.index(len(code)) - 1]:]) == 0:
        code = code[: _ENDS[_ENDS.index(len(code)) - 1]]
    return code


def level(code: str | AdminCode) -> Level:
    """province, city, county, township or village."""
    return AdminCode.parse(code).level


def parent(code: str | AdminCode) -> str | None:
    """Canonical code of the next government up, or None for a province."""
    found = AdminCode.parse(code).parent
    return found.code if found else None


def ancestors(code: str | AdminCode) -> list[str]:
    """Canonical codes of the governments above, nearest first, ending at the province."""
    return [a.code for a in AdminCode.parse(code).ancestors]


def is_within(code: str | AdminCode, ancestor: str | AdminCode) -> bool:
    """True when code is ancestor or lies inside it."""
    return AdminCode.parse(code).is_within(ancestor)


def common_government(a: str | AdminCode, b: str | AdminCode) -> str | None:
    """The nearest government whose area holds both codes; None across provinces."""
    first, second = AdminCode.parse(a), AdminCode.parse(b)
    for candidate in [first, *first.ancestors]:
        if not candidate.is_grouping and second.is_within(candidate):
            return candidate.code
    return None


def supervising_government(code: str | AdminCode, level: Level = "county") -> str:
    """The government at `level` over code (itself when code is that level or coarser):
    an enterprise in a township is supervised by its county under 分级属地 by default."""
    place = AdminCode.parse(code)
    depth = LEVELS.index(level)
    for candidate in [place, *place.ancestors]:
        if LEVELS.index(candidate.level) <= depth:
            return candidate.code
    return place.code


def escalation_authority(hazard: object, up: int = 0, level: Level = "county") -> str | None:
    """Who takes an escalation step on a hazard: the listing authority of a listed hazard,
    else the government supervising its jurisdiction, then `up` governments higher
    (约谈 by the government above, for example). None when the hazard cannot be placed."""
    listing = getattr(hazard, "listed", None) or getattr(hazard, "delisted", None) or {}
    base = listing.get("authority_code")
    if not base:
        where = getattr(hazard, "jurisdiction", None)
        try:
            base = supervising_government(where, level) if where else None
        except AdminCodeError:
            base = None
    if base is None:
        return None
    code: AdminCode | None = AdminCode.parse(base)
    for _ in range(up):
        above = code.parent if code else None
        if above is None:
            break
        code = above
    return code.code if code else None


# ---------------------------------------------------------------------------- industry routing
def longest_prefix(table: Mapping[str, V], industry: str) -> tuple[str, V] | None:
    """The entry of table keyed by the longest prefix of a dotted industry code, on whole
    parts (gongmao covers gongmao.dust, not gongmaox), with its key; None if none."""
    code = industry
    while code:
        found = table.get(code)
        if found is not None:
            return code, found
        code = code.rpartition(".")[0]
    return None


Text = Annotated[StrictStr, Field(min_length=1)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Route(_Model):
    departments: list[Text] = Field(min_length=1)
    basis: Text


class DepartmentTable(_Model):
    """The contents of departments.yaml."""

    version: Literal[1]
    fallback: Text
    departments: dict[str, Text]      # department name → what it is
    routes: dict[str, Route]          # industry-code prefix → route

    @model_validator(mode="after")
    def _consistent(self) -> DepartmentTable:
        if self.fallback not in self.departments:
            raise ValueError(f"fallback {self.fallback!r} is not a declared department")
        for prefix, route_ in self.routes.items():
            if not INDUSTRY_CODE.fullmatch(prefix):
                raise ValueError(f"industry code {prefix!r} must be dotted lower-case, e.g. gongmao.dust")
            for name in route_.departments:
                if name not in self.departments:
                    raise ValueError(f"routes[{prefix!r}] names undeclared department {name!r}")
        return self

    def lookup(self, industry: str) -> tuple[str, Route] | None:
        """The longest prefix of industry (on dots) that has a route."""
        return longest_prefix(self.routes, industry)


class Routing(_Model):
    """The departments responsible for a hazard, in order of first mention."""

    departments: list[str]
    duty_unclear: bool
    unmatched: list[str] = []  # industry codes no route covers (they went to the fallback)


def load_departments(path: Path | None = None) -> DepartmentTable:
    """Read and check departments.yaml (the packaged one by default)."""
    if path is None:
        text = resources.files("hazard_rules.workflow").joinpath("data/departments.yaml").read_text(encoding="utf-8")
        file = "hazard_rules/workflow/data/departments.yaml"
    else:
        text, file = Path(path).read_text(encoding="utf-8"), str(path)
    try:
        doc = read_yaml(text, file)
    except HazardRulesError as exc:
        raise recast(exc, DepartmentTableError, file) from None
    problems = _check_names(doc)
    table, errors = validate_document(doc, DepartmentTable)
    # Every mistake at once; a name reported where it is written drops the model's echo of it.
    problems += [DepartmentTableError(e.message, e.span, e.hint) for e in errors
                 if not any(p.message in e.message for p in problems)]
    if problems:
        raise problems[0] if len(problems) == 1 else Diagnostics(problems, file)
    assert isinstance(table, DepartmentTable)
    return table


def _check_names(doc: YamlDocument) -> list[DepartmentTableError]:
    """Point at each malformed industry code and undeclared department where it is written
    (the model checks the same, but could only point at the whole file, and stops at the first)."""
    data = doc.data if isinstance(doc.data, dict) else {}
    declared = data.get("departments") if isinstance(data.get("departments"), dict) else None
    routes = data.get("routes")
    if not isinstance(routes, dict):
        routes = {}
    found = []
    for prefix, body in routes.items():
        if not INDUSTRY_CODE.fullmatch(prefix):
            found.append(DepartmentTableError(
                f"industry code {prefix!r} must be dotted lower-case, e.g. gongmao.dust",
                doc.span(("routes", prefix), key=True)))
        names = body.get("departments") if isinstance(body, dict) else None
        if declared is None or not isinstance(names, list):
            continue
        for i, name in enumerate(names):
            if name not in declared:
                found.append(DepartmentTableError(f"routes[{prefix!r}] names undeclared department {name!r}",
                                                  doc.span(("routes", prefix, "departments", i)),
                                                  f"declared departments: {', '.join(declared)}"))
    return found


@cache
def default_departments() -> DepartmentTable:
    """The packaged table, read once."""
    return load_departments()


def route(industries: Iterable[str], table: DepartmentTable | None = None) -> Routing:
    """Departments for the given industry codes; unknown or none → the fallback, duty unclear."""
    table = table or default_departments()
    departments: list[str] = []
    unmatched: list[str] = []
    for code in industries:
        found = table.lookup(code) if isinstance(code, str) and INDUSTRY_CODE.fullmatch(code) else None
        names = found[1].departments if found else [table.fallback]
        if found is None:
            unmatched.append(str(code))
        departments.extend(n for n in names if n not in departments)
    if not departments:
        return Routing(departments=[table.fallback], duty_unclear=True)
    return Routing(departments=departments, duty_unclear=bool(unmatched), unmatched=unmatched)


__all__ = [
    "LEVELS",
    "AdminCode",
    "AdminCodeError",
    "DepartmentTable",
    "DepartmentTableError",
    "Level",
    "Route",
    "Routing",
    "ancestors",
    "common_government",
    "default_departments",
    "escalation_authority",
    "is_within",
    "level",
    "load_departments",
    "parent",
    "route",
    "supervising_government",
]

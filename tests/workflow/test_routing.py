"""Industry → departments, and the administrative-code tree."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hazard_rules.workflow.policy.routing import (
    AdminCode,
    AdminCodeError,
    DepartmentTableError,
    ancestors,
    common_government,
    escalation_authority,
    is_within,
    level,
    load_departments,
    parent,
    route,
    supervising_government,
)


# ---------------------------------------------------------------------------- routing
@pytest.mark.parametrize(("industry", "department"), [
    ("hazchem", "应急管理"),
    ("gongmao", "应急管理"),
    ("gongmao.dust", "应急管理"),
    ("fireworks", "应急管理"),
    ("metal_mine", "应急管理"),
    ("construction", "住房城乡建设"),
    ("gas", "住房城乡建设"),
    ("road_transport", "交通运输"),
    ("special_equipment", "市场监管"),
    ("fire", "消防救援"),
    ("coal", "矿山安全监察"),
])
def test_industry_routes(industry: str, department: str) -> None:
    routing = route([industry])
    assert department in routing.departments
    assert not routing.duty_unclear


def test_prefix_matches_on_dots_only() -> None:
    assert route(["gongmao.dust.aluminium"]).departments == ["应急管理"]
    unclear = route(["gongmaox"])
    assert unclear.duty_unclear and unclear.unmatched == ["gongmaox"]


def test_longest_prefix_wins() -> None:
    assert route(["hazchem.transport"]).departments == ["交通运输"]
    assert route(["hazchem.storage"]).departments == ["应急管理"]


def test_several_industries_give_the_union_in_order() -> None:
    routing = route(["hazchem", "special_equipment", "fire", "gongmao.dust"])
    assert routing.departments == ["应急管理", "市场监管", "消防救援"]
    assert not routing.duty_unclear


def test_coal_goes_to_both_supervisors() -> None:
    assert set(route(["coal"]).departments) == {"矿山安全监察", "煤矿安全监管"}


@pytest.mark.parametrize("industries", [[], ["unknown"], ["Gongmao"], [""], ["gongmao..dust"]])
def test_unknown_or_empty_goes_to_emergency_management_flagged(industries: list[str]) -> None:
    routing = route(industries)
    assert routing.departments == ["应急管理"]
    assert routing.duty_unclear


def test_partly_unknown_keeps_the_known_routes_and_flags() -> None:
    routing = route(["fire", "quantum_mining"])
    assert routing.departments == ["消防救援", "应急管理"]
    assert routing.duty_unclear and routing.unmatched == ["quantum_mining"]


def test_bad_department_table_points_at_the_line(tmp_path) -> None:
    path = tmp_path / "departments.yaml"
    path.write_text("version: 1\nfallback: 应急管理\ndepartments: {应急管理: x}\n"
                    "routes:\n  fire:\n    departments: [消防]\n    basis: 消防法\n", encoding="utf-8")
    with pytest.raises(DepartmentTableError) as caught:
        load_departments(path)
    assert str(caught.value.span) == f"{path}:6:19"
    path.write_text("version: 1\nfallback: 应急管理\ndepartments: {应急管理: x}\nroutes:\n"
                    "  fire:\n    departments: [应急管理]\n    basis: 消防法\n    note: x\n", encoding="utf-8")
    with pytest.raises(DepartmentTableError) as caught:
        load_departments(path)
    assert str(caught.value.span) == f"{path}:8:5" and "note" in caught.value.message


def test_every_mistake_of_the_department_table_is_reported_at_once(tmp_path) -> None:
    """issue 8: the loader raised only the first problem."""
    from hazard_rules.errors import Diagnostics

    path = tmp_path / "departments.yaml"
    path.write_text("version: 1\nfallback: 应急管理\ndepartments: {应急管理: x}\nroutes:\n"
                    "  fire:\n    departments: [消防]\n    basis: 消防法\n"
                    "  Mining:\n    departments: [应急管理]\n    basis: 矿山安全法\n"
                    "  gas:\n    departments: [应急管理]\n    basis: 燃气条例\n    note: x\n", encoding="utf-8")
    with pytest.raises(Diagnostics) as caught:
        load_departments(path)
    found = caught.value.errors
    assert [str(e.span) for e in found] == [f"{path}:6:19", f"{path}:8:3", f"{path}:14:5"], caught.value.render()
    assert all(e.code == "E614" for e in found)


# ---------------------------------------------------------------------------- admin codes
@pytest.mark.parametrize(("code", "expected"), [
    ("37", "province"), ("370000", "province"), ("3702", "city"), ("370200", "city"),
    ("370202", "county"), ("370202000000", "county"), ("370202001", "township"),
    ("370202001000", "township"), ("370202001001", "village"),
])
def test_levels(code: str, expected: str) -> None:
    assert level(code) == expected


def test_parent_and_ancestors_of_an_ordinary_village() -> None:
    assert parent("370202001001") == "370202001"
    assert ancestors("370202001001") == ["370202001", "370202", "3702", "37"]
    assert parent("37") is None and ancestors("370000") == []


@pytest.mark.parametrize("code", ["110101", "120101", "310101", "500101", "500229"])
def test_municipality_districts_sit_directly_under_the_municipality(code: str) -> None:
    assert ancestors(code) == [code[:2]]
    assert AdminCode.parse(code[:4]).is_grouping
    assert is_within(code, code[:4])  # geographically inside the 市辖区/县 grouping


@pytest.mark.parametrize("code", ["419001", "429004", "429021", "469001", "659001"])
def test_province_administered_county_level_units(code: str) -> None:
    assert level(code) == "county"
    assert parent(code) == code[:2]
    assert ancestors(code + "100") == [code, code[:2]]


@pytest.mark.parametrize(("code", "city"), [("441900003", "4419"), ("442000100", "4420"), ("460400100", "4604")])
def test_townships_of_cities_without_counties(code: str, city: str) -> None:
    assert level(code) == "township"
    assert ancestors(code) == [city, city[:2]]


def test_is_within() -> None:
    assert is_within("370202001001", "3702")
    assert is_within("370202", "370200")
    assert is_within("3702", "3702")
    assert not is_within("3702", "370202")
    assert not is_within("370302", "3702")
    assert is_within("110101", "11") and is_within("419001", "41")


@pytest.mark.parametrize("bad", ["", "3", "370", "37020", "3702021", "37020200100", "99", "990000",
                                 "37a202", "３７０２０２", "370002", "370202000001", " "])
def test_malformed_codes_are_refused(bad: str) -> None:
    with pytest.raises(AdminCodeError) as caught:
        AdminCode.parse(bad)
    assert caught.value.hint


def test_padded() -> None:
    assert AdminCode.parse("3702").padded(6) == "370200"
    assert AdminCode.parse("370202001").padded() == "370202001000"


_provinces = st.sampled_from(["11", "33", "37", "41", "44", "46", "50", "65"])
_codes = st.builds(
    lambda p, c, d, t, v: p + c + d + t + v,
    _provinces, st.integers(1, 99).map("{:02d}".format), st.integers(1, 99).map("{:02d}".format),
    st.integers(1, 999).map("{:03d}".format), st.integers(1, 999).map("{:03d}".format),
)


@given(_codes, st.sampled_from([2, 4, 6, 9, 12]))
def test_tree_properties(full: str, length: int) -> None:
    code = AdminCode.parse(full[:length])
    chain = code.ancestors
    assert all(code.is_within(a) for a in chain)
    assert [len(a.code) for a in chain] == sorted((len(a.code) for a in chain), reverse=True)
    if chain:
        assert chain[-1].level == "province" and chain[0] == code.parent
    assert AdminCode.parse(code.padded(12)) == code


# ---------------------------------------------------------------------------- governments over hazards
@pytest.mark.parametrize(("a", "b", "expected"), [
    ("370782", "370781", "3707"),         # two counties of 潍坊
    ("370782001", "370782", "370782"),    # a township and its county
    ("370782", "370281", "37"),           # 潍坊 and 青岛
    ("110101", "110105", "11"),           # 北京's districts: the 1101 grouping is no government
    ("419001", "410726", "41"),           # 济源 (province-administered) and a county of 新乡
    ("370782", "320583", None),           # another province
])
def test_common_government(a: str, b: str, expected: str | None) -> None:
    assert common_government(a, b) == expected
    assert common_government(b, a) == expected


@pytest.mark.parametrize(("code", "level", "expected"), [
    ("370782001001", "county", "370782"),
    ("370782001", "county", "370782"),
    ("370782", "county", "370782"),
    ("3707", "county", "3707"),           # coarser than the level: itself
    ("370782001", "city", "3707"),
    ("110101001", "city", "11"),          # a municipality has no city level: the municipality
    ("441900003", "county", "4419"),      # 东莞 has no counties
    ("370782001", "township", "370782001"),
])
def test_supervising_government(code: str, level: str, expected: str) -> None:
    assert supervising_government(code, level) == expected


class _Hazard:
    def __init__(self, jurisdiction=None, listed=None, delisted=None) -> None:
        self.jurisdiction, self.listed, self.delisted = jurisdiction, listed, delisted


def test_escalation_authority() -> None:
    assert escalation_authority(_Hazard("370782001")) == "370782"
    assert escalation_authority(_Hazard("370782001"), up=1) == "3707"
    assert escalation_authority(_Hazard("370782001"), up=9) == "37"      # stops at the province
    assert escalation_authority(_Hazard("370782001"), up=1, level="township") == "370782"
    listed = {"authority": "潍坊市安委会办公室", "authority_code": "3707"}
    assert escalation_authority(_Hazard("370782001", listed=listed)) == "3707"   # the listing authority's
    assert escalation_authority(_Hazard("370782001", delisted=listed), up=1) == "37"
    assert escalation_authority(_Hazard(None)) is None
    assert escalation_authority(_Hazard("not a code")) is None


@given(_codes, st.sampled_from([2, 4, 6, 9, 12]), _codes, st.sampled_from([2, 4, 6, 9, 12]))
def test_common_government_holds_both_and_nothing_below_it_does(a: str, la: int, b: str, lb: int) -> None:
    first, second = AdminCode.parse(a[:la]), AdminCode.parse(b[:lb])
    common = common_government(first, second)
    if common is None:
        assert first.province != second.province
    else:
        assert first.is_within(common) and second.is_within(common)
        for lower in [first, *first.ancestors]:
            if len(lower.code) > len(common) and not lower.is_grouping:
                assert not second.is_within(lower)

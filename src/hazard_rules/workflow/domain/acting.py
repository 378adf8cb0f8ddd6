"""Who acts for whom: a government role names the area (administrative code) and, for a
department, the department it acts for; it may act only on hazards inside that area and,
for a department, of its industry (安全生产法 arts. 3, 10: 属地管理, 管行业必须管安全).

The functions take a `refuse(message, hint)` callback that raises, so that the ledger's
refusal names the hazard. Which roles these rules apply to is data (`acting` in
machine.yaml).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..policy.routing import AdminCode, AdminCodeError, DepartmentTable, common_government
from .machine import ActingRules

Refuse = Callable[..., Any]


def acting_code(rules: ActingRules, refuse: Refuse, role: str, org_code: str | None,
                department: str | None, departments: DepartmentTable) -> str | None:
    """The canonical code a role acts for (None for roles that act for no government), or
    refused: a government role must say which area (and a department, which of the table's
    departments) it acts for; the other roles act for themselves and give neither."""
    if role not in rules.area_roles:
        if org_code is not None or department is not None:
            refuse(f"角色 {role} 不代表政府行事：不应给出行政区划代码或部门")
        return None
    if not org_code:
        refuse(f"角色 {role} 代表政府行事：须给出其所代表地区的行政区划代码",
               "例如区（县）级部门为 --org-code 370202；隐患须位于该地区之内")
    try:
        code = AdminCode.parse(str(org_code)).code
    except AdminCodeError as exc:
        refuse(f"所代表的机关：{exc.message}", exc.hint)
    if role in rules.department_roles:
        known = departments.departments
        if not department:
            refuse(f"角色 {role} 代表部门行事：须说明是哪个部门", f"部门：{'、'.join(known)}")
        elif department not in known:
            refuse(f"未知部门 {department!r}", f"部门：{'、'.join(known)}")
    elif department is not None:
        refuse(f"角色 {role} 不代表部门行事：不应给出部门")
    return code


def check_placeable(refuse: Refuse, fields: dict[str, Any]) -> None:
    """A new hazard's jurisdiction, when given, must be an administrative code: settings,
    who may act and escalation all hang on it."""
    where = ((fields.get("finding") or {}).get("enterprise") or {}).get("jurisdiction")
    if where:
        try:
            AdminCode.parse(where)
        except AdminCodeError as exc:
            refuse(f"enterprise.jurisdiction：{exc.message}", exc.hint)


def check_scope(refuse: Refuse, state: Any, fields: dict[str, Any], organisation: str, org_code: str,
                department: str | None) -> None:
    """A government acts on hazards inside its area; a department on hazards it is responsible
    for. A hazard registered without a jurisdiction cannot be placed and is not refused here."""
    if state.version == 0:  # registering: where the finding says it is
        enterprise = (fields.get("finding") or {}).get("enterprise") or {}
        where, departments = enterprise.get("jurisdiction"), list(fields.get("departments") or [])
    else:
        where, departments = state.jurisdiction, state.departments
    try:
        place = AdminCode.parse(where) if where else None
    except AdminCodeError:  # only in ledgers written before malformed codes were refused
        place = None
    if place is not None and not place.is_within(org_code):
        common = common_government(place.code, org_code)
        refuse(f"{organisation} 代表 {org_code} 行事；该隐患位于 {place.code}，不在其辖区内",
               f"请上报至同时管辖两地的 {common}" if common else "该隐患在另一省份：请移交该省")
    if department is not None and departments and department not in departments:
        refuse(f"{department} 不负责该隐患（负责部门：{'、'.join(departments)}）",
               "管行业必须管安全：负责部门由隐患所属行业决定（departments.yaml）")

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
            refuse(f"role {role} does not act for a government: give no administrative code or department")
        return None
    if not org_code:
        refuse(f"role {role} acts for a government: give the administrative code of the area it acts for",
               "e.g. --org-code 370202 for a county (区) department; the hazard must lie within it")
    try:
        code = AdminCode.parse(str(org_code)).code
    except AdminCodeError as exc:
        refuse(f"acting organisation: {exc.message}", exc.hint)
    if role in rules.department_roles:
        known = departments.departments
        if not department:
            refuse(f"role {role} acts for a department: say which one", f"departments: {', '.join(known)}")
        elif department not in known:
            refuse(f"unknown department {department!r}", f"departments: {', '.join(known)}")
    elif department is not None:
        refuse(f"role {role} does not act for a department: give no department")
    return code


def check_placeable(refuse: Refuse, fields: dict[str, Any]) -> None:
    """A new hazard's jurisdiction, when given, must be an administrative code: settings,
    who may act and escalation all hang on it."""
    where = ((fields.get("finding") or {}).get("enterprise") or {}).get("jurisdiction")
    if where:
        try:
            AdminCode.parse(where)
        except AdminCodeError as exc:
            refuse(f"enterprise.jurisdiction: {exc.message}", exc.hint)


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
        refuse(f"{organisation} acts for {org_code}; the hazard is in {place.code}, outside that area",
               f"report it (上报) to {common}, the government over both" if common
               else "the hazard is in another province: hand it to that province")
    if department is not None and departments and department not in departments:
        refuse(f"{department} is not responsible for this hazard (responsible: {', '.join(departments)})",
               "管行业必须管安全: the responsible departments follow the hazard's industries (departments.yaml)")

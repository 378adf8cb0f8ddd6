"""Hand-written baseline for the benchmark (benchmarks/run.py, section A).

`classify` holds the 17 rules of 工贸企业重大事故隐患判定标准 (应急管理部令第10号) 第三条,
第十一条, 第十二条 and 第十三条, written as plain if-statements the way a developer would
code them without a rule engine (rulesets/gongmao-2023/art03, art11, art12, art13.yaml,
named conditions included). `classify_subset` adds 27 rules of three more packs — 44 rules
from 4 packs, the subset of benchmarks/run.py (benchmarks/subset.py):
  - fire-2017 (GB 35181-2017) 第6章 and 5.3.3 a): thresholds on measured values
    (`separation < 0.75 * required`), membership in a set-valued fact ("hotel" in the
    place's kinds: an existential quantifier over the set's items; no shipped pack has a
    list-of-items fact, so none has a quantifier over list items), and the k-of-n rule
    at_least(3, …) over the seven 7.3.x elements;
  - road-transport-2023 (交通运输部 2023): a distance threshold, set-valued facts `is not empty`;
  - civil-explosives-2023 (民用爆炸物品 2023): quantity thresholds between two facts.

Both are speed baselines, not replacements for the engine: they assume a complete record
(every fact these rules read is present and already typed) and have no three-valued
logic, no provenance and no explanation. `classify_subset_3v` is the same 44 rules written
in Kleene's three-valued logic (a missing fact is unknown), the engine's semantics for a
record with missing facts: tests/test_benchmark_counterpart.py checks it equals the
engine's compiled checker rule by rule (true / unknown), so the benchmark never compares
different semantics.
"""

from __future__ import annotations

EFFECTIVE = "effective"  # `device` value: installed and working (rulesets/_shared/vocabulary.yaml)


def classify(f: dict) -> list[str]:
    """Ids of the rules that hold for a complete facts dict, in pack order."""
    hits: list[str] = []

    # 第三条 管理类
    if f["management.contractors.present"] and (
        not f["management.contractors.coordinated"]
        or not f["management.contractors.inspected_regularly"]
    ):
        hits.append("GM2023-3-1")
    if f["management.special_operators.on_duty"] and not f["management.special_operators.certified"]:
        hits.append("GM2023-3-2")
    if f["enterprise.metal_smelting"] and (
        not f["management.principal.assessed"] or not f["management.safety_managers.assessed"]
    ):
        hits.append("GM2023-3-3")

    # 第十一条 粉尘爆炸危险
    if (f["dust.area.multi_storey_building"] and not f["dust.area.frame_structure"]) or f["dust.area.gathering_place"]:
        hits.append("GM2023-11-1")
    if (
        f["dust.system.shared_by_aggravating_media"]
        or f["dust.system.shared_across_compartments"]
        or f["dust.system.interconnected"]
    ):
        hits.append("GM2023-11-2")
    dry = f["dust.system.type"] == "dry"
    kind = f["dust.system.dust_kind"]
    if (
        dry
        and f["dust.explosion_control.venting"] != EFFECTIVE
        and f["dust.explosion_control.inerting"] != EFFECTIVE
        and f["dust.explosion_control.suppression"] != EFFECTIVE
        and not (f["dust.explosion_control.other"] == EFFECTIVE
                 and f["dust.explosion_control.other_kind"] == "containment")
    ):
        hits.append("GM2023-11-3")
    if f["dust.system.pressure_mode"] == "positive" and (
        kind == "metal"
        or (kind in ("wood", "other") and f["dust.system.ignition_source_control"] != EFFECTIVE)
    ):
        hits.append("GM2023-11-4")
    if f["dust.system.gravity_settling_chamber"] or f["dust.system.dry_tunnel_duct"]:
        hits.append("GM2023-11-5")
    if dry and kind in ("metal", "wood") and f["dust.system.airlock_discharge"] != EFFECTIVE:
        hits.append("GM2023-11-6")
    if (f["dust.zone20.present"] and not f["dust.zone20.electrical_explosion_proof"]) or (
        f["dust.collector.present"] and not f["dust.collector.electrical_explosion_proof"]
    ):
        hits.append("GM2023-11-7")
    if (
        f["dust.process.mechanical_ignition_equipment"] and f["dust.process.foreign_matter_removal"] != EFFECTIVE
    ) or (
        f["dust.wood_products_enterprise"]
        and f["dust.sander_duct.present"]
        and f["dust.sander_duct.spark_detection"] != EFFECTIVE
    ):
        hits.append("GM2023-11-8")
    if f["dust.water_reactive.present"] and (
        f["dust.water_reactive.hydrogen_control"] != EFFECTIVE
        or (f["dust.water_reactive.dry_collection"] and not f["dust.water_reactive.moisture_protection"])
    ):
        hits.append("GM2023-11-9")
    if not f["dust.cleaning.implemented"] and f["dust.accumulation.severe"]:
        hits.append("GM2023-11-10")

    # 第十二条 液氨制冷
    if f["ammonia.processing_area.direct_evaporation_ac"]:
        hits.append("GM2023-12-1")
    if f["ammonia.quick_freeze.present"] and (
        not f["ammonia.quick_freeze.separate_room"] or f["ammonia.quick_freeze.room_workers"] > 9
    ):
        hits.append("GM2023-12-2")

    # 第十三条 有限空间作业
    if (not f["confined_space.identified"] and not f["confined_space.ledger_established"]) and not f[
        "confined_space.warning_signs"
    ]:
        hits.append("GM2023-13-1")
    if (
        not f["confined_space.work_permit"]
        or not f["confined_space.ventilate_test_work"]
        or not f["confined_space.attendant_on_site"]
    ):
        hits.append("GM2023-13-2")

    return hits


def classify_subset(f: dict) -> list[str]:
    """`classify` plus 27 rules of fire-2017, road-transport-2023 and civil-explosives-2023,
    for a complete facts dict that gives the facts of all four packs; ids in the order above."""
    hits = classify(f)

    # fire-2017 (GB 35181-2017). Every rule: "and the finding is not excluded from judging".
    if not f["fire.judgement.exclusions"]:
        kinds = f["fire.place.kinds"]
        exit_place = "entertainment" in kinds or "shop" in kinds or "underground_crowded" in kinds
        if f["fire.hazmat.facility"] and not f["fire.hazmat.facility_safe_location"]:
            hits.append("FIRE2017-6.1")
        if f["fire.hazmat.place"] and (
            f["fire.hazmat.same_building_as_crowded_or_residential"]
            or f["fire.hazmat.separation"] < 0.75 * f["fire.hazmat.separation_required"]
        ):
            hits.append("FIRE2017-6.2")
        if (f["fire.fuel_station.present"] and f["fire.fuel_station.in_built_up_area"]
                and f["fire.fuel_station.storage_reaches_grade1"]):
            hits.append("FIRE2017-6.3")
        if f["fire.production_storage.hazard_class"] in ("jia", "yi") and f["fire.production_storage.in_basement"]:
            hits.append("FIRE2017-6.4")
        if exit_place and (
            f["fire.exits.count_insufficient"]
            or f["fire.exits.total_net_width"] < 0.8 * f["fire.exits.total_net_width_required"]
        ):
            hits.append("FIRE2017-6.5")
        if ("hotel" in kinds or exit_place) and (
            f["fire.sprinkler.missing_where_required"] or f["fire.fire_alarm.missing_where_required"]
        ):
            hits.append("FIRE2017-6.6")
        if f["fire.tank_farm.present"] and (
            f["fire.tank_farm.fixed_extinguishing_missing"] or f["fire.tank_farm.cooling_missing"]
            or f["fire.tank_farm.gas_alarm_missing"] or f["fire.tank_farm.fire_alarm_missing"]
        ):
            hits.append("FIRE2017-6.7")
        if f["fire.crowded.hazmat_violation"]:
            hits.append("FIRE2017-6.8")
        if ("childcare" in kinds or "elderly" in kinds) and f["fire.children_elderly.floor_noncompliant"]:
            hits.append("FIRE2017-6.9")
        if f["fire.residence.sandwich_panel"] and f["fire.residence.panel_core_class"] != "a":
            hits.append("FIRE2017-6.10")
        # 5.3.3 a): at least 3 of the 7.3.x elements; the elements after 7.3.7 come as a count.
        high = f["fire.building.high_rise"]
        signs = f["fire.evacuation_signs.damaged_ratio"]
        doors = f["fire.stair_doors.damaged_ratio"]
        others = f["fire.comprehensive.crowded_other_count"]
        elements = (
            (f["fire.refuge.setup_noncompliant"] or f["fire.refuge.occupied"])
            + bool(f["fire.stairs.form_noncompliant"])
            + ((not exit_place and (f["fire.exits.count_insufficient"] or f["fire.exits.width_noncompliant"]))
               or f["fire.exits.blocked"])
            + bool(f["fire.exits.independent_missing"])
            + ("shop" in kinds and f["fire.shop.hall_evacuation_distance"]
               > 1.25 * f["fire.shop.hall_evacuation_distance_limit"])
            + (f["fire.evacuation_signs.missing_where_required"] or signs > 50
               or ((high or f["fire.building.underground"]) and signs > 30))
            + (doors > 50 or (high and doors > 20))
            + (others >= 1) + (others >= 2) + (others >= 3)
        )
        if elements >= 3:
            hits.append("FIRE2017-5.3.3-a")

    # road-transport-2023
    if (f["road_transport.business.operating"] and f["road_transport.permit.status"] in ("expired", "not_obtained")
            or f["road_transport.permit.beyond_scope"]):
        hits.append("RT2023-3-1")
    if f["road_transport.equipment.in_operation"] and f["road_transport.equipment.defects"]:
        hits.append("RT2023-3-2")
    if (f["road_transport.three_excess.long_term"] and not f["road_transport.three_excess.corrected_in_transit"]
            and not f["road_transport.three_excess.handled_within_month"]) or (
            f["road_transport.driver_integrity.max_points"] >= 10 and not f["road_transport.driver_integrity.handled"]
            and f["road_transport.driver_integrity.still_assigned"]):
        hits.append("RT2023-3-3")
    if (f["road_transport.warning.typhoon"] in ("orange", "red") or f["road_transport.warning.red"]
            or f["road_transport.warning.other_unsafe"]) and (
            f["road_transport.suspension.required"] and f["road_transport.suspension.dispatched"]):
        hits.append("RT2023-3-4")
    if f["other.major_hazard_by_law_or_rule"]:
        hits.append("RT2023-3-5")
    if f["road_transport.passenger_line.length"] >= 800 and (
        not f["road_transport.passenger_line.risk_assessed"]
        or not f["road_transport.passenger_line.night_rest_complied"]
    ):
        hits.append("RT2023-4-1")
    if f["road_transport.ride_hailing.platform"] and (
        f["road_transport.ride_hailing.vehicle_mismatch"] or f["road_transport.ride_hailing.driver_mismatch"]
    ):
        hits.append("RT2023-TAXI-1")

    # civil-explosives-2023
    bad_license = ("expired", "not_obtained")
    if (f["license.business.status"] in bad_license or f["license.production.status"] in bad_license
            or f["license.safety_production.status"] in bad_license or f["safety_assessment.unqualified"]):
        hits.append("MB2023-1")
    if (not f["management.safety_department.established"] or not f["management.safety_managers.staffed"]
            or not f["management.registered_safety_engineer.staffed"]):
        hits.append("MB2023-2")
    if (not f["management.principal.assessed"] or not f["management.safety_managers.assessed"]
            or (f["management.special_operators.on_duty"] and not f["management.special_operators.certified"])):
        hits.append("MB2023-3")
    if (f["operation.quantity"] > f["operation.licensed_quantity"] or f["operation.unlicensed_variety"]
            or f["operation.outside_permitted_hours"] or f["storage.quantity"] > f["storage.permitted_quantity"]
            or f["workplace.persons"] > f["workplace.staffing_limit"]):
        hits.append("MB2023-4")
    if f["safety.loss_of_control_possible"] and (
        f["management.severe_deficiency"] or not f["management.responsibility_system.established"]
        or not f["management.major_hazard_source_system.implemented"]
        or not f["management.hidden_danger_system.implemented"]
        or f["safety_devices.anti_propagation"] != EFFECTIVE or f["safety_devices.automatic_control"] != EFFECTIVE
        or f["safety_devices.safety_interlock"] != EFFECTIVE or f["safety_devices.door_interlock"] != EFFECTIVE
        or f["safety_devices.other"] != EFFECTIVE
    ):
        hits.append("MB2023-5")
    if f["external.influence"] and f["external.beyond_enterprise_control"] and f["external.major_risk"]:
        hits.append("MB2023-6")
    if (f["hazardous_building.use_changed"] and not f["hazardous_building.use_change_designed"]
            and f["hazardous_building.hazardous_work"]):
        hits.append("MB2023-7")
    if (f["hazardous_room.explosion_protection"] != EFFECTIVE or f["hazardous_room.fire_protection"] != EFFECTIVE
            or f["hazardous_room.lightning_protection"] != EFFECTIVE):
        hits.append("MB2023-8")
    if f["equipment.prohibited_in_use"] or (
        (f["equipment.special.modified"] or f["equipment.special.use_changed"])
        and not f["equipment.special.change_safety_reviewed"]
    ):
        hits.append("MB2023-9")
    return hits


# ---------------------------------------------------------------------------- three-valued
# Kleene's logic over True / False / None (unknown): what a developer writes when a record
# may leave facts out. Each helper is the truth table of one connective or comparison.

def _not(x: bool | None) -> bool | None:
    return None if x is None else not x


def _and(*xs: bool | None) -> bool | None:
    result: bool | None = True
    for x in xs:
        if x is False:
            return False
        if x is None:
            result = None
    return result


def _or(*xs: bool | None) -> bool | None:
    result: bool | None = False
    for x in xs:
        if x is True:
            return True
        if x is None:
            result = None
    return result


def _at_least(k: int, *xs: bool | None) -> bool | None:
    true = sum(x is True for x in xs)
    unknown = sum(x is None for x in xs)
    return True if true >= k else False if true + unknown < k else None


def _cmp(op: str, x: object, y: object) -> bool | None:
    if x is None or y is None:
        return None
    return {"==": x == y, "!=": x != y, ">": x > y, ">=": x >= y, "<": x < y}[op]  # type: ignore[operator]


def _in(x: object, collection: object) -> bool | None:
    return None if x is None or collection is None else x in collection  # type: ignore[operator]


def _times(factor: float, x: float | None) -> float | None:
    return None if x is None else factor * x


def _nonempty(x: frozenset | None) -> bool | None:
    return None if x is None else bool(x)


def classify_subset_3v(f: dict) -> tuple[list[str], list[str]]:
    """The 44 rules of `classify_subset` in three-valued logic over a facts dict that may
    leave any fact out: (ids of the true rules, ids of the unknown ones), in that order."""
    g = f.get
    E = EFFECTIVE
    dry = _cmp("==", g("dust.system.type"), "dry")
    kind = g("dust.system.dust_kind")
    kinds = g("fire.place.kinds")
    exit_place = _or(_in("entertainment", kinds), _in("shop", kinds), _in("underground_crowded", kinds))
    judged = _not(_nonempty(g("fire.judgement.exclusions")))
    high = g("fire.building.high_rise")
    signs, doors = g("fire.evacuation_signs.damaged_ratio"), g("fire.stair_doors.damaged_ratio")
    other_count = g("fire.comprehensive.crowded_other_count")
    bad_license = frozenset({"expired", "not_obtained"})
    values = {
        "GM2023-3-1": _and(g("management.contractors.present"), _or(_not(g("management.contractors.coordinated")),
                                                                    _not(g("management.contractors.inspected_regularly")))),
        "GM2023-3-2": _and(g("management.special_operators.on_duty"),
                           _not(g("management.special_operators.certified"))),
        "GM2023-3-3": _and(g("enterprise.metal_smelting"), _or(_not(g("management.principal.assessed")),
                                                               _not(g("management.safety_managers.assessed")))),
        "GM2023-11-1": _or(_and(g("dust.area.multi_storey_building"), _not(g("dust.area.frame_structure"))),
                           g("dust.area.gathering_place")),
        "GM2023-11-2": _or(g("dust.system.shared_by_aggravating_media"), g("dust.system.shared_across_compartments"),
                           g("dust.system.interconnected")),
        "GM2023-11-3": _and(dry, _cmp("!=", g("dust.explosion_control.venting"), E),
                            _cmp("!=", g("dust.explosion_control.inerting"), E),
                            _cmp("!=", g("dust.explosion_control.suppression"), E),
                            _not(_and(_cmp("==", g("dust.explosion_control.other"), E),
                                      _cmp("==", g("dust.explosion_control.other_kind"), "containment")))),
        "GM2023-11-4": _and(_cmp("==", g("dust.system.pressure_mode"), "positive"),
                            _or(_cmp("==", kind, "metal"),
                                _and(_in(kind, ("wood", "other")),
                                     _cmp("!=", g("dust.system.ignition_source_control"), E)))),
        "GM2023-11-5": _or(g("dust.system.gravity_settling_chamber"), g("dust.system.dry_tunnel_duct")),
        "GM2023-11-6": _and(dry, _in(kind, ("metal", "wood")), _cmp("!=", g("dust.system.airlock_discharge"), E)),
        "GM2023-11-7": _or(_and(g("dust.zone20.present"), _not(g("dust.zone20.electrical_explosion_proof"))),
                           _and(g("dust.collector.present"), _not(g("dust.collector.electrical_explosion_proof")))),
        "GM2023-11-8": _or(_and(g("dust.process.mechanical_ignition_equipment"),
                                _cmp("!=", g("dust.process.foreign_matter_removal"), E)),
                           _and(g("dust.wood_products_enterprise"), g("dust.sander_duct.present"),
                                _cmp("!=", g("dust.sander_duct.spark_detection"), E))),
        "GM2023-11-9": _and(g("dust.water_reactive.present"),
                            _or(_cmp("!=", g("dust.water_reactive.hydrogen_control"), E),
                                _and(g("dust.water_reactive.dry_collection"),
                                     _not(g("dust.water_reactive.moisture_protection"))))),
        "GM2023-11-10": _and(_not(g("dust.cleaning.implemented")), g("dust.accumulation.severe")),
        "GM2023-12-1": g("ammonia.processing_area.direct_evaporation_ac"),
        "GM2023-12-2": _and(g("ammonia.quick_freeze.present"),
                            _or(_not(g("ammonia.quick_freeze.separate_room")),
                                _cmp(">", g("ammonia.quick_freeze.room_workers"), 9))),
        "GM2023-13-1": _and(_not(g("confined_space.identified")), _not(g("confined_space.ledger_established")),
                            _not(g("confined_space.warning_signs"))),
        "GM2023-13-2": _or(_not(g("confined_space.work_permit")), _not(g("confined_space.ventilate_test_work")),
                           _not(g("confined_space.attendant_on_site"))),
        # fire-2017
        "FIRE2017-6.1": _and(g("fire.hazmat.facility"), _not(g("fire.hazmat.facility_safe_location")), judged),
        "FIRE2017-6.2": _and(g("fire.hazmat.place"), _or(
            g("fire.hazmat.same_building_as_crowded_or_residential"),
            _cmp("<", g("fire.hazmat.separation"), _times(0.75, g("fire.hazmat.separation_required")))), judged),
        "FIRE2017-6.3": _and(g("fire.fuel_station.present"), g("fire.fuel_station.in_built_up_area"),
                             g("fire.fuel_station.storage_reaches_grade1"), judged),
        "FIRE2017-6.4": _and(_in(g("fire.production_storage.hazard_class"), ("jia", "yi")),
                             g("fire.production_storage.in_basement"), judged),
        "FIRE2017-6.5": _and(exit_place, _or(g("fire.exits.count_insufficient"), _cmp(
            "<", g("fire.exits.total_net_width"), _times(0.8, g("fire.exits.total_net_width_required")))), judged),
        "FIRE2017-6.6": _and(_or(_in("hotel", kinds), exit_place), _or(g("fire.sprinkler.missing_where_required"),
                                                                      g("fire.fire_alarm.missing_where_required")),
                             judged),
        "FIRE2017-6.7": _and(g("fire.tank_farm.present"), _or(
            g("fire.tank_farm.fixed_extinguishing_missing"), g("fire.tank_farm.cooling_missing"),
            g("fire.tank_farm.gas_alarm_missing"), g("fire.tank_farm.fire_alarm_missing")), judged),
        "FIRE2017-6.8": _and(g("fire.crowded.hazmat_violation"), judged),
        "FIRE2017-6.9": _and(_or(_in("childcare", kinds), _in("elderly", kinds)),
                             g("fire.children_elderly.floor_noncompliant"), judged),
        "FIRE2017-6.10": _and(g("fire.residence.sandwich_panel"), _cmp("!=", g("fire.residence.panel_core_class"), "a"),
                              judged),
        "FIRE2017-5.3.3-a": _and(_at_least(
            3,
            _or(g("fire.refuge.setup_noncompliant"), g("fire.refuge.occupied")),
            g("fire.stairs.form_noncompliant"),
            _or(_and(_not(exit_place), _or(g("fire.exits.count_insufficient"), g("fire.exits.width_noncompliant"))),
                g("fire.exits.blocked")),
            g("fire.exits.independent_missing"),
            _and(_in("shop", kinds), _cmp(">", g("fire.shop.hall_evacuation_distance"),
                                          _times(1.25, g("fire.shop.hall_evacuation_distance_limit")))),
            _or(g("fire.evacuation_signs.missing_where_required"), _cmp(">", signs, 50),
                _and(_or(high, g("fire.building.underground")), _cmp(">", signs, 30))),
            _or(_cmp(">", doors, 50), _and(high, _cmp(">", doors, 20))),
            _cmp(">=", other_count, 1), _cmp(">=", other_count, 2), _cmp(">=", other_count, 3)), judged),
        # road-transport-2023
        "RT2023-3-1": _or(_and(g("road_transport.business.operating"),
                               _in(g("road_transport.permit.status"), bad_license)),
                          g("road_transport.permit.beyond_scope")),
        "RT2023-3-2": _and(g("road_transport.equipment.in_operation"),
                           _nonempty(g("road_transport.equipment.defects"))),
        "RT2023-3-3": _or(_and(g("road_transport.three_excess.long_term"),
                               _not(g("road_transport.three_excess.corrected_in_transit")),
                               _not(g("road_transport.three_excess.handled_within_month"))),
                          _and(_cmp(">=", g("road_transport.driver_integrity.max_points"), 10),
                               _not(g("road_transport.driver_integrity.handled")),
                               g("road_transport.driver_integrity.still_assigned"))),
        "RT2023-3-4": _and(_or(_in(g("road_transport.warning.typhoon"), ("orange", "red")),
                               _nonempty(g("road_transport.warning.red")), g("road_transport.warning.other_unsafe")),
                           g("road_transport.suspension.required"), g("road_transport.suspension.dispatched")),
        "RT2023-3-5": g("other.major_hazard_by_law_or_rule"),
        "RT2023-4-1": _and(_cmp(">=", g("road_transport.passenger_line.length"), 800),
                           _or(_not(g("road_transport.passenger_line.risk_assessed")),
                               _not(g("road_transport.passenger_line.night_rest_complied")))),
        "RT2023-TAXI-1": _and(g("road_transport.ride_hailing.platform"),
                              _or(g("road_transport.ride_hailing.vehicle_mismatch"),
                                  g("road_transport.ride_hailing.driver_mismatch"))),
        # civil-explosives-2023
        "MB2023-1": _or(_in(g("license.business.status"), bad_license),
                        _in(g("license.production.status"), bad_license),
                        _in(g("license.safety_production.status"), bad_license), g("safety_assessment.unqualified")),
        "MB2023-2": _or(_not(g("management.safety_department.established")),
                        _not(g("management.safety_managers.staffed")),
                        _not(g("management.registered_safety_engineer.staffed"))),
        "MB2023-3": _or(_not(g("management.principal.assessed")), _not(g("management.safety_managers.assessed")),
                        _and(g("management.special_operators.on_duty"),
                             _not(g("management.special_operators.certified")))),
        "MB2023-4": _or(_cmp(">", g("operation.quantity"), g("operation.licensed_quantity")),
                        g("operation.unlicensed_variety"), g("operation.outside_permitted_hours"),
                        _cmp(">", g("storage.quantity"), g("storage.permitted_quantity")),
                        _cmp(">", g("workplace.persons"), g("workplace.staffing_limit"))),
        "MB2023-5": _and(g("safety.loss_of_control_possible"), _or(
            g("management.severe_deficiency"), _not(g("management.responsibility_system.established")),
            _not(g("management.major_hazard_source_system.implemented")),
            _not(g("management.hidden_danger_system.implemented")),
            *(_cmp("!=", g(f"safety_devices.{device}"), E)
              for device in ("anti_propagation", "automatic_control", "safety_interlock", "door_interlock", "other")))),
        "MB2023-6": _and(g("external.influence"), g("external.beyond_enterprise_control"), g("external.major_risk")),
        "MB2023-7": _and(g("hazardous_building.use_changed"), _not(g("hazardous_building.use_change_designed")),
                         g("hazardous_building.hazardous_work")),
        "MB2023-8": _or(*(_cmp("!=", g(f"hazardous_room.{kind}_protection"), E)
                          for kind in ("explosion", "fire", "lightning"))),
        "MB2023-9": _or(g("equipment.prohibited_in_use"), _and(
            _or(g("equipment.special.modified"), g("equipment.special.use_changed")),
            _not(g("equipment.special.change_safety_reviewed")))),
    }
    return ([rule for rule, value in values.items() if value is True],
            [rule for rule, value in values.items() if value is None])

"""Hand-written baseline for bench_classify.py.

The 17 rules of 工贸企业重大事故隐患判定标准 (应急管理部令第10号) 第三条, 第十一条,
第十二条 and 第十三条, written as plain if-statements the way a developer would code them
without a rule engine. It reads the same conditions as rulesets/gongmao-2023/art03.yaml,
art11.yaml, art12.yaml and art13.yaml (including the named conditions there).

It is a speed baseline, not a replacement for the engine: it assumes a complete record
(every fact these rules read is present and already typed) and has no three-valued
logic, no provenance and no explanation.
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

"""The state machine definition: valid as shipped; every structural fault is reported."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from hazard_rules.errors import Diagnostics, HazardRulesError, diagnostics_of
from hazard_rules.workflow.domain.effects import TIMERS
from hazard_rules.workflow.domain.machine import MachineError, load_machine

from ..conftest import ROOT, run_cli

SHIPPED = ROOT / "src" / "hazard_rules" / "workflow" / "data" / "machine.yaml"


def test_shipped_machine_is_valid() -> None:
    machine = load_machine()
    assert machine.definition.entry == "NEW"
    expected = {"register", "report_double", "file_plan", "list", "accept_and_close", "reopen", "void"}
    assert expected <= set(machine.actions)
    for transition in machine.definition.transitions:
        assert transition.source, transition.action


def test_every_step_and_every_field_it_requires_has_a_chinese_label() -> None:
    machine = load_machine()
    for transition in machine.definition.transitions:
        assert any("\u4e00" <= ch <= "\u9fff" for ch in transition.label), transition.action
        for name in transition.requires:
            assert machine.definition.fields[name].label, name
    assert machine.choices("assessment_by") == {"own_experts": "本单位技术人员和专家", "agency": "有资质的安全评价机构"}
    assert set(machine.choices("timer")) == set(TIMERS)   # every deadline has its label
    assert machine.fields_of("date") == ["rectify_due", "proposed_due", "new_due", "listing.deadline",
                                         "listing.received_at"]


def test_a_transition_without_a_label_is_refused(tmp_path: Path) -> None:
    with pytest.raises(HazardRulesError, match="label"):
        load_machine(_broken(tmp_path, lambda d: d["transitions"][3].pop("label")))


def _broken(tmp_path: Path, change) -> Path:
    data = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "machine.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _drop(action: str):
    return lambda d: d.update(transitions=[t for t in d["transitions"] if t["action"] != action])


@pytest.mark.parametrize("change, message", [
    (_drop("substantiate"), "REPORT_VERIFYING"),
    (_drop("submit_report"), "state REPORT_VERIFYING cannot be reached"),
    (lambda d: d["states"].update(LIMBO={"label": "悬置", "open": True}), "state LIMBO cannot be reached"),
    (lambda d: (d["states"].update(PARKED={"label": "搁置", "open": True}),
                d["transitions"].append({"action": "park", "label": "搁置", "from": ["REGISTERED"], "to": "PARKED",
                                         "roles": ["DEPT"], "source": "test"})), "state PARKED is a trap"),
    (lambda d: d["transitions"][0]["roles"].append("MAYOR"), "unknown role 'MAYOR'"),
    (lambda d: d["transitions"][5].setdefault("guards", []).append("be_nice"), "unknown guard 'be_nice'"),
    (lambda d: d["transitions"][0].update(to="HEAVEN"), "unknown state 'HEAVEN'"),
    (lambda d: d["fields"].pop("receipt_department"), "report_double: field 'receipt_department' has no label"),
    (lambda d: d["fields"]["assessment_by"].pop("choices"),
     "guard assessment_by_experts_or_agency checks 'assessment_by' against its choices"),
])
def test_structural_faults_are_reported(tmp_path: Path, change, message: str) -> None:
    if message == "REPORT_VERIFYING":
        # without substantiate, a report can only be rejected: still valid, but then it can never be closed
        message = "open state REPORT_VERIFYING can never reach CLOSED"
    path = _broken(tmp_path, change)
    with pytest.raises(HazardRulesError) as caught:  # MachineError, or Diagnostics of several
        load_machine(path)
    found = diagnostics_of(caught.value)
    assert all(isinstance(e, MachineError) and e.span and e.span.file == str(path) and e.hint for e in found)
    assert any(re.search(message, e.message) for e in found), caught.value.render()


def test_each_inconsistency_is_its_own_error_where_it_is_written(tmp_path: Path) -> None:
    """Not one message joining them all at line 1: each problem at the name it is about."""
    def four_faults(d: dict) -> None:
        d["transitions"][0]["roles"].append("MAYOR")
        d["transitions"][0]["to"] = "HEAVEN"
        d["transitions"][5].setdefault("guards", []).append("be_nice")
        d["states"]["PARKED"] = {"label": "搁置", "open": True}
        d["transitions"].append({"action": "park", "label": "搁置", "from": ["REGISTERED"], "to": "PARKED",
                                 "roles": ["DEPT"], "source": "test"})

    path = _broken(tmp_path, four_faults)
    guarded = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))["transitions"][5]["action"]
    with pytest.raises(Diagnostics) as caught:
        load_machine(path)
    lines = path.read_text(encoding="utf-8").splitlines()
    found = {e.message: lines[e.span.line - 1][e.span.column - 1:] for e in caught.value.errors if e.span}
    assert found == {
        "register: unknown role 'MAYOR'": "MAYOR",
        "register: unknown state 'HEAVEN'": "HEAVEN",
        f"{guarded}: unknown guard 'be_nice'": "be_nice",
        "state PARKED is a trap: no transition leaves it": "PARKED:",
        "park: no effects declared for this action in workflow/effects.py (what the step does besides "
        "changing state)": "park",
    }
    assert all(e.code == "E601" and e.hint for e in caught.value.errors)
    assert caught.value.render().endswith("5 error(s) found")


def test_graph_command_prints_dot_and_mermaid() -> None:
    dot = run_cli("ledger", "graph", "--format", "dot")
    assert dot.returncode == 0 and dot.stdout.startswith("digraph") and "CLOSURE_APPLIED -> CLOSED" in dot.stdout
    mermaid = run_cli("ledger", "graph")
    assert mermaid.stdout.startswith("stateDiagram-v2") and "[*] --> NEW" in mermaid.stdout


def test_every_mistake_of_the_file_is_reported_at_once(tmp_path: Path) -> None:
    """issue 8: load_machine raised only the first schema error."""
    from hazard_rules.errors import Diagnostics

    def three_mistakes(d: dict) -> None:
        d["states"]["NEW"]["colour"] = "blue"          # an unknown key
        del d["transitions"][0]["roles"]               # a missing one
        d["transitions"][1]["levels"] = ["severe"]     # a level that does not exist

    path = _broken(tmp_path, three_mistakes)
    with pytest.raises(Diagnostics) as caught:
        load_machine(path)
    found = caught.value.errors
    assert [e.code for e in found] == ["E103", "E104", "E104"], caught.value.render()
    lines = path.read_text(encoding="utf-8").splitlines()
    assert "colour" in lines[found[0].span.line - 1]
    assert all(e.span and e.span.file == str(path) for e in found)
    assert "missing required key 'roles'" in found[1].message + found[2].message
    assert "severe" in found[1].message + found[2].message
    assert caught.value.render().endswith("3 error(s) found")


def test_one_mistake_is_still_reported_alone(tmp_path: Path) -> None:
    from hazard_rules.errors import UnknownKeyError

    with pytest.raises(UnknownKeyError, match="colour"):
        load_machine(_broken(tmp_path, lambda d: d["states"]["NEW"].update(colour="blue")))

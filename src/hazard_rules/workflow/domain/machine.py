"""The supervision state machine, loaded from data and validated when loaded.

Validation (networkx): one entry state; every state reachable from it; no trap state
(every non-final state has a way out); every open state can still reach CLOSED;
every role, guard and state a transition names exists; every action has its effects
(effects.py); CLOSED and VOID are final. Each problem is its own E601 error at the place
in machine.yaml it concerns, all of them reported together like a pack's. `to_dot` and
`to_mermaid` draw it.
"""

from __future__ import annotations

import difflib
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Literal, NamedTuple

import networkx as nx
from pydantic import BaseModel, ConfigDict, Field

from ...errors import Diagnostics, HazardRulesError, Span
from ...loading.strict_yaml import Path as YPath
from ...loading.strict_yaml import YamlDocument, read_yaml
from ...loading.validate import validate_document
from .effects import CLOSED, EFFECTS, VOID
from .guards import CHOICE_GUARDS

Level = Literal["ordinary", "major", "undetermined"]  # the verdict's words (一般/重大/待定)


class MachineError(HazardRulesError):
    """The state machine definition is inconsistent."""

    code = "E601"


class _Problem(NamedTuple):
    """One inconsistency: what is wrong, where in machine.yaml (the key itself with key=True)."""

    message: str
    path: YPath
    hint: str
    key: bool = False


def _suggest(name: str, known: list[str], what: str) -> str:
    close = difflib.get_close_matches(name, known, n=1)
    return f"did you mean {close[0]!r}?" if close else f"{what}: {', '.join(known)}"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StateDef(_Model):
    label: str
    open: bool
    lane: Literal["ordinary", "major", "report"] | None = None


class FieldDef(_Model):
    """A field a step requires, as people see it: its label, and how it is entered
    (text, long text, a date, or one of its `choices`, value → label)."""

    label: str
    kind: Literal["text", "long", "date"] = "text"
    choices: dict[str, str] = {}


class Transition(_Model):
    action: str
    label: str                         # the step in the regulations' words (登记, 验收销号 …)
    from_: list[str] = Field(alias="from")
    to: str | None = None              # None for overlay self-loops
    overlay: str | None = None
    roles: list[str]
    levels: list[Level] | None = None  # None: any level
    requires: list[str] = []
    evidence: list[str] = []
    guards: list[str] = []
    sets_level: Level | None = None
    source: str

    def target(self, state: str) -> str:
        return self.to if self.to is not None else state


class ActingRules(_Model):
    """Which roles act for a government, and so must say where and for whom they act."""

    area_roles: list[str] = []        # give the administrative code they act for; it must contain the hazard
    department_roles: list[str] = []  # give their department; it must be responsible for the hazard
    source: str = ""


class MachineDef(_Model):
    entry: str
    final: list[str]
    states: dict[str, StateDef]
    roles: dict[str, str]
    acting: ActingRules = ActingRules()
    fields: dict[str, FieldDef] = {}
    transitions: list[Transition]


class Machine:
    """Transitions by (state, action), validated as a graph."""

    def __init__(self, definition: MachineDef, guard_names: frozenset[str], file: str = "machine.yaml",
                 effect_names: frozenset[str] | None = None, doc: YamlDocument | None = None) -> None:
        """Raise MachineError for one inconsistency, Diagnostics for several; each is placed
        in doc (the file read) when given, else at the top of `file`."""
        self.definition = definition
        self.file = file
        self._by_action: dict[str, Transition] = {}
        problems = self._check_names(guard_names, frozenset(EFFECTS) if effect_names is None else effect_names)
        problems += self._check_graph()
        errors = [MachineError(p.message, doc.span(p.path, key=p.key) if doc else Span(file, 1, 1), p.hint)
                  for p in problems]
        if errors:
            raise errors[0] if len(errors) == 1 else Diagnostics(errors, file)

    # ------------------------------------------------------------------ lookup
    @property
    def roles(self) -> list[str]:
        return list(self.definition.roles)

    @property
    def actions(self) -> list[str]:
        return list(self._by_action)

    def transition(self, action: str) -> Transition:
        found = self._by_action.get(action)
        if found is None:
            close = difflib.get_close_matches(action, list(self._by_action), n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"actions: {', '.join(self._by_action)}"
            raise MachineError(f"unknown action {action!r}", hint=hint)
        return found

    def available(self, state: str, level: str) -> list[Transition]:
        return [t for t in self.definition.transitions
                if state in t.from_ and (t.levels is None or level in t.levels)]

    def is_open(self, state: str) -> bool:
        return self.definition.states[state].open

    def fields_of(self, kind: str) -> list[str]:
        """The declared fields of one kind (e.g. every date field)."""
        return [name for name, f in self.definition.fields.items() if f.kind == kind]

    def choices(self, name: str) -> dict[str, str]:
        """The values a field may take (value → label); empty when any value goes."""
        found = self.definition.fields.get(name)
        return dict(found.choices) if found else {}

    # ------------------------------------------------------------------ validation
    def _check_names(self, guard_names: frozenset[str], effect_names: frozenset[str]) -> list[_Problem]:
        d = self.definition
        states, roles = list(d.states), list(d.roles)
        problems = []
        for path, state in [(("entry",), d.entry), *((("final", n), s) for n, s in enumerate(d.final))]:
            if state not in d.states:
                problems.append(_Problem(f"state {state!r} is not declared", path,
                                         _suggest(state, states, "declared states")))
        # The ledger gives these two end states their meaning (closure ends duties, void ends a non-hazard).
        problems += [_Problem(f"state {state} must be declared final", ("final",),
                              f"add {state} to `final`: the ledger ends a hazard there (CLOSED: closed after "
                              "rectification; VOID: not a hazard)")
                     for state in (CLOSED, VOID) if state not in d.final]
        for kind in ("area_roles", "department_roles"):
            for n, name in enumerate(getattr(d.acting, kind)):
                if name not in d.roles:
                    problems.append(_Problem(f"acting: unknown role {name!r}", ("acting", kind, n),
                                             _suggest(name, roles, "roles")))
        for i, t in enumerate(d.transitions):
            problems += self._check_transition(i, t, guard_names, effect_names)
        return problems

    def _check_transition(self, i: int, t: Transition, guard_names: frozenset[str],
                          effect_names: frozenset[str]) -> list[_Problem]:
        d = self.definition
        at: YPath = ("transitions", i)
        problems = []
        if t.action in self._by_action:
            problems.append(_Problem(f"action {t.action!r} is declared twice", (*at, "action"),
                                     "give each transition its own action; one action has one transition"))
        self._by_action[t.action] = t
        named = [((*at, "from", n), state) for n, state in enumerate(t.from_)] + ([((*at, "to"), t.to)] if t.to else [])
        problems += [_Problem(f"{t.action}: unknown state {state!r}", path, _suggest(state, list(d.states), "states"))
                     for path, state in named if state not in d.states]
        if (t.to is None) == (t.overlay is None):
            problems.append(_Problem(f"{t.action}: give either `to` (a state change) or `overlay` (a self-loop)", at,
                                     "a transition changes the state or sets an overlay, not both, not neither"))
        problems += [_Problem(f"{t.action}: unknown role {r!r}", (*at, "roles", n), _suggest(r, list(d.roles), "roles"))
                     for n, r in enumerate(t.roles) if r not in d.roles]
        problems += [_Problem(f"{t.action}: unknown guard {g!r}", (*at, "guards", n),
                              _suggest(g, sorted(guard_names), "guards (workflow/domain/guards.py)"))
                     for n, g in enumerate(t.guards) if g not in guard_names]
        problems += [_Problem(f"{t.action}: field {name!r} has no label in `fields`", (*at, "requires", n),
                              "give the field a label (and its kind or choices) in `fields`")
                     for n, name in enumerate(t.requires) if name not in d.fields]
        problems += [_Problem(f"{t.action}: guard {g} checks {field!r} against its choices, which `fields` "
                              "does not give",
                              (*at, "guards", n), f"list the values {field} may take under `fields: {field}: choices`")
                     for n, g in enumerate(t.guards) for field in [CHOICE_GUARDS.get(g)]
                     if field and not (d.fields.get(field) and d.fields[field].choices)]
        if t.action not in effect_names:
            unused = effect_names - {other.action for other in d.transitions}   # what it was renamed from
            close = difflib.get_close_matches(t.action, sorted(unused), n=1, cutoff=0.3)
            problems.append(_Problem(
                f"{t.action}: no effects declared for this action in workflow/effects.py (what the "
                f"step does besides changing state{f'; renamed from {close[0]!r}?' if close else ''})",
                (*at, "action"), "an action the ledger can take needs its effects: declare them in EFFECTS"))
        return problems

    @cached_property
    def graph(self) -> nx.MultiDiGraph[str]:
        g: nx.MultiDiGraph[str] = nx.MultiDiGraph()
        for name, state in self.definition.states.items():
            g.add_node(name, label=state.label, open=state.open)
        for t in self.definition.transitions:
            for source in t.from_:
                g.add_edge(source, t.target(source), key=t.action, action=t.action, roles=t.roles, overlay=t.overlay)
        return g

    def _check_graph(self) -> list[_Problem]:
        d = self.definition
        if any(s not in d.states for s in [d.entry, *d.final]):
            return []
        g = self.graph
        problems = []
        entries = [n for n in g if g.in_degree(n) == 0]
        if entries != [d.entry]:
            problems.append(_Problem(f"exactly one entry state expected ({d.entry}), found {entries}", ("entry",),
                                     "only the entry state may have no transition into it"))
        reachable = nx.descendants(g, d.entry) | {d.entry}
        problems += [_Problem(f"state {s} cannot be reached from {d.entry}", ("states", s),
                              "add a transition into it, or remove the state", key=True)
                     for s in d.states if s not in reachable]
        for state in d.states:
            if state in d.final or state == d.entry:
                continue
            onward = {v for _, v in g.out_edges(state)} - {state}
            if not onward:
                problems.append(_Problem(f"state {state} is a trap: no transition leaves it", ("states", state),
                                         "add a transition out of it, or declare it in `final`", key=True))
            elif d.states[state].open and CLOSED in d.states and not nx.has_path(g, state, CLOSED):
                problems.append(_Problem(f"open state {state} can never reach {CLOSED}", ("states", state),
                                         f"add a way on towards {CLOSED}, or mark the state `open: false`",
                                         key=True))
        return problems

    # ------------------------------------------------------------------ drawing
    def to_dot(self) -> str:
        lines = ["digraph hazard_workflow {", "  rankdir=LR;", '  node [shape=box, fontname="sans-serif"];']
        for name, state in self.definition.states.items():
            shape = ", peripheries=2" if name in self.definition.final else ""
            lines.append(f'  {name} [label="{name}\\n{state.label}"{shape}];')
        for t in self.definition.transitions:
            style = ", style=dashed" if t.overlay else ""
            for source in t.from_:
                lines.append(f'  {source} -> {t.target(source)} [label="{t.action}\\n{"/".join(t.roles)}"{style}];')
        lines.append("}")
        return "\n".join(lines) + "\n"

    def to_mermaid(self) -> str:
        lines = ["stateDiagram-v2", f"  [*] --> {self.definition.entry}"]
        for t in self.definition.transitions:
            for state in t.from_:
                lines.append(f"  {state} --> {t.target(state)}: {t.action} ({'/'.join(t.roles)})")
        lines += [f"  {state} --> [*]" for state in self.definition.final]
        return "\n".join(lines) + "\n"


def load_machine(path: Path | None = None) -> Machine:
    from .guards import GUARDS

    if path is None:
        resource = resources.files("hazard_rules").joinpath("workflow").joinpath("data").joinpath("machine.yaml")
        text, shown = resource.read_text(encoding="utf-8"), "machine.yaml"
    else:
        text, shown = path.read_text(encoding="utf-8"), str(path)
    doc = read_yaml(text, shown)
    definition, errors = validate_document(doc, MachineDef)
    if errors:  # every mistake of the file at once, as the pack and settings loaders report theirs
        raise errors[0] if len(errors) == 1 else Diagnostics(errors, shown)
    assert isinstance(definition, MachineDef)
    return Machine(definition, frozenset(GUARDS), shown, doc=doc)

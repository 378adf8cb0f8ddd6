"""A loaded, checked and compiled set of rule packs, and classification with it."""

from __future__ import annotations

import bisect
import datetime as dt
import difflib
import itertools
from collections.abc import Hashable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, overload

from ..checking.pack import CheckedRule
from ..checking.types import Type
from ..compiling.codegen import FusedFn, PlanFn, compile_fused
from ..compiling.exact import MAX_ASSIGNMENTS, Exact, decide_exactly, domain_size
from ..compiling.explain import explain
from ..errors import ConflictingFactError, Diagnostics, PackError, Span, UnknownNameError, UsageError
from ..findings.coerce import (
    NUMBER_LIMIT,
    FactValueError,
    TypedCheck,
    as_is_reader,
    coercer_for,
    is_asked,
    is_missing,
    to_json_value,
    typed_already,
    typed_check,
)
from ..findings.model import Finding, Scope
from ..loading.models import Provision
from .citations import item_of
from .claims import judge_claim, resolve
from .compiled import CompiledPack, compile_pack, industry_matches
from .memo import ABSENT, Memo
from .records import Fields, Head, head_fields, plain_head, prepare_record, validated_fields
from .verdict import (
    VERDICT_FIELDS,
    ClaimCheck,
    Considered,
    ItemHit,
    Match,
    OpenRule,
    ProvisionRef,
    Resemblance,
    RuleValue,
    Verdict,
    VerdictColumns,
    VerdictKind,
    built,
    constructed,
)

if TYPE_CHECKING:
    from ..matching.matcher import ClauseMatcher

__all__ = ["CompiledPack", "Ruleset", "compile_pack", "industry_matches"]

RESEMBLANCES_SHOWN = 3
OUTCOME_FACTS = 12    # records of at most this many facts have their outcome per pack memoised
# The memo's budget, in entries of about a kilobyte (a record shape's generated check counts
# one per 8 fact names): a few tens of MiB at most, whatever the records (docs/fast-paths.md).
MEMO_BUDGET = 16384
_NO_EXACT: dict[int, Exact] = {}  # no rule decided over finite domains (read only)
_NONE_CITED: frozenset[int] = frozenset()
_SERIALS = itertools.count()  # numbers record shapes and choices: a short key for what depends on them


class Ruleset:
    """Every loaded pack, grouped by standard family and ordered by edition."""

    def __init__(self, packs: list[CompiledPack], digest: str, *, tests_read: bool = False) -> None:
        self.packs = packs
        self.digest = digest
        self.tests_read = tests_read  # load_rulesets(tests=True): each rule carries its tests
        self.families: dict[str, list[CompiledPack]] = {}
        for pack in sorted(packs, key=lambda p: p.standard.effective_from):
            self.families.setdefault(pack.standard.family, []).append(pack)
        self.facts: dict[str, Type] = _merge_vocabularies(packs)
        self._coercers = {fact_id: coercer_for(t) for fact_id, t in self.facts.items()}
        self._typed = {fact_id: typed for fact_id, t in self.facts.items() if (typed := typed_already(t)) is not None}
        self._plans: dict[tuple[str, tuple[str, ...]], PlanFn] = {}
        # Everything memoised because records repeat (memo.py): record shapes, editions per
        # industries and period, outcomes, matches, open rules, exact answers, listings, the
        # safety net. One budget bounds them all, since their keys come from records.
        self._memo = Memo(MEMO_BUDGET)
        self._last_choice: tuple[tuple[str, ...] | None, dt.date | None, _Choice | None] = (None, None, None)
        # the last (shape, choice) given a fused function, and the function (_fused)
        self._last_fused: tuple[tuple[str, ...] | None, _Choice | None, _Fused | None] = (None, None, None)
        self._matcher: ClauseMatcher[CompiledPack] | None = None
        self._considered_cache: dict[tuple[str, int, str], Considered] = {}
        self._families_of: dict[str, list[str]] = {}
        # the days on which some edition starts or stops being in force: between two of them,
        # every finding of the same industries is judged by the same editions (_choice)
        self._boundaries = sorted({day for pack in packs for day in _edges_of(pack)})
        # how many values each fact can take (more than the bound when it cannot be enumerated)
        self._domain_sizes = {name: domain_size(fact_type) or MAX_ASSIGNMENTS + 1
                              for name, fact_type in self.facts.items()}

    # --------------------------------------------------------------- pickling
    def __getstate__(self) -> dict[str, Any]:
        """The packs, not what classifying compiled or memoised: a restored Ruleset (a load
        snapshot, or a copy sent to a worker process) rebuilds those when first needed."""
        from .snapshot import engine_digest

        return {"engine": engine_digest(), "packs": self.packs, "digest": self.digest, "tests_read": self.tests_read}

    def __setstate__(self, state: dict[str, Any]) -> None:
        from .snapshot import engine_digest

        if state.get("engine") != engine_digest():
            raise UsageError("this rule set was pickled by another version of hazard_rules",
                             hint="install the same hazard-rules on the client and on every worker (docs/scale.md)")
        self.__init__(state["packs"], state["digest"], tests_read=state["tests_read"])  # type: ignore[misc]

    # --------------------------------------------------------------- lookup
    def rule(self, rule_id: str) -> tuple[CompiledPack, CheckedRule]:
        for pack in self.packs:
            for rule in pack.rules:
                if rule.rule.id == rule_id:
                    return pack, rule
        ids = [r.rule.id for p in self.packs for r in p.rules]
        close = difflib.get_close_matches(rule_id, ids, n=1)
        raise UnknownNameError(f"no rule with id {rule_id!r}", hint=f"did you mean {close[0]!r}?" if close else
                         "`hazard-rules rules list` shows every rule")

    # --------------------------------------------------------------- facts
    def coerce_facts(self, facts: dict[str, Any], strict: bool = False,
                     asked: set[str] | None = None) -> tuple[dict[str, Any], list[str]]:
        """Typed facts for evaluation, plus warnings for unknown names (errors if strict).
        Facts given as explicit unknowns (null, "待查") are added to `asked` if given.

        Values that are typed already (JSON's true/false, numbers, enum ids) are kept as they
        are; a record of a shape seen before (the same fact names) has them checked by one
        generated test (findings/coerce.py typed_check) and only its other facts converted."""
        coerced = self._coerce(facts, strict, asked)
        assert coerced is not None
        return coerced[0], coerced[1]

    def _coerce(self, facts: dict[str, Any], strict: bool, asked: set[str] | None, *, plain_names: bool = True,
                ) -> tuple[dict[str, Any], list[str], Hashable | None] | None:
        """coerce_facts(), and a key for the names of the typed facts (the record shape's
        serial number when they are the record's names, as for most records), or None.
        plain_names=False: the names have not been checked (a record not validated by
        pydantic): None if one is not a plain str (pydantic converts a str subclass)."""
        shape = tuple(facts)
        entry = self._memo.peek(("shape", shape))
        if entry is ABSENT:  # first sighting: one-off shapes never pay for generating code
            if all(name.__class__ is str for name in shape):
                self._memo.put(("shape", shape), None)
            elif not plain_names:
                return None
        elif entry is None:
            entry = self._shape(shape)
            self._memo.put(("shape", shape), entry, size=1 + len(shape) // 8)
        if entry is not None and entry is not ABSENT and entry.check(facts):
            rest = entry.rest
            if not rest:
                return dict(facts), [], entry.serial
            clean = dict(facts)
            warnings: list[str] = []
            for name in rest:  # converted in place, so that clean keeps the record's order
                if not self._coerce_one(name, facts[name], clean, warnings, strict, asked):
                    del clean[name]
            if len(clean) == len(shape) and not warnings:
                return clean, warnings, entry.serial
            return clean, warnings, None
        clean, warnings = {}, []
        typed, limit = self._typed, NUMBER_LIMIT
        for name, value in facts.items():
            accepted = typed.get(name)
            if accepted is not None:  # accepts_as_is(value, accepted), inline: most values are typed already
                cls = value.__class__
                if (value in accepted if cls is str
                        else cls in accepted and (cls is bool or -limit <= value <= limit)):
                    clean[name] = value
                    continue
            self._coerce_one(name, value, clean, warnings, strict, asked)
        return clean, warnings, None

    def _shape(self, shape: tuple[str, ...]) -> _Shape:
        """The generated test of a shape's typed facts, and its other names (as plain str: a
        record whose names equal a shape's may give them as a str subclass)."""
        shape = tuple(str.__str__(name) for name in shape)
        typed = {name: self._typed[name] for name in shape if name in self._typed}
        return _Shape(next(_SERIALS), typed_check(typed), tuple(name for name in shape if name not in typed))

    def _fused(self, record: dict[str, Any], raw: dict[str, Any], head: Head | None, fields: Fields | None,
               as_of: dt.date | None, scope: Scope, *, keep: bool, lean: bool,
               ) -> tuple[Finding | None, Verdict | tuple[VerdictKind, tuple[str, ...]]] | None:
        """_judged for a dict record of many facts (`raw`) of a shape seen before, read by
        plain_head (`head`) or else by validated_fields (`fields`): one generated function per
        (shape, choice) reads each fact once, checks it is given as is and evaluates every
        applicable rule on the values read (_fuse). A record for which no rule is true or open
        and that has no claim then has its verdict from the shape's `quiet` one (_concern; in
        enterprise scope, every applicable rule false), without a Finding unless kept; any
        other is evaluated with the outcomes. None, for the ordinary path (prepare_record, then
        _outcome per step), if a value is not given as is: that path converts it or gives the
        message, so errors are the same."""
        if head is not None:
            name, date, industries = head
            given_scope, claimed = None, None
        else:
            assert fields is not None
            values = fields[0]
            name, date, industries, given_scope, claimed = (
                values["id"], values["date"], values["industries"], values["scope"], values["claimed"])
        day = as_of or date
        choice = self._choice(tuple(industries), day)
        shape = tuple(raw)
        last_shape, last_choice, fused = self._last_fused  # records in a row tend to be of one form
        if last_choice is not choice or last_shape != shape:
            fused = self._memo.peek(("fused", choice.serial, shape))
            if fused is ABSENT:
                entry = self._memo.peek(("shape", shape))
                if entry is ABSENT or entry is None:  # a shape seen once: no code generated yet
                    return None
                fused = self._fuse(shape, entry.serial, choice, raw)
                self._memo.put(("fused", choice.serial, shape), fused, size=2 + len(shape) // 8)
            self._last_fused = (shape, choice, fused)
        if fused is None:
            return None
        answer = fused.fn(raw, day)
        if answer is None:
            return None
        facts, results = answer
        scope = given_scope or scope
        if facts is None:  # nothing true or open (nor a three-valued closure run): only the names count
            quiet = None if claimed is not None else fused.quiet if scope == "finding" else fused.quiet_enterprise
            if quiet is not None:  # as _evaluate would find it: the verdict depends only on the names
                level, concerned, reasons = quiet
                answered: Verdict | tuple[VerdictKind, tuple[str, ...]] = (level, ()) if lean else constructed(
                    Verdict, {"finding": name, "verdict": level, "scope": scope, "matches": [], "items": [],
                              "undetermined": [], "concerned": list(concerned), "resembles": [], "claim": None,
                              "reasons": list(reasons), "packs": dict(choice.packs), "as_of": day,
                              "ruleset": self.digest, "warnings": []}, VERDICT_FIELDS)  # built(Verdict, ...), inline
                finding = self._finding(record, raw, head, fields, keep=keep) if keep or head is None else None
                return finding, answered
            facts = raw  # raw has the names, and no value is read
            outcomes = [(found, _NO_EXACT) for found in results]
        else:
            outcomes = [
                (found, _NO_EXACT) if not found or min(found) >= 0 else self._decide_exactly(step[0], found, facts, day)
                for found, step in zip(results, choice.steps)]
        if lean and head is not None:  # major, whatever else: no Finding (plain_head's id is a plain str)
            matched_ids = _true_ids(choice, outcomes, scope)
            if matched_ids:
                return None, ("major", matched_ids)
        finding = self._finding(record, raw, head, fields, keep=keep)
        return finding, self._evaluate(finding, facts, day, [], scope, frozenset(), fused.serial, outcomes, lean=lean)

    @staticmethod
    def _finding(record: dict[str, Any], raw: dict[str, Any], head: Head | None, fields: Fields | None, *,
                 keep: bool = True) -> Finding:
        """The Finding of a record _fused judges, made from what was read of it; keep: it goes
        back to the caller, so its facts are a copy of the record's, as pydantic makes them."""
        if fields is None:
            assert head is not None
            fields = head_fields(record, head)
        values, given = fields
        values["facts"] = dict(raw) if keep else raw
        return constructed(Finding, values, given)

    def _fuse(self, shape: tuple[str, ...], serial: int, choice: _Choice, raw: dict[str, Any]) -> _Fused | None:
        """The generated function of _fused (compiling/codegen.py compile_fused): the shape's
        facts read and checked (findings/coerce.py as_is_reader), then the rules of each step,
        as in Ruleset.plan; with the shape's quiet verdict in finding scope (_concern, for a
        record of these names, `raw` one). None if a fact is unknown or of a type that is
        always converted."""
        reader = as_is_reader(tuple(str.__str__(name) for name in shape), self.facts)
        if reader is None:
            return None
        groups = [[(i, pack.rules[i].condition) for i in sorted(applicable)]
                  for pack, _, _, applicable, _ in choice.steps]
        fn = compile_fused("fused", reader.lines, reader.namespace, reader.local_facts, reader.converted, groups)[0]
        # in enterprise scope, with nothing true or open, _evaluate lists every applicable rule as
        # false and gives the choice's reasons (the safety net is for finding scope only)
        listed = tuple(c for pack, codes, _, _, _ in choice.steps for c in self._every_rule(pack, codes, []))
        reasons = choice.reasons + choice.unencoded
        return _Fused(fn, serial, self._concern(choice, raw, frozenset(), (serial, frozenset())).quiet,
                      ("undetermined" if reasons else "ordinary", listed, reasons))

    def _coerce_one(self, name: str, value: Any, clean: dict[str, Any], warnings: list[str], strict: bool,
                    asked: set[str] | None) -> bool:
        """One fact through its type's coercer (see coerce_facts); False if it has no value."""
        coerce = self._coercers.get(name)
        if coerce is None:
            close = difflib.get_close_matches(name, list(self._coercers), n=1)
            message = f"unknown fact {name!r}" + (f"; did you mean {close[0]!r}?" if close else "")
            if strict:
                raise FactValueError(message)
            warnings.append(message)
            return False
        if value is None or value.__class__ is str and is_missing(value):
            if asked is not None and is_asked(value):
                asked.add(name)
            return False
        try:
            clean[name] = coerce(value)
        except FactValueError as exc:
            raise FactValueError(f"fact {name!r}: {exc}", exc.hint) from None
        return True

    # --------------------------------------------------------------- classification
    def classify(self, finding: Finding | dict[str, Any], *, as_of: dt.date | None = None,
                 strict: bool = False, scope: Scope = "finding", where: Span | None = None) -> Verdict:
        """Verdict for one finding: the one record path of the library, `check`, `explain`
        and `ledger intake`. Raises RecordError (with `where`, if given) for a bad record.

        scope: "finding" judges the deficiency the record gives facts of, "enterprise" the
        whole standard (docs/scopes.md); a finding's own `scope` field wins.
        """
        _check_scope(scope)
        verdict = self._judged(finding, as_of, strict, scope, where, keep=False, lean=False)[1]
        assert isinstance(verdict, Verdict)
        return verdict

    def judge(self, record: Finding | dict[str, Any], *, as_of: dt.date | None = None, strict: bool = False,
              scope: Scope = "finding", where: Span | None = None) -> tuple[Finding, Verdict]:
        """classify(), also returning the validated Finding (for the ledger and explain)."""
        _check_scope(scope)
        finding, verdict = self._judged(record, as_of, strict, scope, where, keep=True, lean=False)
        assert finding is not None and isinstance(verdict, Verdict)
        return finding, verdict

    def _judged(self, record: Finding | dict[str, Any], as_of: dt.date | None, strict: bool, scope: Scope,
                where: Span | None, *, keep: bool, lean: bool,
                ) -> tuple[Finding | None, Verdict | tuple[VerdictKind, tuple[str, ...]]]:
        """The Finding and _evaluate's answer for one record; a dict record of many facts of a
        shape seen before by _fused, which makes the Finding only if `keep` (it goes back to the
        caller) or the verdict needs it. None instead only for a record plain_head read: its
        `id` is then the plain str the Finding would hold."""
        fields: Fields | None = None  # the record's fields as read, for prepare_record not to read them again
        if record.__class__ is dict:
            raw = record.get("facts")
            if raw.__class__ is dict and len(raw) > OUTCOME_FACTS:  # small records: outcomes memoised (_outcome)
                head = plain_head(record)
                fields = validated_fields(record) if head is None else None
                if head is not None or fields is not None:
                    judged = self._fused(record, raw, head, fields, as_of, scope, keep=keep, lean=lean)
                    if judged is not None:
                        return judged
                    if head is not None:
                        fields = head_fields(record, head)
        prepared = prepare_record(self, record, strict=strict, where=where, keep=keep, fields=fields)
        finding = prepared.finding
        return finding, self._evaluate(finding, prepared.facts, as_of or finding.date, prepared.warnings,
                                       finding.scope or scope, prepared.asked, prepared.names, lean=lean)

    def classify_many(self, findings: Iterable[Finding | dict[str, Any]], *, as_of: dt.date | None = None,
                      strict: bool = False, scope: Scope = "finding") -> Iterator[Verdict]:
        """classify() for each finding, in order, lazily (memory stays flat over any iterable).

        The per-call checks are made once; what is memoised on the ruleset (the editions and
        compiled code per industries and period, the typed check per record shape, open-rule
        and exact answers) is then reused from one record to the next. Raises RecordError at
        the first bad record, as classify would."""
        _check_scope(scope)
        judged = self._judged
        for record in findings:
            verdict = judged(record, as_of, strict, scope, None, keep=False, lean=False)[1]
            assert isinstance(verdict, Verdict)
            yield verdict

    def classify_batch(self, findings: Iterable[Finding | dict[str, Any]], *, as_of: dt.date | None = None,
                       strict: bool = False, scope: Scope = "finding") -> VerdictColumns:
        """The verdict level and matched rule ids of every finding, as columns: what a system
        that only stores or routes levels needs, without the verdict objects, the explanations
        (`because`, `provisions`), `items` or the claim check that classify builds. Levels and
        rule ids equal classify's (tests/test_batch.py). Raises RecordError at the first bad record."""
        _check_scope(scope)
        judged = self._judged
        ids: list[str] = []
        levels: list[VerdictKind] = []
        rules: list[tuple[str, ...]] = []
        for record in findings:
            finding, answer = judged(record, as_of, strict, scope, None, keep=False, lean=True)
            assert not isinstance(answer, Verdict)
            level, matched = answer
            ids.append(finding.id if finding is not None else record["id"])  # type: ignore[index]
            levels.append(level)
            rules.append(matched)
        return VerdictColumns(findings=ids, verdicts=levels, rules=rules)

    def evaluate(self, finding: Finding, facts: dict[str, Any], day: dt.date, warnings: list[str] | None = None,
                 scope: Scope = "finding", asked: frozenset[str] = frozenset()) -> Verdict:
        """Verdict for a validated finding whose facts are coerced already; `asked` are the
        facts it gives as explicit unknowns (they concern rules but have no value)."""
        verdict = self._evaluate(finding, facts, day, warnings, scope, asked, lean=False)
        assert isinstance(verdict, Verdict)
        return verdict

    def _evaluate(self, finding: Finding, facts: dict[str, Any], day: dt.date, warnings: list[str] | None,
                  scope: Scope, asked: frozenset[str], names: Hashable | None = None,
                  outcomes: list[tuple[list[int], dict[int, Exact]]] | None = None, *,
                  lean: bool) -> Verdict | tuple[VerdictKind, tuple[str, ...]]:
        """evaluate(); lean: only the level and the matched rule ids (classify_batch), without
        explaining matches, listing items or judging the claim. names: stands for the names
        of `facts` in memo keys (PreparedRecord.names), if known; outcomes: each step's
        _outcome, if the record's fused function made them (_fused)."""
        claim = finding.claimed  # its cited clauses are considered even when lean
        choice = self._choice(tuple(finding.industries), day)
        if outcomes is None:
            outcomes = [self._outcome(pack, codes, plan, facts, day if dated else None, day)
                        for pack, codes, plan, _, dated in choice.steps]
        if lean:
            matched_ids = _true_ids(choice, outcomes, scope)
            if matched_ids:
                return "major", matched_ids
        concern: _Concern | None = None
        if scope == "finding":
            concern = self._concern(choice, facts, asked, (tuple(facts) if names is None else names, asked))
            if claim is None and concern.quiet is not None and not any(results for results, _ in outcomes):
                # No rule true or open, no claim: the verdict depends only on the names given.
                level, quiet_concerned, quiet_reasons = concern.quiet
                if lean:
                    return level, ()
                return built(Verdict, finding=finding.id, verdict=level, scope=scope, matches=[], items=[],
                             undetermined=[], concerned=list(quiet_concerned), resembles=[], claim=None,
                             reasons=list(quiet_reasons), packs=dict(choice.packs), as_of=day, ruleset=self.digest,
                             warnings=warnings or [])
        matches: list[Match] = []
        matched: list[str] = []
        open_rules: list[OpenRule] = []
        concerned: list[Considered] = []
        values: dict[tuple[str, str], str] = {}    # (pack id, rule id) -> true/false/unknown
        missing: dict[tuple[str, str], list[str]] = {}  # (pack id, rule id) of an open rule -> its missing facts
        applicable_ids: set[tuple[str, str]] = set()
        reasons = list(choice.reasons)
        chosen = choice.chosen
        citations = resolve(claim, [pack for pack, _ in chosen]) if claim else []
        for step, (pack, codes, _, applicable, _) in enumerate(choice.steps):
            results, exact = outcomes[step]
            if claim is not None:
                applicable_ids.update((pack.id, pack.rules[i].rule.id) for i in applicable)
            if scope == "enterprise":
                for index in results:
                    if index >= 0:
                        matched.append(pack.rules[index].rule.id)
                        if not lean:
                            matches.append(self._match(pack, index, facts, day, exact.get(index)))
                    else:
                        open_rules.append(self._open(pack, ~index, facts, day, situational=False))
                        missing[pack.id, open_rules[-1].rule] = open_rules[-1].missing
                listed = self._every_rule(pack, codes, results)
                concerned.extend(listed)
                if claim is not None:
                    values.update(((pack.id, c.rule), c.value) for c in listed)
                continue
            cited = {i for c in citations for p, i in c.rules if p is pack} if citations else _NONE_CITED
            assert concern is not None
            if not results and not cited:  # what the names make of this edition, worked out once (_concern)
                quiet_listed = concern.listed[step]
                stray_reason = concern.stray[step]
                if not quiet_listed and stray_reason is not None:
                    reasons.append(stray_reason)
                concerned.extend(quiet_listed)
                if claim is not None:
                    values.update(((pack.id, c.rule), c.value) for c in quiet_listed)
                continue
            true = {i for i in results if i >= 0}
            unknown = {~i for i in results if i < 0}
            concerned_anywhere = concern.anywhere[step]
            considered = (concerned_anywhere | cited) & applicable | true
            stray_reason = concern.stray[step]
            if not considered and stray_reason is not None:
                reasons.append(stray_reason)
            still_open: list[int] = []
            for index in sorted(considered & (true | unknown)):
                rule = pack.rules[index]
                if index in true:
                    matched.append(rule.rule.id)
                    if not lean:
                        matches.append(self._match(pack, index, facts, day, exact.get(index)))
                    continue
                open_rule = self._open(pack, index, facts, day, situational=index not in cited, asked=asked)
                if open_rule is not None:
                    open_rules.append(open_rule)
                    missing[pack.id, open_rule.rule] = open_rule.missing
                    still_open.append(index)
            listed = self._listed_in_finding_scope(pack, considered, true, still_open)
            concerned.extend(listed)
            if claim is not None:
                values.update(((pack.id, c.rule), c.value) for c in listed)
        resembles: list[Resemblance] = []
        if scope == "finding" and not concerned and not reasons and chosen:
            resembles = self._safety_net(finding, chosen, reasons)
            if not resembles and warnings:
                reasons.append("the finding gives facts the packs do not know (see warnings); it may be about "
                               "a clause they decide: correct the fact names")
            elif not resembles and not facts and not asked and not (finding.description or "").strip():
                reasons.append("the finding records neither facts nor a description: nothing to judge")
        if not matched:
            # Part of a standard applied is not encoded (its text was not found): whatever the
            # finding records, it may be about an item nobody could check. Never `ordinary`.
            reasons.extend(choice.unencoded)
        kind: VerdictKind = "major" if matched else "undetermined" if open_rules or reasons else "ordinary"
        if lean:
            return kind, tuple(matched)
        claim_check: ClaimCheck | None = None
        if claim is not None:
            standards = "、".join(f"{p.standard.name}（{p.standard.number}）" for p, _ in chosen)
            claim_check = judge_claim(claim, kind, citations, values, applicable_ids, missing, standards)
        return built(Verdict, finding=finding.id, verdict=kind, scope=scope, matches=matches, items=_items(matches),
                     undetermined=open_rules, concerned=concerned, resembles=resembles, claim=claim_check,
                     reasons=reasons, packs=dict(choice.packs), as_of=day, ruleset=self.digest,
                     warnings=warnings or [])

    @staticmethod
    def _missing_reason(pack: CompiledPack, codes: tuple[str, ...]) -> str:
        items = "、".join(pack.missing_items(codes))
        return (f"{items} of {pack.standard.name} ({pack.standard.number}) could not be checked: the official "
                f"text was not found, so it is not encoded (see `hazard-rules rules coverage`)")

    def _concern(self, choice: _Choice, facts: dict[str, Any], asked: frozenset[str], names: Hashable) -> _Concern:
        """What the fact names a record gives (and those it asks about) make of a choice in
        finding scope, made once per (choice, names): the rules they concern, why they concern
        none that applies, and the verdict when no rule is true or open and there is no claim."""
        key = ("concern", choice.serial, names)
        found = self._memo.peek(key)
        if found is ABSENT:
            found = self._concern_now(choice, tuple(facts.keys() | asked if asked else facts))
            self._memo.put(key, found)
        return found  # type: ignore[no-any-return]

    def _concern_now(self, choice: _Choice, given: tuple[str, ...]) -> _Concern:
        anywhere: list[frozenset[int]] = []
        stray_reasons: list[str | None] = []
        listings: list[tuple[Considered, ...]] = []
        reasons = list(choice.reasons)
        for pack, codes, _, applicable, _ in choice.steps:
            concerned_anywhere = pack.concerned(given)
            considered = concerned_anywhere & applicable
            stray = concerned_anywhere - applicable
            anywhere.append(concerned_anywhere)
            stray_reasons.append(self._stray_reason(pack, stray, given, codes) if stray else None)
            if stray and not considered:
                reasons.append(self._stray_reason(pack, stray, given, codes))
            listings.append(tuple(self._considered(pack, i, "false") for i in sorted(considered)))
        concerned = tuple(c for listed in listings for c in listed)
        quiet: tuple[VerdictKind, tuple[Considered, ...], tuple[str, ...]] | None = None
        if concerned or reasons or not choice.chosen:  # else the safety net reads the description
            reasons.extend(choice.unencoded)
            quiet = ("undetermined" if reasons else "ordinary", concerned, tuple(reasons))
        return _Concern(tuple(anywhere), tuple(stray_reasons), tuple(listings), quiet)

    @staticmethod
    def _stray_reason(pack: CompiledPack, stray: frozenset[int], given: Iterable[str], codes: tuple[str, ...]) -> str:
        """The finding's facts are about articles its industry codes do not bring in."""
        first = pack.rules[min(stray)]
        facts = sorted(set(given) & pack.subject[min(stray)])
        return (f"the finding's facts ({', '.join(facts)}) are about "
                f"{first.section.section.article}{first.rule.clause or ''}"
                f" ({first.rule.id}), which applies to {', '.join(first.section.applies_to)}, not to "
                f"{', '.join(codes)}: add that industry code")

    def _listed_in_finding_scope(self, pack: CompiledPack, considered: frozenset[int], true: set[int],
                                 still_open: list[int]) -> list[Considered]:
        """The considered rules with their values, made once per outcome (like _every_rule)."""
        def listing() -> list[Considered]:
            opened = set(still_open)
            return [self._considered(pack, i, "true" if i in true else "unknown" if i in opened else "false")
                    for i in sorted(considered)]

        key = (pack.id, considered, frozenset(true & considered), tuple(still_open))
        return self._memo.get(("listed", key), listing)

    def _every_rule(self, pack: CompiledPack, codes: tuple[str, ...], results: list[int]) -> list[Considered]:
        """Enterprise scope lists every applicable rule; the list depends only on which rules
        came out true or unknown, so it is made once per such outcome."""
        def listing() -> list[Considered]:
            decided: dict[int, RuleValue] = {i if i >= 0 else ~i: "true" if i >= 0 else "unknown" for i in results}
            return [self._considered(pack, i, decided.get(i, "false")) for i in pack.applicable_in_order(codes)]

        return self._memo.get(("every", pack.id, codes, tuple(results)), listing)

    def _considered(self, pack: CompiledPack, index: int, value: RuleValue) -> Considered:
        """Verdict entries are immutable: one per (rule, value), made once."""
        key = (pack.id, index, value)
        entry = self._considered_cache.get(key)
        if entry is None:
            rule = pack.rules[index]
            entry = self._considered_cache[key] = Considered(
                rule=rule.rule.id, article=rule.section.section.article, clause=rule.rule.clause, value=value)
        return entry

    def _safety_net(self, finding: Finding, chosen: list[tuple[CompiledPack, tuple[str, ...]]],
                    reasons: list[str]) -> list[Resemblance]:
        """A finding that concerns no rule: does its description resemble a clause? Memoised
        on the text and the editions (inspection forms repeat their wording), a few thousand kept."""
        if not finding.description or not finding.description.strip():
            return []
        key = (finding.description, tuple((pack.id, codes) for pack, codes in chosen))
        description = finding.description
        answer = self._memo.get(("resembling", key), lambda: self._resembling_now(description, chosen),
                                size=1 + len(description) // 1024)
        resembles, reason = answer
        if reason is not None:
            reasons.append(reason)
        return list(resembles)

    def _resembling_now(self, description: str, chosen: list[tuple[CompiledPack, tuple[str, ...]]]
                        ) -> tuple[tuple[Resemblance, ...], str | None]:
        found = self.matcher.resembling(description, [pack for pack, _ in chosen])
        if not found:
            return (), None
        # Clauses of the articles the finding's codes bring in first (the same wording often
        # recurs in several articles); the others still count: the code may be wrong.
        applicable = {(id(pack), i) for pack, codes in chosen for i in pack.applicable(codes)}
        found.sort(key=lambda hit: (id(hit.pack), hit.index) not in applicable)
        resembles = [self._resemblance(hit.pack, hit.index, hit.score) for hit in found[:RESEMBLANCES_SHOWN]]
        best, hit = resembles[0], found[0]
        where = "" if (id(hit.pack), hit.index) in applicable else (
            f", which applies to {', '.join(hit.pack.rules[hit.index].section.applies_to)}: add that industry code and")
        return tuple(resembles), (f"description resembles {best.article}{best.clause or ''} ({best.rule}) "
                                  f"\"{best.text}\"{where or ';'} record {', '.join(best.facts)} to decide")

    def _resemblance(self, pack: CompiledPack, index: int, score: float) -> Resemblance:
        rule = pack.rules[index]
        return Resemblance(rule=rule.rule.id, article=rule.section.section.article, clause=rule.rule.clause,
                           text=rule.rule.text, score=round(score, 3), facts=sorted(pack.subject[index]))

    @property
    def matcher(self) -> ClauseMatcher[CompiledPack]:
        """The description matcher over every clause, built on first use."""
        if self._matcher is None:
            from ..matching.matcher import ClauseMatcher

            self._matcher = ClauseMatcher(self.packs)
        return self._matcher

    def plan(self, pack: CompiledPack, industries: tuple[str, ...]) -> PlanFn:
        """The compiled evaluator for the rules of `pack` that apply to `industries`.

        `plan(pack, inds)(facts, day)` returns the index of every true rule and ~index
        (that is -index-1) of every unknown one; `facts` must be coerced already
        (see coerce_facts). This is the hot path benchmarks/ measures.
        """
        key = (pack.id, industries)
        fn = self._plans.get(key)
        if fn is None:
            if len(self._plans) > 4096:  # bounded: industries come from untrusted records
                self._plans.clear()
            fn = self._plans[key] = pack.compile_for(industries)[0]
        return fn

    def trace(self, finding: Finding, facts: dict[str, Any],
              day: dt.date) -> list[tuple[CompiledPack, CheckedRule, Any]]:
        """Every applicable rule with its explained outcome (true, false or unknown)."""
        traced = []
        for pack, codes in self._packs_for(tuple(finding.industries), day, []):
            for index in sorted(pack.applicable(codes)):
                rule = pack.rules[index]
                traced.append((pack, rule, explain(rule.condition, facts, day)))
        return traced

    def _choice(self, industries: tuple[str, ...], day: dt.date) -> _Choice:
        """The editions, sections and compiled code a finding of these industries on `day` is
        judged with: the same for every day of a period in which no edition starts or ends,
        so made once per (industries, period) — per day only when a reason names the day."""
        last = self._last_choice  # records in a row tend to be of one kind: one comparison, no memo key
        if last[2] is not None and last[0] == industries and last[1] == day:
            return last[2]
        period = bisect.bisect_right(self._boundaries, day)
        found = self._memo.peek(("choice", industries, period))
        if found is ABSENT:
            found = self._memo.peek(("choice", industries, day))
        if found is ABSENT:
            reasons: list[str] = []
            if not industries:
                reasons.append("the finding names no industry, so no standard could be applied")
            chosen = self._packs_for(industries, day, reasons)
            # Periods are cut by every pack's edition dates, so most periods choose what the one
            # before chose: the same choice object then, and the same code and memo entries
            # made for it (per record shape, _fused), not new ones per period.
            content = (tuple((id(pack), codes) for pack, codes in chosen), tuple(reasons))
            found = self._memo.peek(("choice made", content))
            if found is ABSENT:
                found = _Choice(
                    serial=next(_SERIALS), chosen=chosen, reasons=tuple(reasons),
                    steps=tuple((pack, codes, self.plan(pack, codes), pack.applicable(codes),
                                 any(pack.reads_today[i] for i in pack.applicable(codes))) for pack, codes in chosen),
                    packs={pack.id: pack.standard.effective_from.isoformat() for pack, _ in chosen},
                    unencoded=tuple(self._missing_reason(pack, codes) for pack, codes in chosen
                                    if pack.missing_items(codes)))
                self._memo.put(("choice made", content), found)
            self._memo.put(("choice", industries, day if reasons else period), found)
        choice: _Choice = found
        self._last_choice = (industries, day, choice)
        return choice

    def editions_for(self, industries: tuple[str, ...],
                     day: dt.date) -> tuple[list[tuple[CompiledPack, tuple[str, ...]]], list[str]]:
        """The editions that judge a finding of these industries on `day`, each with the codes
        it judges, and the reasons some code or date brought none (as in a verdict)."""
        reasons: list[str] = []
        return self._packs_for(industries, day, reasons), reasons

    def _packs_for(self, industries: tuple[str, ...], day: dt.date,
                   reasons: list[str]) -> list[tuple[CompiledPack, tuple[str, ...]]]:
        """The edition of each standard that applies, with the finding's codes it judges."""
        chosen: dict[str, tuple[CompiledPack, list[str]]] = {}
        for code in industries:
            families = self._families_of.get(code)
            if families is None:
                families = [name for name, editions in self.families.items()
                            if industry_matches(code, editions[-1].checked.source.manifest.scope.industries)]
                if len(self._families_of) < 4096:  # bounded: codes come from untrusted records
                    self._families_of[code] = families
            if not families:
                reasons.append(self._no_standard_reason(code))
                continue
            for name in families:
                pack = self._edition(name, day, reasons)
                if pack is None:
                    continue
                scope = pack.checked.source.manifest.scope
                left_out = next((o for o in scope.outside if industry_matches(code, o.industries)), None)
                if left_out is not None:
                    reasons.append(f"industry {code!r} is outside {pack.standard.name} "
                                   f"({pack.standard.number}): {left_out.reason}")
                    continue
                known = scope.codes
                if known and code not in known:
                    # A mistyped code would silently skip its article: never let it pass.
                    close = difflib.get_close_matches(code, list(known), n=1)
                    reasons.append(f"industry code {code!r} is not one {pack.standard.name} knows"
                                   + (f"; did you mean {close[0]!r}?" if close else ""))
                    continue
                chosen.setdefault(pack.id, (pack, []))[1].append(code)
        return [(pack, tuple(codes)) for pack, codes in chosen.values()]

    def _no_standard_reason(self, code: str) -> str:
        for pack in self.packs:
            for delegation in pack.checked.source.manifest.scope.delegations:
                if industry_matches(code, delegation.industries):
                    article = f" {delegation.article}" if delegation.article else ""
                    return (f"industry {code!r} is judged under {delegation.standard} "
                            f"({pack.standard.name}{article}), which is not encoded")
        return f"no encoded standard applies to industry {code!r}"

    def _edition(self, family: str, day: dt.date, reasons: list[str]) -> CompiledPack | None:
        editions = self.families[family]
        for pack in editions:
            if pack.in_force(day):
                return pack
        first, last = editions[0].standard, editions[-1].standard
        if day < first.effective_from:
            previous = first.supersedes
            if previous is None:
                message = (f"the standard in force on {day.isoformat()} is not encoded: {first.name} "
                           f"({first.number}) took effect only on {first.effective_from.isoformat()}, "
                           f"and no earlier edition is recorded")
                if message not in reasons:
                    reasons.append(message)
                return None
            what = f"{previous.name}, {previous.number}" if previous.number else previous.name
        else:
            following = last.superseded_by
            what = f"{following.name}, {following.number}" if following and following.number else (
                following.name if following else f"the edition after {last.name} ({last.number})")
        message = f"the standard in force on {day.isoformat()} ({what}) is not encoded"
        if message not in reasons:
            reasons.append(message)
        return None

    def _cite(self, pack: CompiledPack, rule: CheckedRule) -> dict[str, Any]:
        """The fields of verdict.Citation for this rule."""
        added_by = rule.section.section.added_by     # a 补充情形 is cited with its own document
        standard, number = pack.standard.name, pack.standard.number
        if added_by is not None:
            assert added_by.number is not None  # check_pack refuses an added_by without one
            standard, number = added_by.name, added_by.number
        return {"rule": rule.rule.id, "standard": standard, "number": number,
                "article": rule.section.section.article, "clause": rule.rule.clause, "text": rule.rule.text}

    def _outcome(self, pack: CompiledPack, codes: tuple[str, ...], plan: PlanFn, facts: dict[str, Any],
                 dated: dt.date | None, day: dt.date) -> tuple[list[int], dict[int, Exact]]:
        """The rules of `pack` that are true (i) and open (~i) for these facts, after deciding
        what can be decided over finite domains. Memoised for records of a few facts (most
        inspection records give one to five, from small domains, so they recur): the three-
        valued fallback and the exact answers are then paid once per combination. dated: the
        day if a rule of the plan reads it, else None (the answer does not depend on it)."""
        def outcome() -> tuple[list[int], dict[int, Exact]]:
            results = plan(facts, day)
            if results and min(results) < 0:  # rules the fast path left open: decide over finite domains
                return self._decide_exactly(pack, results, facts, day)
            return results, _NO_EXACT

        if len(facts) > OUTCOME_FACTS:
            results = plan(facts, day)  # outcome(), inline: the common case of a record of many facts
            return (results, _NO_EXACT) if not results or min(results) >= 0 else \
                self._decide_exactly(pack, results, facts, day)
        key = ("outcome", pack.id, codes, tuple((name, value.__class__, value) for name, value in facts.items()), dated)
        return self._memo.get(key, outcome)

    def _match(self, pack: CompiledPack, index: int, facts: dict[str, Any], day: dt.date,
               exact: Exact | None = None) -> Match:
        """The match of a true rule with its explanation. Memoised like _open: a match depends
        only on the values of the facts the rule reads (exact answers are memoised on the same)."""
        return self._memo.get(("match", _rule_key(pack, index, facts, day)),
                              lambda: self._explained_match(pack, pack.rules[index], facts, day, exact))

    def _explained_match(self, pack: CompiledPack, rule: CheckedRule, facts: dict[str, Any], day: dt.date,
                         exact: Exact | None) -> Match:
        support = exact.because if exact is not None else explain(rule.condition, facts, day).support
        because = {path: to_json_value(value) for path, value in support.items()}
        provisions = [built(ProvisionRef, id=p.id, article=p.article, text=p.text)
                      for p in pack.checked.provisions if _provision_applies(p, support, pack)]
        return built(Match, **self._cite(pack, rule), because=because, provisions=provisions,
                     regardless_of=list(exact.forced_by) if exact is not None else [])

    def _decide_exactly(self, pack: CompiledPack, results: list[int], facts: dict[str, Any],
                        day: dt.date) -> tuple[list[int], dict[int, Exact]]:
        """Open rules whose missing facts are few and finite, decided by trying every value
        of them (compiling/exact.py): true ones join the true, false ones leave the list."""
        decided: dict[int, Exact] = {}
        kept: list[int] = []
        for result in results:
            index = ~result if result < 0 else -1
            exact = self._exact(pack, index, facts, day) if result < 0 else None
            if exact is None:
                kept.append(result)
            elif exact.value:
                kept.append(index)
                decided[index] = exact
        return kept, decided

    def _exact(self, pack: CompiledPack, index: int, facts: dict[str, Any], day: dt.date) -> Exact | None:
        """decide_exactly for one open rule, memoised like _open; cheap refusal first: a missing
        fact of infinite type, or more assignments than the bound, is known without explaining."""
        def decide() -> Exact | None:
            assignments = 1
            for name in pack.reads[index]:
                if name not in facts:
                    assignments *= self._domain_sizes[name]
            return None if assignments > MAX_ASSIGNMENTS else decide_exactly(
                pack.rules[index].condition, facts, day, self.facts, kleene=pack.kleene(index))

        return self._memo.get(("exact", _rule_key(pack, index, facts, day)), decide)

    @overload
    def _open(self, pack: CompiledPack, index: int, facts: dict[str, Any], day: dt.date,
              situational: Literal[False], asked: frozenset[str] = ...) -> OpenRule: ...

    @overload
    def _open(self, pack: CompiledPack, index: int, facts: dict[str, Any], day: dt.date,
              situational: bool, asked: frozenset[str] = ...) -> OpenRule | None: ...

    def _open(self, pack: CompiledPack, index: int, facts: dict[str, Any], day: dt.date,
              situational: bool, asked: frozenset[str] = frozenset()) -> OpenRule | None:
        """An open rule and its missing facts; situational: only over the situations the
        facts concern (None if those are all false). Memoised: findings tend to leave the
        same facts out, and the answer depends only on the values of the facts the rule reads."""
        also = tuple(sorted(asked.intersection(pack.reads[index]))) if situational and asked else ()
        rule = pack.rules[index]

        def explain_open() -> OpenRule | None:
            if not situational:
                return built(OpenRule, **self._cite(pack, rule),
                             missing=sorted(explain(rule.condition, facts, day).missing))
            value, open_situations = pack.situational_value(index, facts, day, asked)
            missing = {m for s in open_situations for m in explain(s, facts, day).missing}
            return None if value is False else built(OpenRule, **self._cite(pack, rule), missing=sorted(missing))

        return self._memo.get(("open", _rule_key(pack, index, facts, day), situational, also), explain_open)


@dataclass(frozen=True, slots=True)
class _Shape:
    """A record shape (its fact names, in order) seen twice: the generated test that its typed
    facts are given as is, and the names converted one by one (Ruleset._coerce)."""

    serial: int                 # stands for the names in memo keys (_concern)
    check: TypedCheck
    rest: tuple[str, ...]       # in record order


@dataclass(frozen=True, slots=True)
class _Fused:
    """The generated function of a (record shape, choice) (Ruleset._fuse)."""

    fn: FusedFn
    serial: int                 # the shape's: stands for its names in memo keys
    quiet: tuple[VerdictKind, tuple[Considered, ...], tuple[str, ...]] | None  # _Concern.quiet of its names
    quiet_enterprise: tuple[VerdictKind, tuple[Considered, ...], tuple[str, ...]]  # the same in enterprise scope


@dataclass(frozen=True, slots=True)
class _Concern:
    """What the fact names of a record make of a choice, in finding scope (Ruleset._concern)."""

    anywhere: tuple[frozenset[int], ...]    # per step: the rules one of whose subject facts is given
    stray: tuple[str | None, ...]           # per step: why those outside the applicable rules do not count
    listed: tuple[tuple[Considered, ...], ...]  # per step with no rule true, open or cited: its concerned rules
    # with no rule true or open and no claim: the verdict's kind, concerned rules and reasons
    # (None when the description safety net would have to look: nothing concerned, no reason)
    quiet: tuple[VerdictKind, tuple[Considered, ...], tuple[str, ...]] | None


@dataclass(frozen=True, slots=True)
class _Choice:
    """What a finding's industry codes choose in a period (Ruleset._choice)."""

    serial: int                                               # stands for the choice in memo keys
    chosen: list[tuple[CompiledPack, tuple[str, ...]]]       # each edition with the codes it judges
    reasons: tuple[str, ...]                                  # why some code or the date found none
    # each edition with its codes, its compiled code, its applicable rules, whether one reads the date
    steps: tuple[tuple[CompiledPack, tuple[str, ...], PlanFn, frozenset[int], bool], ...]
    packs: dict[str, str]                                     # pack id -> edition date, as in a verdict
    unencoded: tuple[str, ...]                                # reasons for items whose text is missing


def _edges_of(pack: CompiledPack) -> tuple[dt.date, ...]:
    """The first day a pack is in force and, if it ends, the first day it no longer is."""
    standard = pack.standard
    if standard.effective_to is None:
        return (standard.effective_from,)
    return standard.effective_from, standard.effective_to + dt.timedelta(days=1)


def _true_ids(choice: _Choice, outcomes: list[tuple[list[int], dict[int, Exact]]], scope: Scope) -> tuple[str, ...]:
    """The ids of the true rules, as a verdict's matches name them (_evaluate): every true rule
    is matched, in finding scope in index order per edition (a true rule is always considered),
    in enterprise scope in the order evaluated. Any makes the verdict major, whatever else."""
    return tuple(step[0].rules[i].rule.id for (results, _), step in zip(outcomes, choice.steps)
                 for i in (sorted(results) if scope == "finding" else results) if i >= 0)


def _rule_key(pack: CompiledPack, index: int, facts: dict[str, Any], day: dt.date) -> tuple[Any, ...]:
    """What a rule's open-rule answers depend on: the values of the facts it reads, and the
    date if it reads the date. With each value's class: 12 and 12.0 decide alike, but a
    match shows the value as given."""
    given = tuple((name, facts[name].__class__, facts[name]) for name in pack.reads[index] if name in facts)
    return (pack.id, index, given, day if pack.reads_today[index] else None)


def _provision_applies(provision: Provision, support: dict[str, Any], pack: CompiledPack) -> bool:
    target = pack.checked.named_types.get(provision.type)
    if target is None:
        return False
    for path, value in support.items():
        fact_type = pack.checked.facts.get(path)
        if fact_type == target and value in provision.values:
            return True
    return False


def _check_scope(scope: str) -> None:
    if scope not in ("finding", "enterprise"):
        raise UsageError(f"scope must be 'finding' or 'enterprise', not {scope!r}")


def _merge_vocabularies(packs: list[CompiledPack]) -> dict[str, Type]:
    merged: dict[str, Type] = {}
    owner: dict[str, str] = {}
    errors: list[PackError] = []
    for pack in packs:
        for fact_id, fact_type in pack.checked.facts.items():
            if fact_id in merged and merged[fact_id] != fact_type:
                origin = pack.checked.source.facts[fact_id].origin
                errors.append(ConflictingFactError(
                    f"fact {fact_id!r} is declared as {fact_type} here "
                    f"but as {merged[fact_id]} in pack {owner[fact_id]}",
                    origin.span(key=True), "a fact id means one thing across packs; rename one or share it"))
                continue
            merged[fact_id] = fact_type
            owner[fact_id] = pack.id
    if errors:
        raise Diagnostics(errors, "rule packs")
    return merged


def _items(matches: list[Match]) -> list[ItemHit]:
    """The matched items, each once: sub-items of one item (（三）1, （三）2) count as that item."""
    grouped: dict[tuple[str, str, str | None], list[Match]] = {}
    for match in matches:
        grouped.setdefault((match.number, match.article, item_of(match.clause)), []).append(match)
    return [built(ItemHit, standard=group[0].standard, number=number, article=article, item=item,
                  clauses=[m.clause for m in group], rules=[m.rule for m in group])
            for (number, article, item), group in grouped.items()]

"""One declaration per notion: a fact id (or a named type) is declared in one file only.

The engine accepts two packs declaring the same fact identically, but two copies drift apart
(a label or a description changed in one pack only) and a reader cannot tell which is meant.
A fact that the packs of several families read is declared once in rulesets/_shared/; one that
only the editions of one family read, in that family's vocabulary (rulesets/_gongmao/,
rulesets/_civil_explosives/); the packs import it (`imports: [...]`). See docs/pack-format.md,
"Shared vocabularies".

A pack's fact table (pack.checked.source.facts) holds its own declarations and those of the
vocabularies it imports, each with the origin it was read from: the document is the pack's own
file or the vocabulary's. So the files that declare an id are the distinct documents behind it
over all packs: one for a vocabulary fact (whichever packs import it), one per pack for a copy.
"""

from __future__ import annotations

from collections import defaultdict

import pytest

from hazard_rules import load_rulesets

RULESET = load_rulesets()


def declaring_files(ruleset, kind: str = "facts") -> dict[str, dict[str, str]]:
    """id -> {file: "file:line:col"} for every file that declares the id (kind: facts or types)."""
    found: dict[str, dict[str, str]] = defaultdict(dict)
    for pack in ruleset.packs:
        for key, located in getattr(pack.checked.source, kind).items():
            doc = located.origin.doc
            found[key].setdefault(doc.file, str(located.origin.span(key=True)))
    return found


def copies(ruleset, kind: str = "facts") -> list[str]:
    """One line per id declared in more than one file, naming each place."""
    return [f"{kind[:-1]} {key!r} is declared in {len(places)} files: " + ", ".join(sorted(places.values()))
            for key, places in sorted(declaring_files(ruleset, kind).items()) if len(places) > 1]


def own_facts(pack) -> set[str]:
    """The facts a pack declares itself (not through `imports`)."""
    own = {id(doc) for doc in pack.checked.source.documents}
    return {key for key, located in pack.checked.source.facts.items() if id(located.origin.doc) in own}


@pytest.mark.parametrize("kind", ["facts", "types"])
def test_each_fact_and_type_is_declared_once(kind: str) -> None:
    found = copies(RULESET, kind)
    assert not found, (
        "declared in more than one pack: move the declaration to a shared vocabulary "
        "(rulesets/_shared/ for several families, rulesets/_<family>/ for the editions of one family) "
        "and add it to the packs' `imports`:\n  " + "\n  ".join(found))


def test_no_two_packs_declare_the_same_fact_themselves() -> None:
    """The same rule stated on the packs' own declarations (what a copy-paste between packs produces)."""
    owners: dict[str, list[str]] = defaultdict(list)
    for pack in RULESET.packs:
        for key in own_facts(pack):
            owners[key].append(str(pack.checked.source.facts[key].origin.span(key=True)))
    shared = {key: places for key, places in owners.items() if len(places) > 1}
    assert not shared, "\n".join(f"{key}: {', '.join(sorted(places))}" for key, places in sorted(shared.items()))


def test_vocabulary_facts_are_not_counted_as_a_packs_own() -> None:
    """Guards the test above: the packs that import _shared do not own its facts."""
    for pack in RULESET.packs:
        source = pack.checked.source
        if "_shared" in source.manifest.imports:
            assert "enterprise.metal_smelting" in source.facts
            assert "enterprise.metal_smelting" not in own_facts(pack), pack.id

"""Check inspector-recorded findings against the verdicts the law gives.

One format for every standard (examples/gongmao-2023/findings.yaml documents the keys):
each entry has `category`, `record` (the finding), `expect` (verdict, matches, open and
optional concerned / claim / provisions / reasons) and `why`. Used by the pytest files and,
while a pack is being written, from the command line:

    python -m tests.pack_findings --rules DIR examples/<pack>/findings.yaml
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import yaml

CATEGORIES = {"major", "threshold", "precondition", "ordinary", "missing", "resembles", "boundary"}


def read_entries(path: Path) -> list[dict[str, Any]]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))["findings"]


def problems(ruleset: Any, entry: dict[str, Any]) -> list[str]:
    """Every way the verdict differs from the entry's expectation (empty: it agrees)."""
    expect = entry["expect"]
    verdict = ruleset.classify(entry["record"])        # the record's own `scope` wins over the default
    found: list[str] = []

    def differ(what: str, got: Any, want: Any) -> None:
        if got != want:
            found.append(f"{what}: got {got!r}, expected {want!r}")

    differ("scope", verdict.scope, entry["record"].get("scope", "finding"))
    differ("verdict", verdict.verdict, expect["verdict"])
    differ("matches", sorted(m.rule for m in verdict.matches), sorted(expect["matches"]))
    differ("open", {o.rule: o.missing for o in verdict.undetermined}, expect["open"])
    if "concerned" in expect:
        differ("concerned", sorted(c.rule for c in verdict.concerned), sorted(expect["concerned"]))
    if "claim" in expect:
        differ("claim", verdict.claim.agreement if verdict.claim else None, expect["claim"])
    elif "claimed" not in entry["record"] and verdict.claim is not None:
        found.append("claim: the record claims nothing, yet the verdict judges a claim")
    if "provisions" in expect:
        differ("provisions", sorted({p.id for m in verdict.matches for p in m.provisions}),
               sorted(expect["provisions"]))
    for text in expect.get("reasons", []):
        if not any(text in reason for reason in verdict.reasons):
            found.append(f"reasons: none contains {text!r} (reasons: {verdict.reasons})")
    if found:
        found.append(f"verdict was: {verdict.verdict}; matches {[m.rule for m in verdict.matches]}; "
                     f"open { {o.rule: o.missing for o in verdict.undetermined} }; "
                     f"concerned { {c.rule: c.value for c in verdict.concerned} }; reasons {verdict.reasons}")
    return found


def main(argv: list[str] | None = None) -> int:
    from hazard_rules import load_rulesets

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rules", help="rules folder (default: the shipped packs)")
    parser.add_argument("files", nargs="+", type=Path)
    args = parser.parse_args(argv)
    ruleset = load_rulesets(args.rules)
    failed = total = 0
    for path in args.files:
        for entry in read_entries(path):
            total += 1
            if entry.get("category") not in CATEGORIES:
                print(f"{path}: {entry['record']['id']}: category must be one of {sorted(CATEGORIES)}")
                failed += 1
                continue
            found = problems(ruleset, entry)
            if found:
                failed += 1
                print(f"{path}: {entry['record']['id']}:\n  " + "\n  ".join(found))
    print(f"{total - failed}/{total} findings agree")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

"""JSON Schema of pack files, generated from the pydantic models, for editors."""

from __future__ import annotations

from typing import Any

from .models import FindingTestsPart, PackManifest, PackPart, TestsPart, Vocabulary


def pack_schema() -> dict[str, Any]:
    """One schema accepting pack.yaml, included part files, their .tests.yaml files, a pack's
    findings.tests.yaml and shared vocabularies."""
    manifest = PackManifest.model_json_schema(ref_template="#/$defs/{model}")
    part = PackPart.model_json_schema(ref_template="#/$defs/{model}")
    tests = TestsPart.model_json_schema(ref_template="#/$defs/{model}")
    findings = FindingTestsPart.model_json_schema(ref_template="#/$defs/{model}")
    vocabulary = Vocabulary.model_json_schema(ref_template="#/$defs/{model}")
    definitions: dict[str, Any] = {}
    for schema in (manifest, part, tests, findings, vocabulary):
        definitions.update(schema.pop("$defs", {}))
    definitions.update({"PackManifest": manifest, "PackPart": part, "TestsPart": tests,
                        "FindingTestsPart": findings, "Vocabulary": vocabulary})
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://hazard-rules.invalid/pack.schema.json",
        "title": "hazard_rules rule pack file",
        "description": "pack.yaml, a file it includes, a <file>.tests.yaml, a findings.tests.yaml, or a shared "
                       "vocabulary.yaml "
                       "(docs/pack-format.md)",
        "anyOf": [{"$ref": "#/$defs/PackManifest"}, {"$ref": "#/$defs/PackPart"}, {"$ref": "#/$defs/TestsPart"},
                  {"$ref": "#/$defs/FindingTestsPart"}, {"$ref": "#/$defs/Vocabulary"}],
        "$defs": definitions,
    }

"""JUnit XML for rule-pack test results, for rule authors' CI."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from ..authoring.testing import TestResult


def write_junit(results: list[TestResult], path: Path) -> None:
    suite = ET.Element("testsuite", name="hazard-rules", tests=str(len(results)),
                       failures=str(sum(not r.passed for r in results)))
    for result in results:
        case = ET.SubElement(suite, "testcase", classname=f"{result.pack}.{result.rule}", name=result.name)
        if not result.passed:
            failure = ET.SubElement(case, "failure", message=result.error or
                                    f"expected {result.expected}, got {result.actual}")
            failure.text = result.origin
    ET.ElementTree(suite).write(path, encoding="utf-8", xml_declaration=True)

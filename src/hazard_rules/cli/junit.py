"""JUnit XML for rule-pack test results (rule tests and finding tests), for rule authors' CI.

A todo test that still fails is a skipped case (a known gap); every other failure is a failure.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from ..authoring.testing import TestReport


def write_junit(report: TestReport, path: Path) -> None:
    cases: list[tuple[str, str, str, str, str]] = []   # classname, name, status, message, where
    for r in report.rule_tests:
        message = r.error or f"expected {r.expected}, got {r.actual}"
        cases.append((f"{r.pack}.{r.rule}", r.name, r.status, (r.todo or "") if r.status == "todo" else message,
                      r.origin))
    for f in report.finding_tests:
        message = f.error or "; ".join(f.problems)
        cases.append((f"{f.pack}.findings", f.name, f.status, (f.test.todo or "") if f.status == "todo" else message,
                      f.origin))
    suite = ET.Element("testsuite", name="hazard-rules", tests=str(len(cases)),
                       failures=str(sum(c[2] == "failed" for c in cases)),
                       skipped=str(sum(c[2] == "todo" for c in cases)))
    for classname, name, status, message, where in cases:
        case = ET.SubElement(suite, "testcase", classname=classname, name=name)
        if status == "failed":
            ET.SubElement(case, "failure", message=message or "").text = where
        elif status == "todo":
            ET.SubElement(case, "skipped", message=f"todo: {message}").text = where
    ET.ElementTree(suite).write(path, encoding="utf-8", xml_declaration=True)

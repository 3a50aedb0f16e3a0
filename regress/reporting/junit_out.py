"""One JUnit XML for a whole run (`--junit PATH`), read from its Judgement.

One <testsuite> per pass that ran, so each test appears once per pass; testcases are named
`<plan>/<suite>/<test>` (plan as "73-02"), with the pass, suite, requirement and pytest node id
as properties. Only a passed test is a pass: every other outcome regress counts as not passed
is a <failure>, or an <error> when the test errored, timed out or never ran.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from regress.errors import RegressError
from regress.judging import history
from regress.judging.results import PassKind, TestOutcome, TestStatus
from regress.judging.verdicts import Judgement, SuiteVerdict, TestVerdict

_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ERRORS = (TestStatus.ERROR, TestStatus.TIMEOUT, TestStatus.NOT_RUN)


def render_junit(judgement: Judgement) -> str:
    """The run as JUnit XML text."""
    root = ET.Element("testsuites", name=f"regress {judgement.record.run_id}")
    plans = _plan_labels(judgement)
    for kind in judgement.ran:
        cases = [
            _case(plans.get(verdict.suite, "-"), verdict, test, kind, outcome)
            for verdict in judgement.suites
            for test in verdict.tests
            if (outcome := test.outcome(kind)) is not None
        ]
        suite = ET.SubElement(
            root,
            "testsuite",
            name=kind.value,
            tests=str(len(cases)),
            failures=str(sum(1 for c in cases if c.find("failure") is not None)),
            errors=str(sum(1 for c in cases if c.find("error") is not None)),
            skipped="0",
            time=f"{sum(float(c.get('time', '0')) for c in cases):.3f}",
        )
        suite.extend(cases)
    for name in ("tests", "failures", "errors"):
        root.set(name, str(sum(int(s.get(name, "0")) for s in root)))
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def write_junit(judgement: Judgement, path: Path) -> None:
    """Write the run's JUnit XML to path atomically (its folder is created)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        history.write_text_atomic(path, render_junit(judgement))
    except OSError as exc:
        raise RegressError(
            f"--junit {path}: cannot write it ({exc.strerror or exc}); choose a writable path"
        ) from exc


def _plan_labels(judgement: Judgement) -> dict[str, str]:
    """Each suite's first plan as "<phase number>-<plan>"."""
    labels: dict[str, str] = {}
    for plan in judgement.plans:
        for verdict in plan.suites:
            labels.setdefault(verdict.suite, f"{plan.info.phase.split('-', 1)[0]}-{plan.info.plan}")
    return labels


def _case(
    plan: str, verdict: SuiteVerdict, test: TestVerdict, kind: PassKind, outcome: TestOutcome
) -> ET.Element:
    name = test.nodeid.split("::", 1)[1] if "::" in test.nodeid else test.nodeid
    case = ET.Element(
        "testcase",
        name=f"{plan}/{verdict.suite}/{name}",
        classname=f"{plan}/{verdict.suite}",
        time=f"{outcome.duration:.3f}",
    )
    properties = ET.SubElement(case, "properties")
    for key, value in (
        ("pass", kind.value),
        ("suite", verdict.suite),
        ("requirement", verdict.requirement),
        ("nodeid", test.nodeid),
        ("status", outcome.status.value),
    ):
        ET.SubElement(properties, "property", name=key, value=value)
    if outcome.status is not TestStatus.PASSED:
        tag = "error" if outcome.status in _ERRORS else "failure"
        message = _xml_safe(outcome.message) or outcome.status.value
        element = ET.SubElement(case, tag, type=outcome.status.value, message=message)
        element.text = _xml_safe(outcome.details or outcome.message)
    return case


def _xml_safe(text: str) -> str:
    """Drop characters XML 1.0 cannot hold (terminal escapes in tracebacks, say)."""
    return _INVALID.sub("", text)

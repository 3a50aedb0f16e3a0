"""Read pytest's JUnit XML into TestOutcomes; a missing or broken file is an error, never a pass."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from regress.judging.results import TestOutcome, TestStatus

NODEID_PROPERTY = "regress_nodeid"
SUITE_PROPERTY = "regress_suite"
CAUSE_PROPERTY = "regress_cause"  # the failure's cause in one line, by the regress plugin
TIMEOUT_PROPERTY = "regress_timeout"  # the per-test timeout that applied, and why
MAX_DETAILS = 4000


class JUnitError(Exception):
    """The JUnit file cannot be trusted; the message says why."""


@dataclass(frozen=True)
class JUnitCase:
    """One testcase element, attributed to a suite by the regress pytest plugin."""

    suite: str  # "" when the plugin did not attribute it (collection errors)
    outcome: TestOutcome


def read_junit(path: Path) -> tuple[JUnitCase, ...]:
    """Parse a JUnit XML file written by pytest with the regress plugin active."""
    if not path.is_file():
        raise JUnitError(f"no JUnit XML at {path} (pytest did not finish writing it)")
    try:
        root = ET.parse(path).getroot()
    except (ET.ParseError, OSError) as exc:
        raise JUnitError(f"unreadable JUnit XML at {path}: {exc}") from exc
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    if root.tag not in ("testsuite", "testsuites") or not suites:
        raise JUnitError(f"{path} is not a pytest JUnit report (root element <{root.tag}>)")
    return tuple(_case(case) for suite in suites for case in suite.iter("testcase"))


def _case(case: ET.Element) -> JUnitCase:
    props = {
        prop.get("name", ""): prop.get("value", "")
        for prop in case.findall("./properties/property")
    }
    nodeid = props.get(NODEID_PROPERTY) or _fallback_nodeid(case)
    status, message, details = _status(case)
    if status in (TestStatus.FAILED, TestStatus.ERROR) and props.get(CAUSE_PROPERTY):
        message = props[CAUSE_PROPERTY]
    return JUnitCase(
        suite=props.get(SUITE_PROPERTY, ""),
        outcome=TestOutcome(
            nodeid=nodeid,
            status=status,
            duration=float(case.get("time", "0") or 0),
            message=message,
            details=details[:MAX_DETAILS],
        ),
    )


def _fallback_nodeid(case: ET.Element) -> str:
    """Collection errors carry no properties: rebuild something readable from class + name."""
    classname = case.get("classname", "")
    name = case.get("name", "")
    return f"{classname.replace('.', '/')}.py::{name}" if classname else name


def _status(case: ET.Element) -> tuple[TestStatus, str, str]:
    for tag, status in (("failure", TestStatus.FAILED), ("error", TestStatus.ERROR)):
        element = case.find(tag)
        if element is not None:
            message = element.get("message", "") or (element.text or "").strip()
            details = (element.text or "").strip()
            timed_out = message.lstrip().startswith(("Failed: Timeout", "Timeout"))
            return (TestStatus.TIMEOUT if timed_out else status), _first_line(message), details
    skipped = case.find("skipped")
    if skipped is not None:
        kind = skipped.get("type", "")
        message = skipped.get("message", "")
        if kind == "pytest.xfail":
            return TestStatus.XFAILED, _first_line(message), ""
        return TestStatus.SKIPPED, _first_line(message), ""
    if case.find("./properties/property[@name='regress_xpassed']") is not None:
        return TestStatus.XPASSED, "unexpectedly passed (xpass)", ""
    return TestStatus.PASSED, "", ""


def _first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip()[:300]
    return ""

"""`--junit`: one JUnit XML of a whole run, read from its judgement."""

from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from regress.errors import RegressError
from regress.judging.judge import judge
from regress.judging.results import PassKind, TestStatus
from regress.reporting.junit_out import render_junit, write_junit
from tests.runner import records


def _cases(root: ET.Element, kind: PassKind) -> dict[str, ET.Element]:
    suite = next(s for s in root.iter("testsuite") if s.get("name") == kind.value)
    return {str(case.get("name")): case for case in suite.iter("testcase")}


def test_every_test_once_per_pass_named_plan_suite_test() -> None:
    judgement = judge(records.failing_record())
    root = ET.fromstring(render_junit(judgement))
    tests = sum(len(v.tests) for v in judgement.suites)
    assert root.get("tests") == str(2 * tests)
    isolation, combined = _cases(root, PassKind.ISOLATION), _cases(root, PassKind.COMBINED)
    assert isolation.keys() == combined.keys() and len(isolation) == tests
    name = "73-02/multi-participant/" + records.INTERFERENCE_TEST.split("::")[1]
    # interference: passed alone, failed combined
    assert isolation[name].find("failure") is None
    failure = combined[name].find("failure")
    assert failure is not None and failure.get("message") == records.INTERFERENCE_MESSAGE
    props = {p.get("name"): p.get("value") for p in combined[name].iter("property")}
    assert props["pass"] == "combined" and props["nodeid"] == records.INTERFERENCE_TEST
    # the blocked suite's tests never ran: errors, not passes
    blocked = [c for n, c in isolation.items() if "/network-disruption/" in n]
    assert blocked and all(c.find("error") is not None for c in blocked)


def test_characters_xml_cannot_hold_are_dropped() -> None:
    record = records.failing_record()
    isolation = record.passes[0]
    first = isolation.suites[0]
    test = dataclasses.replace(
        first.tests[0], status=TestStatus.FAILED, message="\x1b[31mred\x1b[0m", details="a\x00b"
    )
    suite = dataclasses.replace(first, tests=(test, *first.tests[1:]))
    changed = dataclasses.replace(isolation, suites=(suite, *isolation.suites[1:]))
    record = dataclasses.replace(record, passes=(changed, *record.passes[1:]))
    root = ET.fromstring(render_junit(judge(record)))  # parses: nothing invalid left
    messages = [f.get("message") for f in root.iter("failure")]
    assert "[31mred[0m" in messages


def test_an_unwritable_path_is_one_clear_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    with pytest.raises(RegressError, match=r"--junit .*: cannot write it"):
        write_junit(judge(records.passing_record()), tmp_path / "file" / "junit.xml")

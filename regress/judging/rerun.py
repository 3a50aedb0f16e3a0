"""What `regress run --last-failed/--failed-from RUN_ID` reruns: the tests that did not pass."""

from __future__ import annotations

from regress.judging.judge import judge
from regress.judging.results import RunRecord, TestStatus


def not_passed(record: RunRecord) -> tuple[str, ...]:
    """Node ids of the expected tests that did not pass in some pass of the run (failed, errored,
    timed out, flaky, missing, skipped or not reached); tests it deselected are left out."""
    found = []
    for suite in judge(record).suites:
        for test in suite.tests:
            outcomes = [o for o in (test.isolation, test.combined) if o is not None]
            if not test.expected or test.passed:
                continue
            if outcomes and all(o.status is TestStatus.DESELECTED for o in outcomes):
                continue
            found.append(test.nodeid)
    return tuple(found)

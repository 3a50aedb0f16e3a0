"""One suite's attempts in a pass under `--repeat N`, folded into one result: passes/N per test,
and a test that both passed and failed is flaky."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from regress.judging.results import SuiteResult, SuiteStatus, TestOutcome, TestStatus

FAILED_STATUSES = (TestStatus.FAILED, TestStatus.ERROR, TestStatus.TIMEOUT)
# when attempts disagree about the suite, the most telling status wins
_SUITE_ORDER = (
    SuiteStatus.INTERRUPTED,
    SuiteStatus.BLOCKED,
    SuiteStatus.ERROR,
    SuiteStatus.TIMEOUT,
    SuiteStatus.FAILED,
    SuiteStatus.NOT_RUN,
    SuiteStatus.PASSED,
)


def merge_attempts(attempts: Sequence[SuiteResult]) -> SuiteResult:
    """The suite's result over its attempts (the one result when it ran once).

    Args:
        attempts: the suite's results in one pass, first attempt first.

    Returns:
        One result: each test with the status of every attempt in `tries`, FLAKY when it both
        passed and failed; the suite's most telling status; durations added up.
    """
    if len(attempts) == 1:
        return attempts[0]
    first = attempts[0]
    order: list[str] = []
    outcomes: dict[str, list[TestOutcome]] = {}
    for attempt in attempts:
        for test in attempt.tests:
            if test.nodeid not in outcomes:
                order.append(test.nodeid)
            outcomes.setdefault(test.nodeid, []).append(test)
    tests = tuple(merge_tests(outcomes[nodeid]) for nodeid in order)
    statuses = {a.status for a in attempts}
    status = next(s for s in _SUITE_ORDER if s in statuses)
    reasons = list(dict.fromkeys(a.reason for a in attempts if a.reason))
    # where to look: the attempts that did not pass (the first one when all passed)
    failed = [a for a in attempts if a.status is not SuiteStatus.PASSED] or attempts[:1]
    codes = [a.exit_code for a in attempts if a.exit_code not in (None, 0)]
    return replace(
        first,
        status=status,
        tests=tests,
        duration=sum(a.duration for a in attempts),
        reason="\n".join(reasons),
        exit_code=codes[0] if codes else attempts[-1].exit_code,
        artifacts=tuple(dict.fromkeys(item for a in failed for item in a.artifacts)),
        ports=tuple(p for a in attempts for p in a.ports),
        leaks=tuple(leak for a in attempts for leak in a.leaks),
        attempts=len(attempts),
    )


def merge_tests(attempts: Sequence[TestOutcome]) -> TestOutcome:
    """One test over its attempts: PASSED when every attempt passed, FLAKY when some passed and
    some failed, else the first attempt's non-passing status; the first failure's message."""
    tries = tuple(a.status for a in attempts)
    passed = sum(1 for s in tries if s is TestStatus.PASSED)
    failures = [a for a in attempts if a.status is not TestStatus.PASSED]
    if not failures:
        status = TestStatus.PASSED
    elif passed and any(a.status in FAILED_STATUSES for a in failures):
        status = TestStatus.FLAKY
    else:
        status = failures[0].status
    shown = next((a for a in failures if a.status in FAILED_STATUSES), None) or (
        failures[0] if failures else attempts[0]
    )
    return TestOutcome(
        nodeid=attempts[0].nodeid,
        status=status,
        duration=sum(a.duration for a in attempts) / len(attempts),
        message=shown.message,
        details=shown.details,
        tries=tries,
    )


def tries_phrase(isolation: TestOutcome | None, combined: TestOutcome | None) -> str:
    """For a test that ran repeatedly and did not pass every time, e.g.
    ` - passed 2/4 alone, 3/4 combined (flake rate 38%)`; "" otherwise."""
    ran = [(w, o) for w, o in (("alone", isolation), ("combined", combined)) if o and o.tries]
    passes = sum(o.passes for _, o in ran)
    attempts = sum(o.attempts for _, o in ran)
    if not ran or passes == attempts:
        return ""
    counts = ", ".join(f"{o.passes}/{o.attempts} {where}" for where, o in ran)
    return f" - passed {counts} (flake rate {1 - passes / attempts:.0%})"

"""A suite's result in one pass, judged from what its pytest process left behind (or did not)."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from regress.judging.junit import JUnitCase
from regress.judging.results import (
    PassKind,
    PortEvent,
    SuiteResult,
    SuiteStatus,
    TestOutcome,
    TestStatus,
)
from regress.manifest.model import Suite, is_expected, is_pattern, pattern_matches

PYTEST_EXIT = {
    0: "all tests passed",
    1: "tests failed",
    2: "collection errors, or interrupted",
    3: "internal error",
    4: "usage error",
    5: "no tests collected",
}
DESELECTED = "deselected (-k/--test/--last-failed)"


@dataclass(frozen=True)
class TestTiming:
    """When one test ran (epoch seconds), its server log's size at both ends, its files."""

    __test__ = False  # not a pytest test class

    nodeid: str
    started: float
    finished: float | None = None
    log_start: int | None = None  # bytes
    log_end: int | None = None
    files: tuple[str, ...] = ()  # absolute paths


@dataclass(frozen=True)
class PytestOutcome:
    """How a pytest process ended and what it wrote."""

    exit_code: int | None
    timed_out: bool
    duration: float
    junit: Path
    log: Path
    cases: tuple[JUnitCase, ...]
    junit_error: str  # why the JUnit file cannot be trusted ("" when it can)
    events: tuple[tuple[str, str], ...]  # (nodeid, outcome) streamed while running
    running: str  # node id in flight when the process was killed
    log_tail: tuple[str, ...] = ()  # last lines of pytest.log, for errors without JUnit
    leaked: tuple[str, ...] = ()  # processes it left behind, stopped by regress ("pid N (cmd)")
    deselected: tuple[str, ...] = ()  # node ids left out by -k, --test or --last-failed
    error_line: str = ""  # pytest's own error line when it stopped before running tests
    timings: tuple[TestTiming, ...] = ()  # per test, in the order they began
    messages: tuple[tuple[str, str], ...] = ()  # (nodeid, cause) of failures as they finished
    foreign_ports: tuple[tuple[int, str], ...] = ()  # (port, listener the run did not start)


@dataclass(frozen=True)
class SuiteJudgement:
    """The part of a pytest run that belongs to one suite."""

    status: SuiteStatus
    tests: tuple[TestOutcome, ...]
    reason: str


def judge_suite(
    run: PytestOutcome,
    name: str,
    owns: Callable[[str], bool],
    expected: Sequence[str],
    *,
    only_suite: bool,
    min_tests: int = 0,
) -> SuiteJudgement:
    """Trust the JUnit report, fall back to the exit code; expected vs collected.

    Args:
        run: the pytest process's outcome.
        name: the suite's name (as the plugin wrote it into the JUnit properties).
        owns: whether a node id falls under the suite's targets.
        expected: the suite's expected node ids.
        only_suite: the process ran this suite alone (unattributed cases are its own).
        min_tests: how many tests the patterns among expected must match together.
    """
    exact = [n for n in expected if not is_pattern(n)]
    if run.timed_out:
        done = {nodeid: outcome for nodeid, outcome in run.events if owns(nodeid)}
        said = dict(run.messages)
        timed = tuple(
            TestOutcome(
                nodeid,
                _event_status(done[nodeid]),
                message=said.get(nodeid, "finished before the timeout"),
            )
            if nodeid in done
            else TestOutcome(nodeid, TestStatus.DESELECTED, message=DESELECTED)
            if nodeid in run.deselected
            else TestOutcome(
                nodeid,
                TestStatus.TIMEOUT if nodeid == run.running else TestStatus.NOT_RUN,
                message="running when the suite timed out" if nodeid == run.running else "",
            )
            for nodeid in [
                *exact,
                *(n for n in done if n not in exact and is_expected(n, expected)),
            ]
        )
        return SuiteJudgement(
            SuiteStatus.TIMEOUT, timed, "suite timeout: pytest was killed with its process tree"
        )
    if run.error_line and (run.junit_error or run.exit_code in (2, 3, 4)):
        # pytest stopped before any test: its own line says why (see README, exit codes)
        meaning = PYTEST_EXIT.get(run.exit_code or 0, "unknown")
        return SuiteJudgement(
            SuiteStatus.ERROR,
            tuple(TestOutcome(n, TestStatus.NOT_RUN, message=run.error_line) for n in exact),
            f"{run.error_line}\npytest exited with {run.exit_code} ({meaning}); see pytest.log",
        )
    if run.junit_error:
        reason = f"{run.junit_error}; pytest exit code {run.exit_code}"
        tail = "\n".join(run.log_tail)
        return SuiteJudgement(
            SuiteStatus.ERROR,
            tuple(TestOutcome(n, TestStatus.NOT_RUN, message=reason) for n in exact),
            f"{reason}\n{tail}" if tail else reason,
        )
    mine = [
        case.outcome
        for case in run.cases
        if case.suite == name or (not case.suite and (only_suite or owns(case.outcome.nodeid)))
    ]
    collected = {outcome.nodeid: outcome for outcome in mine}
    deselected = set(run.deselected)
    tests: list[TestOutcome] = [
        collected.get(n)
        or (
            TestOutcome(n, TestStatus.DESELECTED, message=DESELECTED)
            if n in deselected
            else TestOutcome(n, TestStatus.MISSING, message="expected, not collected")
        )
        for n in exact
    ]
    tests += [o for o in mine if o.nodeid not in exact and is_expected(o.nodeid, expected)]
    tests += _short_patterns(expected, collected, min_tests)
    for outcome in mine:
        if not is_expected(outcome.nodeid, expected):
            tests.append(
                TestOutcome(
                    outcome.nodeid,
                    TestStatus.UNEXPECTED,
                    outcome.duration,
                    f"collected but not in the suite's expected tests ({outcome.status.value})"
                    + (f": {outcome.message}" if outcome.message else ""),
                    outcome.details,
                )
            )
    reason = ""
    status = SuiteStatus.PASSED
    if any(t.status not in (TestStatus.PASSED, TestStatus.DESELECTED) for t in tests):
        status = SuiteStatus.FAILED
    if run.exit_code not in (0, 1):
        status = SuiteStatus.ERROR
        meaning = PYTEST_EXIT.get(run.exit_code or 0, "unknown")
        reason = f"pytest exited with {run.exit_code} ({meaning})"
    elif run.exit_code == 1 and status is SuiteStatus.PASSED and only_suite:
        status = SuiteStatus.ERROR
        reason = "pytest exited with 1 although its JUnit report shows no failure"
    return SuiteJudgement(status, tuple(tests), reason)


def _short_patterns(
    expected: Sequence[str], collected: dict[str, TestOutcome], min_tests: int
) -> list[TestOutcome]:
    """A MISSING entry per pattern that matched nothing, and one for the patterns together
    when they matched fewer than min_tests."""
    patterns = [p for p in expected if is_pattern(p)]
    short = [
        TestOutcome(p, TestStatus.MISSING, message="expected pattern matched no collected test")
        for p in patterns
        if not any(pattern_matches(p, n) for n in collected)
    ]
    matched = sum(1 for n in collected if any(pattern_matches(p, n) for p in patterns))
    if patterns and not short and matched < min_tests:
        short.append(
            TestOutcome(
                " | ".join(patterns),
                TestStatus.MISSING,
                message=f"expected at least {min_tests} tests, {matched} collected",
            )
        )
    return short


def judged(
    suite: Suite,
    kind: PassKind,
    judgement: SuiteJudgement,
    *,
    started: str,
    duration: float,
    exit_code: int | None,
    artifacts: tuple[tuple[str, str], ...],
    ports: tuple[PortEvent, ...],
    ready_seconds: float | None,
    teardown_seconds: float | None,
    leaks: tuple[str, ...] = (),
    takeover: str = "",
) -> SuiteResult:
    """A suite's result in one pass from what its pytest process reported; a server taken
    over during the run makes it an error, whatever the tests said."""
    status, reason = judgement.status, judgement.reason
    if takeover:
        status = SuiteStatus.ERROR
        reason = f"{takeover}; {reason}" if reason else takeover
    return SuiteResult(
        suite=suite.name,
        requirement=suite.requirement,
        kind=kind,
        status=status,
        tests=judgement.tests,
        started=started,
        duration=duration,
        reason=reason,
        exit_code=exit_code,
        artifacts=artifacts,
        ports=ports,
        server_ready_seconds=ready_seconds,
        teardown_seconds=teardown_seconds,
        leaks=leaks,
    )


def not_run(
    suite: Suite,
    kind: PassKind,
    *,
    status: SuiteStatus,
    reason: str,
    ports: tuple[PortEvent, ...],
    started: str,
    clock: float,
    artifacts: tuple[tuple[str, str], ...] = (),
) -> SuiteResult:
    """A suite result whose tests did not run (blocked, server error, interrupted)."""
    return SuiteResult(
        suite=suite.name,
        requirement=suite.requirement,
        kind=kind,
        status=status,
        tests=tuple(
            TestOutcome(n, TestStatus.NOT_RUN, message=reason.splitlines()[0])
            for n in suite.expected
            if not is_pattern(n)
        ),
        started=started,
        duration=time.monotonic() - clock,
        reason=reason,
        artifacts=artifacts,
        ports=ports,
    )


def port_finding(run: PytestOutcome, ports: Sequence[int], takeover: str = "") -> str:
    """Why the suite's ports cannot be trusted: its server was replaced, or a process this
    run did not start listened on one of them while the tests ran ("" when neither)."""
    seen = [
        f"{described} listened while the tests ran; it was not started by this run"
        for port, described in run.foreign_ports
        if port in ports
    ]
    return "; ".join([takeover, *seen] if takeover else seen)


def blocked_reason(ports: tuple[PortEvent, ...]) -> str:
    """Why a suite could not run on its ports: each refused holder, or a port still busy."""
    return "; ".join(_refusal(e) for e in ports if not e.freed)


def _refusal(event: PortEvent) -> str:
    if event.pid is None:
        return f"port {event.port}: {event.reason}"
    held = f"port {event.port} held by pid {event.pid} ({event.user}: {event.cmdline})"
    if event.reason.startswith("in use by live regress run"):
        return f"{held}, {event.reason} - wait for it; --force-ports never stops a live run"
    if event.reason.startswith("not started by regress"):
        return f"{held}, not started by regress - stop it or pass --force-ports"
    return f"{held}, {event.reason} - stop it or pass --force-ports"


def _event_status(outcome: str) -> TestStatus:
    try:
        return TestStatus(outcome)
    except ValueError:
        return TestStatus.ERROR

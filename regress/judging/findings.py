"""What a run's record says went wrong, and the counts both renderings (Rich report and GSD
SUMMARY) share: failing tests, suite problems, tallies, and how to word them."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from regress.judging.results import (
    Comparison,
    PassKind,
    RunRecord,
    SuiteResult,
    SuiteStatus,
    TestOutcome,
    TestStatus,
)
from regress.judging.verdicts import SuiteVerdict, TestVerdict, suite_verdicts

_MESSAGE_WIDTH = 200

_WORDS = {
    TestStatus.PASSED: "passed",
    TestStatus.FAILED: "failed",
    TestStatus.ERROR: "errored",
    TestStatus.SKIPPED: "skipped",
    TestStatus.XFAILED: "xfailed",
    TestStatus.XPASSED: "xpassed",
    TestStatus.TIMEOUT: "timed out",
    TestStatus.MISSING: "missing",
    TestStatus.UNEXPECTED: "unexpected",
    TestStatus.NOT_RUN: "not run",
}


@dataclass(frozen=True)
class FailingTest:
    """One test that did not pass in a pass that ran it."""

    suite: str
    requirement: str
    nodeid: str
    what: str  # e.g. "passed alone, failed combined (interference)"
    category: str  # "interference" or the first non-passing outcome ("failed", "missing", ...)
    message: str  # first line of the relevant failure, may be empty
    artifacts: tuple[tuple[PassKind, tuple[str, ...]], ...]  # paths relative to the run dir


@dataclass(frozen=True)
class SuiteProblem:
    """A suite that did not run normally in one pass: blocked, error, timeout, interrupted, or
    never reached."""

    suite: str
    requirement: str
    kind: PassKind
    status: str  # a SuiteStatus value, or "not run"
    reason: str
    not_run: int  # its tests that did not run because of it


def passes_run(record: RunRecord) -> tuple[PassKind, ...]:
    """The passes present in the record, isolation first."""
    return tuple(kind for kind in PassKind if record.pass_of(kind) is not None)


def passes_phrase(ran: Collection[PassKind]) -> str:
    """Where tests passed: "in isolation and combined", "in isolation", ..."""
    if PassKind.ISOLATION in ran and PassKind.COMBINED in ran:
        return "in isolation and combined"
    if PassKind.ISOLATION in ran:
        return "in isolation"
    if PassKind.COMBINED in ran:
        return "in the combined pass"
    return "in no pass"


def passed_everywhere(test: TestVerdict, ran: Collection[PassKind]) -> bool:
    """True when the test passed in every pass that ran."""
    return bool(ran) and all(_ok(_outcome(test, kind)) for kind in ran)


def tally(record: RunRecord, suites: Collection[str] | None = None) -> tuple[int, int]:
    """(expected tests that passed in every pass that ran, expected tests), for all suites or
    the named ones."""
    ran = passes_run(record)
    expected = {info.name: set(info.expected) for info in record.suites}
    passed = total = 0
    for verdict in _selected(record, suites):
        total += verdict.expected
        passed += sum(
            1
            for t in verdict.tests
            if t.nodeid in expected[verdict.suite] and passed_everywhere(t, ran)
        )
    return passed, total


def failing_tests(
    record: RunRecord, suites: Collection[str] | None = None
) -> tuple[FailingTest, ...]:
    """Tests that ran and did not pass, in manifest order; tests that never ran are counted in
    suite_problems instead."""
    ran = passes_run(record)
    found = []
    for verdict in _selected(record, suites):
        for test in verdict.tests:
            bad = [
                kind
                for kind in ran
                if _result(verdict, kind) is not None
                and not _ok(outcome := _outcome(test, kind))
                and (outcome is None or outcome.status is not TestStatus.NOT_RUN)
            ]
            if not bad:
                continue
            outcomes = [o for kind in reversed(bad) if (o := _outcome(test, kind)) is not None]
            found.append(
                FailingTest(
                    suite=verdict.suite,
                    requirement=verdict.requirement,
                    nodeid=test.nodeid,
                    what=_describe(test, ran),
                    category="interference"
                    if test.comparison is Comparison.INTERFERENCE
                    else _word(_outcome(test, bad[0])),
                    message=next((one_line(o.message) for o in outcomes if o.message), ""),
                    artifacts=tuple((kind, artifacts_of(record, verdict, kind)) for kind in bad),
                )
            )
    return tuple(found)


def suite_problems(
    record: RunRecord, suites: Collection[str] | None = None
) -> tuple[SuiteProblem, ...]:
    """Suites that errored, timed out, were blocked or interrupted, or that a pass never reached."""
    problems = []
    for verdict in _selected(record, suites):
        for kind in passes_run(record):
            result = _result(verdict, kind)
            if result is None:
                why = "the run stopped before it" if is_partial(record) else "no result recorded"
                problems.append(
                    SuiteProblem(
                        verdict.suite, verdict.requirement, kind, "not run", why, verdict.expected
                    )
                )
            elif result.status is not SuiteStatus.PASSED and (
                result.status is not SuiteStatus.FAILED
                or result.count(TestStatus.PASSED) == len(result.tests)
            ):
                reason = one_line(result.reason) or (
                    "no reason recorded"
                    if result.exit_code is None
                    else f"exit code {result.exit_code}"
                )
                problems.append(
                    SuiteProblem(
                        result.suite,
                        result.requirement,
                        kind,
                        result.status.value,
                        reason,
                        result.count(TestStatus.NOT_RUN),
                    )
                )
    return tuple(problems)


def artifacts_of(record: RunRecord, verdict: SuiteVerdict, kind: PassKind) -> tuple[str, ...]:
    """A suite's artifact paths in one pass (the pass's own when the suite ran without any)."""
    result = _result(verdict, kind)
    if result is None:
        return ()
    found = result.artifacts
    if not found and (whole := record.pass_of(kind)) is not None:
        found = whole.artifacts
    return tuple(path for _, path in found)


def format_seconds(seconds: float) -> str:
    """Compact duration: `0.4s`, `45s`, `3m12s`, `1h05m`."""
    if seconds < 10:
        return f"{seconds:.1f}s"
    whole = round(seconds)
    if whole < 60:
        return f"{whole}s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes}m{secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


def one_line(text: str, width: int = _MESSAGE_WIDTH) -> str:
    """The first non-blank line of text, shortened to width."""
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    return line if len(line) <= width else line[: width - 1] + "…"


def _selected(record: RunRecord, suites: Collection[str] | None) -> tuple[SuiteVerdict, ...]:
    return tuple(v for v in suite_verdicts(record) if suites is None or v.suite in suites)


def is_partial(record: RunRecord) -> bool:
    """An interrupted run, or a record still being written."""
    return record.interrupted or not record.complete


def _result(verdict: SuiteVerdict, kind: PassKind) -> SuiteResult | None:
    return verdict.isolation if kind is PassKind.ISOLATION else verdict.combined


def _outcome(test: TestVerdict, kind: PassKind) -> TestOutcome | None:
    return test.isolation if kind is PassKind.ISOLATION else test.combined


def _ok(outcome: TestOutcome | None) -> bool:
    return outcome is not None and outcome.status is TestStatus.PASSED


def _word(outcome: TestOutcome | None) -> str:
    return "absent" if outcome is None else _WORDS[outcome.status]


def _describe(test: TestVerdict, ran: Collection[PassKind]) -> str:
    if len(ran) == 1:
        (kind,) = ran
        where = "alone" if kind is PassKind.ISOLATION else "combined"
        return f"{_word(_outcome(test, kind))} {where}"
    alone, combined = _word(test.isolation), _word(test.combined)
    text = (
        f"{alone} alone and combined"
        if alone == combined
        else f"{alone} alone, {combined} combined"
    )
    if test.comparison is Comparison.INTERFERENCE:
        return f"{text} (interference)"
    return text

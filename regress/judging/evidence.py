"""Evidence against a mutant: the red tests of a run, and the baseline (the mutations' suites
run once on unmutated HEAD) that decides which of them prove anything: only a test that passed
on the baseline and went red on the mutant does."""

from __future__ import annotations

import enum
from collections.abc import Collection
from dataclasses import dataclass

from regress.judging.results import RunRecord, SuiteStatus, TestStatus
from regress.judging.wording import one_line

RED_TESTS = frozenset({TestStatus.FAILED, TestStatus.ERROR, TestStatus.TIMEOUT, TestStatus.MISSING})
RED_SUITES = frozenset({SuiteStatus.FAILED, SuiteStatus.ERROR, SuiteStatus.TIMEOUT})
VERDICT_SUITES = frozenset({SuiteStatus.PASSED, SuiteStatus.FAILED})  # ran to a verdict
SUITE = ""  # the nodeid of a whole suite's entry (a suite that passed, or went red, as one)


@dataclass(frozen=True)
class RedTest:
    """A test (or a whole suite, nodeid "") that went red against the mutant."""

    suite: str
    nodeid: str
    status: str  # the TestStatus or SuiteStatus value
    kind: str  # the pass: "isolation" or "combined"
    cause: str  # one line

    @property
    def key(self) -> tuple[str, str, str]:
        """(suite, pass, nodeid): what the baseline's passed tests are keyed by."""
        return (self.suite, self.kind, self.nodeid)


def red_tests(record: RunRecord, suites: Collection[str]) -> tuple[RedTest, ...]:
    """The tests of suites that went red in any pass of record; a suite that errored or timed
    out without a red test counts as one red entry with its reason."""
    found = []
    for result in (r for p in record.passes for r in p.suites if r.suite in suites):
        tests = [
            RedTest(result.suite, t.nodeid, t.status.value, result.kind.value, one_line(t.message))
            for t in result.tests
            if t.status in RED_TESTS
        ]
        if not tests and result.status in RED_SUITES:
            tests = [
                RedTest(
                    result.suite,
                    SUITE,
                    result.status.value,
                    result.kind.value,
                    one_line(result.reason),
                )
            ]
        found += tests
    return tuple(found)


class BaselineStatus(enum.Enum):
    """What the suites did on unmutated HEAD."""

    GREEN = "green"  # every test passed: any red on a mutant is evidence
    RED = "red"  # some tests failed: their red on a mutant proves nothing
    ERROR = "error"  # a suite (or the whole run) did not run to a verdict: nor does its red
    INTERRUPTED = "interrupted"
    SKIPPED = "skipped"  # --no-baseline


@dataclass(frozen=True)
class BaselineResult:
    """The union of the selected mutations' suites, run once on a worktree of HEAD."""

    suites: tuple[str, ...]
    status: BaselineStatus
    duration: float
    run_id: str = ""  # its `regress run`, under its reports folder
    reports: str = ""  # its reports folder, relative to the mutate folder
    passed: tuple[tuple[str, str, str], ...] = ()  # (suite, pass, nodeid; "" a whole suite)
    red: tuple[RedTest, ...] = ()  # red on HEAD: excluded as evidence against every mutant
    unusable: tuple[str, ...] = ()  # suites that did not run to a verdict (no evidence at all)
    note: str = ""  # why ERROR / INTERRUPTED, or what its run said

    @property
    def passed_tests(self) -> int:
        """How many tests (in all passes) passed on HEAD."""
        return sum(1 for _, _, nodeid in self.passed if nodeid != SUITE)


def baseline_of(
    record: RunRecord, suites: tuple[str, ...], duration: float, reports: str
) -> BaselineResult:
    """The baseline read from its run's record: what passed, what was red, what did not run."""
    results = [r for p in record.passes for r in p.suites if r.suite in suites]
    passed = [
        (r.suite, r.kind.value, t.nodeid)
        for r in results
        for t in r.tests
        if t.status is TestStatus.PASSED
    ]
    passed += [(r.suite, r.kind.value, SUITE) for r in results if r.status is SuiteStatus.PASSED]
    ran = {r.suite for r in results}
    unusable = [r.suite for r in results if r.status not in VERDICT_SUITES]
    unusable += [name for name in suites if name not in ran]
    reasons = [
        f"{r.suite}: {r.status.value} {r.reason}".strip()
        for r in results
        if r.status not in VERDICT_SUITES
    ]
    reasons += [f"{name}: not in its record" for name in suites if name not in ran]
    red = red_tests(record, suites)
    status = BaselineStatus.GREEN
    if record.interrupted:
        status = BaselineStatus.INTERRUPTED
    elif unusable:
        status = BaselineStatus.ERROR
    elif red:
        status = BaselineStatus.RED
    return BaselineResult(
        suites=suites,
        status=status,
        duration=duration,
        run_id=record.run_id,
        reports=reports,
        passed=tuple(dict.fromkeys(passed)),
        red=red,
        unusable=tuple(dict.fromkeys(unusable)),
        note="; ".join(reasons),
    )


def split_red(
    red: tuple[RedTest, ...], baseline: BaselineResult | None
) -> tuple[tuple[RedTest, ...], tuple[RedTest, ...]]:
    """(evidence, not evidence): a red test is evidence only if it passed on the baseline (per
    suite, pass and test id); without a baseline every red test counts."""
    if baseline is None or baseline.status is BaselineStatus.SKIPPED:
        return red, ()
    passed = set(baseline.passed)
    return (
        tuple(r for r in red if r.key in passed),
        tuple(r for r in red if r.key not in passed),
    )

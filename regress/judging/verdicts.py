"""The judgement of a run: frozen verdicts per test, suite, requirement and plan, with findings.

Built once by regress.judging.judge from a RunRecord; every renderer only reads it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from regress.judging.results import (
    Comparison,
    IntegrityFinding,
    PassKind,
    PlanInfo,
    RunRecord,
    SuiteResult,
    TestOutcome,
    TestStatus,
)


class Word(enum.Enum):
    """A suite's verdict as shown in the table, most telling cause first."""

    PASS = "PASS"
    FAIL = "FAIL"
    ERROR = "ERROR"
    BLOCKED = "BLOCKED"
    TIMEOUT = "TIMEOUT"
    INTERRUPTED = "INTERRUPTED"
    PENDING = "PENDING"  # the run is still being written
    NOT_RUN = "NOT RUN"
    FLAKY = "FLAKY"  # under --repeat: a test both passed and failed, nothing failed outright
    NOT_VERIFIED = "NOT VERIFIED"  # nothing failed, but tests were deselected or not reached


class RequirementState(enum.Enum):
    """A requirement's state in a run, or in one pass of it (the report's matrix): only
    SATISFIED counts as verified."""

    SATISFIED = "satisfied"
    NOT_SATISFIED = "not satisfied"  # a test of its suites failed, errored or is missing
    NOT_VERIFIED = "not verified"  # nothing failed, but not every expected test ran
    FLAKY = "flaky"  # a test of its suites both passed and failed under --repeat


@dataclass(frozen=True)
class TestVerdict:
    """One expected or collected test across the two passes."""

    __test__ = False  # not a pytest test class

    nodeid: str
    suite: str
    isolation: TestOutcome | None
    combined: TestOutcome | None
    comparison: Comparison | None  # None when the test ran in neither pass
    expected: bool  # listed in the suite's expected tests
    passed: bool  # passed in every pass that ran

    def outcome(self, kind: PassKind) -> TestOutcome | None:
        """The test's outcome in one pass, if it ran there."""
        return self.isolation if kind is PassKind.ISOLATION else self.combined

    @property
    def statuses(self) -> frozenset[TestStatus]:
        """Its statuses in the passes that have an outcome for it."""
        return frozenset(o.status for o in (self.isolation, self.combined) if o is not None)


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


@dataclass(frozen=True)
class Leak:
    """Processes a suite's pytest or server (or the combined pytest process) left behind."""

    suite: str  # "" for the combined pytest process, which ran every suite
    requirement: str
    kind: PassKind
    processes: tuple[str, ...]  # "pid N (command)", each stopped by regress


@dataclass(frozen=True)
class SuiteVerdict:
    """One suite across the two passes."""

    suite: str
    requirement: str
    expected: int
    isolation: SuiteResult | None
    combined: SuiteResult | None
    tests: tuple[TestVerdict, ...]
    passed: bool  # every expected test passed in every pass that was asked for
    word: Word
    passed_tests: int  # expected tests that passed in every pass that ran
    failing: tuple[FailingTest, ...]
    problems: tuple[SuiteProblem, ...]
    artifacts: tuple[tuple[PassKind, tuple[str, ...]], ...]  # per pass that ran it

    def result(self, kind: PassKind) -> SuiteResult | None:
        """The suite's result in one pass, if the pass reached it."""
        return self.isolation if kind is PassKind.ISOLATION else self.combined

    @property
    def results(self) -> tuple[SuiteResult, ...]:
        """Its results in the passes that reached it, isolation first."""
        return tuple(r for r in (self.isolation, self.combined) if r is not None)

    @property
    def duration(self) -> float:
        """Seconds spent on the suite in both passes."""
        return sum(r.duration for r in self.results)

    def artifacts_in(self, kind: PassKind) -> tuple[str, ...]:
        """Artifact paths of one pass (the pass's own when the suite had none)."""
        return next((paths for k, paths in self.artifacts if k is kind), ())


@dataclass(frozen=True)
class RequirementVerdict:
    """A requirement is satisfied only when every expected test of its suites passed in both
    passes (in every attempt under --repeat)."""

    requirement: str
    suites: tuple[str, ...]
    satisfied: bool
    state: RequirementState  # over the whole run; SATISFIED exactly when satisfied
    by_pass: tuple[tuple[PassKind, RequirementState], ...] = ()  # every PassKind, in order

    def in_pass(self, kind: PassKind) -> RequirementState:
        """The requirement's state in one pass (not verified when that pass did not run)."""
        return dict(self.by_pass).get(kind, RequirementState.NOT_VERIFIED)


@dataclass(frozen=True)
class PlanVerdict:
    """One GSD plan of the run: what its selected suites showed for its requirements."""

    key: str  # "<phase slug>/<plan>"
    info: PlanInfo
    suites: tuple[SuiteVerdict, ...]  # the plan's suites that were selected
    satisfied: tuple[str, ...]  # verified in both passes: the plan's requirements-completed
    unsatisfied: tuple[str, ...]  # failed (a suite's requirement too, if another plan's)
    unverified: tuple[str, ...]  # passed where they ran, but not in both passes
    not_selected: tuple[str, ...]  # none of their suites was selected for this run
    not_run: tuple[str, ...]  # what of the plan did not run, one phrase each
    passed: int
    expected: int
    failing: tuple[FailingTest, ...]
    problems: tuple[SuiteProblem, ...]
    integrity: tuple[IntegrityFinding, ...]  # findings in this plan's suite files
    leaks: tuple[Leak, ...]  # processes its suites left behind
    self_check: bool  # every suite of the plan ran and passed in both passes
    deselected: tuple[str, ...] = ()  # expected tests -k/--test/--last-failed left out


@dataclass(frozen=True)
class Judgement:
    """Everything renderers show about a run, computed once from its record."""

    record: RunRecord
    ran: tuple[PassKind, ...]  # the passes present in the record, isolation first
    partial: bool  # interrupted, or a record still being written
    suites: tuple[SuiteVerdict, ...]  # manifest order
    requirements: tuple[RequirementVerdict, ...]  # order of first appearance
    plans: tuple[PlanVerdict, ...]  # manifest order
    passed: int  # expected tests that passed in every pass that ran
    expected: int
    failing: tuple[FailingTest, ...]
    problems: tuple[SuiteProblem, ...]
    leaks: tuple[Leak, ...]
    ok: bool  # every selected requirement satisfied: exit code 0

    @property
    def satisfied(self) -> int:
        """How many requirements are satisfied."""
        return sum(1 for r in self.requirements if r.satisfied)

    def suite(self, name: str) -> SuiteVerdict:
        """The verdict of the suite called name (KeyError if it was not selected)."""
        for verdict in self.suites:
            if verdict.suite == name:
                return verdict
        raise KeyError(name)

    def plan(self, key: str) -> PlanVerdict:
        """The verdict of the plan "<phase slug>/<plan>" (KeyError if not in the run)."""
        for verdict in self.plans:
            if verdict.key == key:
                return verdict
        raise KeyError(key)

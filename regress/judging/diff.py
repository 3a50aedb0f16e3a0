"""What changed per test between two judged runs: newly failing, fixed, flaky, missing, slower."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from regress.judging.results import PassKind, TestOutcome, TestStatus
from regress.judging.verdicts import FailingTest, Judgement, SuiteVerdict, TestVerdict
from regress.judging.wording import format_seconds

FLAKY = "flaky"  # the status word of a test that both passed and failed across repeats
_ABSENT = (TestStatus.MISSING, TestStatus.NOT_RUN)


class Change(enum.Enum):
    """How one test changed from the earlier run to the later one; worse ones first."""

    NEWLY_FAILING = "newly failing"
    NEWLY_FLAKY = "newly flaky"
    NEWLY_MISSING = "newly missing"
    SLOWER = "slower"
    FIXED = "fixed"
    FASTER = "faster"
    ADDED = "new, passing"
    REMOVED = "no longer in the suite"

    @property
    def worse(self) -> bool:
        """Whether this change makes `regress diff` exit 1."""
        return self in _WORSE


_WORSE = frozenset({Change.NEWLY_FAILING, Change.NEWLY_FLAKY, Change.NEWLY_MISSING, Change.SLOWER})


@dataclass(frozen=True)
class Thresholds:
    """A duration change counts when it is at least `ratio` of the earlier time and at least
    `seconds` long."""

    ratio: float = 0.5
    seconds: float = 1.0


@dataclass(frozen=True)
class TestChange:
    """One test that changed between the runs."""

    __test__ = False  # not a pytest test class

    suite: str
    nodeid: str
    change: Change
    before: str  # state in the earlier run: passed, failed, flaky, missing, not run, absent
    after: str
    detail: str  # what the later run says (failure line, durations, ...)


@dataclass(frozen=True)
class RunDiff:
    """Two runs compared over the suites both of them selected."""

    before: Judgement
    after: Judgement
    suites: tuple[str, ...]  # compared, in the later run's order
    only_before: tuple[str, ...]
    only_after: tuple[str, ...]
    changes: tuple[TestChange, ...]  # worse changes first, then manifest order

    @property
    def worse(self) -> tuple[TestChange, ...]:
        """The changes that make things worse."""
        return tuple(c for c in self.changes if c.change.worse)


def diff_runs(before: Judgement, after: Judgement, thresholds: Thresholds) -> RunDiff:
    """Compare every test of the suites both runs selected."""
    names_before = [v.suite for v in before.suites]
    names_after = [v.suite for v in after.suites]
    shared = tuple(name for name in names_after if name in names_before)
    changes: list[TestChange] = []
    for name in shared:
        changes += _suite_changes(before, after, name, thresholds)
    order = list(Change)
    changes.sort(key=lambda c: order.index(c.change))  # stable: manifest order within a kind
    return RunDiff(
        before=before,
        after=after,
        suites=shared,
        only_before=tuple(n for n in names_before if n not in shared),
        only_after=tuple(n for n in names_after if n not in shared),
        changes=tuple(changes),
    )


def state_of(judgement: Judgement, test: TestVerdict) -> str:
    """A test's state in a run: passed, flaky, failed, missing or not run (worst pass wins)."""
    if test.passed:
        return "passed"
    outcomes = [test.outcome(kind) for kind in judgement.ran]
    words = {o.status.value for o in outcomes if o is not None}
    if words - {TestStatus.PASSED.value, FLAKY, *(s.value for s in _ABSENT)}:
        return "failed"
    if FLAKY in words:
        return FLAKY
    if TestStatus.MISSING.value in words:
        return "missing"
    return "not run"


def _suite_changes(
    before: Judgement, after: Judgement, name: str, thresholds: Thresholds
) -> list[TestChange]:
    old, new = before.suite(name), after.suite(name)
    old_tests = {t.nodeid: t for t in old.tests}
    found = []
    for test in new.tests:
        state = state_of(after, test)
        earlier = old_tests.pop(test.nodeid, None)
        was = "absent" if earlier is None else state_of(before, earlier)
        if earlier is None:
            change: Change | None = Change.ADDED if state == "passed" else Change.NEWLY_FAILING
            detail = _why(new, test)
        elif was == state:
            timed = _timing(earlier, test, thresholds) if state == "passed" else None
            change, detail = timed if timed is not None else (None, "")
        else:
            change, detail = _transition(was, state), _why(new, test)
        if change is not None:
            found.append(TestChange(name, test.nodeid, change, was, state, detail))
    for earlier in old_tests.values():  # listed or collected before, gone from the later run
        was = state_of(before, earlier)
        found.append(TestChange(name, earlier.nodeid, Change.REMOVED, was, "absent", ""))
    return found


def _transition(was: str, state: str) -> Change | None:
    if state == "passed":
        return Change.FIXED
    if state == "failed":
        return Change.NEWLY_FAILING
    if state == FLAKY:
        return Change.NEWLY_FLAKY if was == "passed" else None
    if was in ("missing", "not run"):
        return None  # missing before, missing (or not run) now
    return Change.NEWLY_MISSING


def _timing(
    earlier: TestVerdict, later: TestVerdict, thresholds: Thresholds
) -> tuple[Change, str] | None:
    """SLOWER or FASTER with the durations, when the change is over both thresholds."""
    for kind in PassKind:
        a, b = earlier.outcome(kind), later.outcome(kind)
        if a is None or b is None:
            continue
        delta = b.duration - a.duration
        if abs(delta) < thresholds.seconds or abs(delta) < thresholds.ratio * a.duration:
            return None
        change = Change.SLOWER if delta > 0 else Change.FASTER
        percent = f" ({delta / a.duration:+.0%})" if a.duration > 0 else ""
        where = "alone" if kind is PassKind.ISOLATION else "combined"
        return change, (
            f"{format_seconds(a.duration)} → {format_seconds(b.duration)} {where}{percent}"
        )
    return None


def _why(suite: SuiteVerdict, test: TestVerdict) -> str:
    """The later run's own words for a test that did not pass (the judgement's failing entry, or
    the suite problem that kept it from running)."""
    failing: FailingTest | None = next((f for f in suite.failing if f.nodeid == test.nodeid), None)
    if failing is not None:
        return f"{failing.what}: {failing.message}" if failing.message else failing.what
    problem = next(iter(suite.problems), None)
    if problem is not None:
        return f"{problem.kind.value}: {problem.status} ({problem.reason})"
    outcomes = [o for o in (test.isolation, test.combined) if o is not None]
    return next((_message(o) for o in outcomes if _message(o)), "")


def _message(outcome: TestOutcome) -> str:
    return outcome.message.splitlines()[0] if outcome.message else ""

"""Verdicts derived from a RunRecord: per test across passes, per suite, per requirement."""

from __future__ import annotations

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


@dataclass(frozen=True)
class TestVerdict:
    """One expected or collected test across the two passes."""

    __test__ = False  # not a pytest test class

    nodeid: str
    suite: str
    isolation: TestOutcome | None
    combined: TestOutcome | None
    comparison: Comparison | None  # None when the test ran in neither pass


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

    @property
    def duration(self) -> float:
        """Seconds spent on the suite in both passes."""
        return sum(r.duration for r in (self.isolation, self.combined) if r is not None)


@dataclass(frozen=True)
class RequirementVerdict:
    """A requirement is satisfied only when every expected test of its suites passed in both
    passes."""

    requirement: str
    suites: tuple[str, ...]
    satisfied: bool


def _passed(outcome: TestOutcome | None) -> bool:
    return outcome is not None and outcome.status is TestStatus.PASSED


def compare(isolation: TestOutcome | None, combined: TestOutcome | None) -> Comparison | None:
    """Classify one test across the two passes."""
    if isolation is None and combined is None:
        return None
    if combined is None:
        return Comparison.ISOLATION_ONLY
    if isolation is None:
        return Comparison.COMBINED_ONLY_RUN
    match (_passed(isolation), _passed(combined)):
        case (True, True):
            return Comparison.PASSED_BOTH
        case (True, False):
            return Comparison.INTERFERENCE
        case (False, True):
            return Comparison.COMBINED_ONLY
        case _:
            return Comparison.FAILED_BOTH


def _suite_result(record: RunRecord, kind: PassKind, suite: str) -> SuiteResult | None:
    result = record.pass_of(kind)
    if result is None:
        return None
    for suite_result in result.suites:
        if suite_result.suite == suite:
            return suite_result
    return None


def suite_verdicts(record: RunRecord) -> tuple[SuiteVerdict, ...]:
    """Per-suite verdicts in manifest order."""
    verdicts = []
    ran = [kind for kind in PassKind if record.pass_of(kind) is not None]
    for info in record.suites:
        isolation = _suite_result(record, PassKind.ISOLATION, info.name)
        combined = _suite_result(record, PassKind.COMBINED, info.name)
        by_pass = {
            PassKind.ISOLATION: {t.nodeid: t for t in isolation.tests} if isolation else {},
            PassKind.COMBINED: {t.nodeid: t for t in combined.tests} if combined else {},
        }
        nodeids = list(info.expected)
        for outcomes in by_pass.values():
            nodeids += [nodeid for nodeid in outcomes if nodeid not in nodeids]
        tests = tuple(
            TestVerdict(
                nodeid=nodeid,
                suite=info.name,
                isolation=by_pass[PassKind.ISOLATION].get(nodeid),
                combined=by_pass[PassKind.COMBINED].get(nodeid),
                comparison=compare(
                    by_pass[PassKind.ISOLATION].get(nodeid), by_pass[PassKind.COMBINED].get(nodeid)
                ),
            )
            for nodeid in nodeids
        )
        results = [r for r in (isolation, combined) if r is not None]
        passed = (
            bool(ran)
            and len(results) == len(ran)
            and all(r.status is SuiteStatus.PASSED for r in results)
            and all(
                all(_passed(by_pass[kind].get(nodeid)) for kind in ran) for nodeid in info.expected
            )
            and not any(t.status is TestStatus.UNEXPECTED for r in results for t in r.tests)
        )
        verdicts.append(
            SuiteVerdict(
                suite=info.name,
                requirement=info.requirement,
                expected=len(info.expected),
                isolation=isolation,
                combined=combined,
                tests=tests,
                passed=passed and not record.interrupted,
            )
        )
    return tuple(verdicts)


def requirement_verdicts(record: RunRecord) -> tuple[RequirementVerdict, ...]:
    """Per-requirement verdicts, in order of first appearance."""
    by_suite = {verdict.suite: verdict for verdict in suite_verdicts(record)}
    order: dict[str, list[str]] = {}
    for info in record.suites:
        order.setdefault(info.requirement, []).append(info.name)
    return tuple(
        RequirementVerdict(
            requirement=requirement,
            suites=tuple(suites),
            satisfied=all(by_suite[name].passed for name in suites),
        )
        for requirement, suites in order.items()
    )


def run_passed(record: RunRecord) -> bool:
    """Every selected requirement satisfied (exit code 0)."""
    verdicts = requirement_verdicts(record)
    return bool(verdicts) and all(v.satisfied for v in verdicts) and not record.interrupted

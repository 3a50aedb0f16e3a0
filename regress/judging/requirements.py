"""Requirements of a run: satisfied overall, and their state in each pass (satisfied, not
satisfied, not verified, flaky), from the suite verdicts."""

from __future__ import annotations

from regress.judging.results import PassKind, RunRecord, SuiteStatus, TestOutcome, TestStatus
from regress.judging.verdicts import (
    RequirementState,
    RequirementVerdict,
    SuiteVerdict,
    TestVerdict,
)


def requirement_verdicts(
    record: RunRecord, suites: tuple[SuiteVerdict, ...]
) -> tuple[RequirementVerdict, ...]:
    """Each requirement of the run (order of first appearance): satisfied only when every
    suite verifying it passed, and its state in each pass for the report's matrix."""
    by_suite = {verdict.suite: verdict for verdict in suites}
    order: dict[str, list[str]] = {}
    for info in record.suites:
        order.setdefault(info.requirement, []).append(info.name)
    return tuple(
        RequirementVerdict(
            requirement=requirement,
            suites=tuple(names),
            satisfied=all(by_suite[name].passed for name in names),
            by_pass=tuple(
                (kind, _state([by_suite[name] for name in names], kind, record.interrupted))
                for kind in PassKind
            ),
        )
        for requirement, names in order.items()
    )


def _state(suites: list[SuiteVerdict], kind: PassKind, interrupted: bool) -> RequirementState:
    """A requirement in one pass: flaky beats not satisfied beats not verified."""
    results = [v.result(kind) for v in suites]
    outcomes = [
        test.outcome(kind) for v in suites for test in v.tests if test.expected or _unexpected(test)
    ]
    if any(o is not None and len(set(o.outcomes)) > 1 for o in outcomes):
        return RequirementState.FLAKY
    ran = [o for o in outcomes if o is not None and o.status is not TestStatus.NOT_RUN]
    if any(not _ok(o) for o in ran) or any(
        r is not None
        and r.status is not SuiteStatus.PASSED
        and r.status is not SuiteStatus.INTERRUPTED
        for r in results
    ):
        return RequirementState.NOT_SATISFIED
    if interrupted or any(r is None for r in results) or len(ran) < len(outcomes):
        return RequirementState.NOT_VERIFIED
    return RequirementState.SATISFIED


def _unexpected(test: TestVerdict) -> bool:
    return any(
        o is not None and o.status is TestStatus.UNEXPECTED for o in (test.isolation, test.combined)
    )


def _ok(outcome: TestOutcome | None) -> bool:
    return outcome is not None and outcome.status is TestStatus.PASSED

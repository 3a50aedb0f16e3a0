"""A requirement's state from its suites' verdicts (over the run, and in each pass for the
report's matrix), and the exit code of a judged run."""

from __future__ import annotations

from regress.judging.results import PassKind, RunRecord, SuiteStatus, TestOutcome, TestStatus
from regress.judging.verdicts import (
    Judgement,
    RequirementState,
    RequirementVerdict,
    SuiteVerdict,
    TestVerdict,
    Word,
)

EXIT_OK = 0  # every selected requirement satisfied
EXIT_FAILED = 1  # a requirement not satisfied (failed, errored, missing, flaky) or a crash
EXIT_NOT_VERIFIED = 3  # nothing failed, but some requirement was not verified (-k, --test, -x)
EXIT_INTERRUPTED = 130

_WORST_FIRST = (
    RequirementState.NOT_SATISFIED,
    RequirementState.FLAKY,
    RequirementState.NOT_VERIFIED,
    RequirementState.SATISFIED,
)
_UNVERIFIED_WORDS = {Word.NOT_VERIFIED, Word.NOT_RUN}  # by choice: -k, --test, -x


def suite_state(verdict: SuiteVerdict) -> RequirementState:
    """What one suite says about its requirement."""
    if verdict.passed:
        return RequirementState.SATISFIED
    if verdict.word is Word.FLAKY:
        return RequirementState.FLAKY
    if verdict.word in _UNVERIFIED_WORDS:
        return RequirementState.NOT_VERIFIED
    return RequirementState.NOT_SATISFIED


def requirement_verdicts(
    record: RunRecord, suites: tuple[SuiteVerdict, ...]
) -> tuple[RequirementVerdict, ...]:
    """One verdict per requirement, in order of first appearance: its worst suite's state,
    and its state in each pass."""
    by_suite = {verdict.suite: verdict for verdict in suites}
    order: dict[str, list[str]] = {}
    for info in record.suites:
        order.setdefault(info.requirement, []).append(info.name)
    verdicts = []
    for requirement, names in order.items():
        states = {suite_state(by_suite[name]) for name in names}
        state = next(s for s in _WORST_FIRST if s in states)
        verdicts.append(
            RequirementVerdict(
                requirement=requirement,
                suites=tuple(names),
                satisfied=state is RequirementState.SATISFIED,
                state=state,
                by_pass=tuple(
                    (kind, _in_pass([by_suite[n] for n in names], kind, record.interrupted))
                    for kind in PassKind
                ),
            )
        )
    return tuple(verdicts)


def run_exit_code(judgement: Judgement, *, crashed: bool = False) -> int:
    """130 interrupted; 1 something failed or was flaky (or regress crashed); 3 nothing failed
    but a requirement was not verified; 0 every requirement satisfied."""
    if judgement.record.interrupted:
        return EXIT_INTERRUPTED
    states = {r.state for r in judgement.requirements}
    if crashed or not states or states & {RequirementState.NOT_SATISFIED, RequirementState.FLAKY}:
        return EXIT_FAILED
    if RequirementState.NOT_VERIFIED in states:
        return EXIT_NOT_VERIFIED
    return EXIT_OK


def _in_pass(suites: list[SuiteVerdict], kind: PassKind, interrupted: bool) -> RequirementState:
    """A requirement in one pass: flaky beats not satisfied beats not verified."""
    results = [v.result(kind) for v in suites]
    outcomes = [
        test.outcome(kind) for v in suites for test in v.tests if test.expected or _unexpected(test)
    ]
    if any(o is not None and _flaky(o) for o in outcomes):
        return RequirementState.FLAKY
    ran = [
        o
        for o in outcomes
        if o is not None and o.status not in (TestStatus.NOT_RUN, TestStatus.DESELECTED)
    ]
    if any(not _ok(o) for o in ran) or any(
        r is not None and r.status not in _NOT_A_FAILURE for r in results
    ):
        return RequirementState.NOT_SATISFIED
    if interrupted or any(r is None for r in results) or len(ran) < len(outcomes):
        return RequirementState.NOT_VERIFIED
    return RequirementState.SATISFIED


_NOT_A_FAILURE = {SuiteStatus.PASSED, SuiteStatus.INTERRUPTED, SuiteStatus.NOT_RUN}


def _flaky(outcome: TestOutcome) -> bool:
    return outcome.status is TestStatus.FLAKY or len(set(outcome.tries)) > 1


def _unexpected(test: TestVerdict) -> bool:
    return any(
        o is not None and o.status is TestStatus.UNEXPECTED for o in (test.isolation, test.combined)
    )


def _ok(outcome: TestOutcome | None) -> bool:
    return outcome is not None and outcome.status is TestStatus.PASSED

"""A requirement's state from its suites' verdicts, and the exit code of a judged run."""

from __future__ import annotations

from collections.abc import Sequence

from regress.judging.results import SuiteInfo
from regress.judging.verdicts import (
    Judgement,
    RequirementState,
    RequirementVerdict,
    SuiteVerdict,
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
    infos: Sequence[SuiteInfo], suites: Sequence[SuiteVerdict]
) -> tuple[RequirementVerdict, ...]:
    """One verdict per requirement, in order of first appearance: its worst suite's state."""
    by_suite = {verdict.suite: verdict for verdict in suites}
    order: dict[str, list[str]] = {}
    for info in infos:
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

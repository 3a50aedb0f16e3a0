"""Judge a run record once: `judge(record)` builds the Judgement every renderer reads."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace

from regress.judging.repeats import FAILED_STATUSES, tries_phrase
from regress.judging.requirements import requirement_verdicts
from regress.judging.results import (
    Comparison,
    IntegrityFinding,
    PassKind,
    PlanInfo,
    RunRecord,
    SuiteInfo,
    SuiteResult,
    SuiteStatus,
    TestOutcome,
    TestStatus,
)
from regress.judging.verdicts import (
    FailingTest,
    Judgement,
    Leak,
    PlanVerdict,
    RequirementState,
    RequirementVerdict,
    SuiteProblem,
    SuiteVerdict,
    TestVerdict,
    Word,
)
from regress.judging.wording import one_line
from regress.manifest.model import is_expected, is_pattern

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
    TestStatus.DESELECTED: "deselected",
    TestStatus.FLAKY: "flaky",
}
_SUITE_WORDS = (  # a suite status that explains a non-passing verdict, most telling first
    (SuiteStatus.BLOCKED, Word.BLOCKED),
    (SuiteStatus.ERROR, Word.ERROR),
    (SuiteStatus.TIMEOUT, Word.TIMEOUT),
    (SuiteStatus.INTERRUPTED, Word.INTERRUPTED),
)
_NOT_RAN = (TestStatus.NOT_RUN, TestStatus.DESELECTED)  # left out, not failed


def judge(record: RunRecord) -> Judgement:
    """Every verdict and finding of a run, in manifest order."""
    ran = tuple(kind for kind in PassKind if record.pass_of(kind) is not None)
    partial = record.interrupted or not record.complete
    suites = tuple(_suite(record, info, ran, partial) for info in record.suites)
    requirements = requirement_verdicts(record, suites)
    leaks = _leaks(record)
    plans = tuple(
        _plan(
            record,
            plan,
            suites=suites,
            requirements=requirements,
            partial=partial,
            ran=ran,
            leaks=leaks,
        )
        for plan in record.plans
    )
    return Judgement(
        record=record,
        ran=ran,
        partial=partial,
        suites=suites,
        requirements=requirements,
        plans=plans,
        passed=sum(v.passed_tests for v in suites),
        expected=sum(v.expected for v in suites),
        failing=tuple(f for v in suites for f in v.failing),
        problems=tuple(p for v in suites for p in v.problems),
        leaks=leaks,
        ok=bool(requirements) and all(r.satisfied for r in requirements) and not record.interrupted,
    )


def compare(isolation: TestOutcome | None, combined: TestOutcome | None) -> Comparison | None:
    """Classify one test across the two passes. A pass that did not run the test (not in it,
    stopped before it, its suite blocked, or deselected) says nothing about interference."""
    alone, together = _ran(isolation), _ran(combined)
    if not alone and not together:
        return None
    if not together:
        return Comparison.ISOLATION_ONLY
    if not alone:
        return Comparison.COMBINED_ONLY_RUN
    match (_ok(isolation), _ok(combined)):
        case (True, True):
            return Comparison.PASSED_BOTH
        case (True, False):
            return Comparison.INTERFERENCE
        case (False, True):
            return Comparison.COMBINED_ONLY
        case _:
            return Comparison.FAILED_BOTH


# --- suites ----------------------------------------------------------------------------------


def _suite(
    record: RunRecord, info: SuiteInfo, ran: tuple[PassKind, ...], partial: bool
) -> SuiteVerdict:
    isolation = _result_of(record, PassKind.ISOLATION, info.name)
    combined = _result_of(record, PassKind.COMBINED, info.name)
    by_pass = {
        PassKind.ISOLATION: {t.nodeid: t for t in isolation.tests} if isolation else {},
        PassKind.COMBINED: {t.nodeid: t for t in combined.tests} if combined else {},
    }
    nodeids = [n for n in info.expected if not is_pattern(n)]
    for outcomes in by_pass.values():
        nodeids += [nodeid for nodeid in outcomes if nodeid not in nodeids]
    tests = tuple(
        _test(
            nodeid,
            info,
            by_pass[PassKind.ISOLATION].get(nodeid),
            by_pass[PassKind.COMBINED].get(nodeid),
            ran,
        )
        for nodeid in nodeids
    )
    results = [r for r in (isolation, combined) if r is not None]
    passed = (
        bool(ran)
        and len(results) == len(ran)
        and all(r.status is SuiteStatus.PASSED for r in results)
        and all(all(_ok(by_pass[kind].get(t.nodeid)) for kind in ran) for t in tests if t.expected)
        and not any(t.status is TestStatus.UNEXPECTED for r in results for t in r.tests)
        and not record.interrupted
    )
    artifacts = tuple(
        (kind, _artifacts(record, result, kind))
        for kind, result in ((PassKind.ISOLATION, isolation), (PassKind.COMBINED, combined))
        if result is not None
    )
    base = SuiteVerdict(
        suite=info.name,
        requirement=info.requirement,
        expected=sum(1 for t in tests if t.expected),
        isolation=isolation,
        combined=combined,
        tests=tests,
        passed=passed,
        word=Word.PASS,
        passed_tests=sum(1 for t in tests if t.expected and t.passed),
        failing=(),
        problems=(),
        artifacts=artifacts,
    )
    return replace(
        base,
        word=_word(record, base),
        failing=_failing(base, ran),
        problems=_problems(base, ran, partial),
    )


def _test(
    nodeid: str,
    info: SuiteInfo,
    isolation: TestOutcome | None,
    combined: TestOutcome | None,
    ran: tuple[PassKind, ...],
) -> TestVerdict:
    outcomes = {PassKind.ISOLATION: isolation, PassKind.COMBINED: combined}
    return TestVerdict(
        nodeid=nodeid,
        suite=info.name,
        isolation=isolation,
        combined=combined,
        comparison=compare(isolation, combined),
        expected=is_expected(nodeid, info.expected)
        or any(o is not None and o.status is TestStatus.MISSING for o in outcomes.values()),
        passed=bool(ran) and all(_ok(outcomes[kind]) for kind in ran),
    )


def _word(record: RunRecord, verdict: SuiteVerdict) -> Word:
    if verdict.passed:
        return Word.PASS
    statuses = {r.status for r in verdict.results}
    for status, word in _SUITE_WORDS:
        if status in statuses:
            return word
    if any(
        r.count(*FAILED_STATUSES, TestStatus.MISSING, TestStatus.UNEXPECTED)
        for r in verdict.results
    ):
        return Word.FAIL
    if any(r.count(TestStatus.FLAKY) for r in verdict.results):
        return Word.FLAKY
    if verdict.results and all(r.status is SuiteStatus.NOT_RUN for r in verdict.results):
        return Word.NOT_RUN
    if any(
        r.status is SuiteStatus.NOT_RUN or r.count(TestStatus.DESELECTED) for r in verdict.results
    ):
        return Word.NOT_VERIFIED
    if record.interrupted:
        return Word.INTERRUPTED
    if not record.complete:
        return Word.PENDING
    return Word.FAIL if verdict.results else Word.NOT_RUN


def _failing(verdict: SuiteVerdict, ran: tuple[PassKind, ...]) -> tuple[FailingTest, ...]:
    """Tests that ran and did not pass; tests that never ran are counted as suite problems."""
    found = []
    for test in verdict.tests:
        bad = [
            kind
            for kind in ran
            if verdict.result(kind) is not None
            and not _ok(outcome := test.outcome(kind))
            and (outcome is None or outcome.status not in _NOT_RAN)
        ]
        if not bad:
            continue
        outcomes = [o for kind in reversed(bad) if (o := test.outcome(kind)) is not None]
        found.append(
            FailingTest(
                suite=verdict.suite,
                requirement=verdict.requirement,
                nodeid=test.nodeid,
                what=_describe(test, ran) + tries_phrase(test.isolation, test.combined),
                category="interference"
                if test.comparison is Comparison.INTERFERENCE
                else _status_word(test.outcome(bad[0])),
                message=_message(outcomes),
                artifacts=tuple((kind, verdict.artifacts_in(kind)) for kind in bad),
            )
        )
    return tuple(found)


def _problems(
    verdict: SuiteVerdict, ran: tuple[PassKind, ...], partial: bool
) -> tuple[SuiteProblem, ...]:
    """The passes in which the suite errored, timed out, was blocked or interrupted, or that
    never reached it."""
    problems = []
    for kind in ran:
        result = verdict.result(kind)
        if result is None:
            why = "the run stopped before it" if partial else "no result recorded"
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


def _artifacts(record: RunRecord, result: SuiteResult, kind: PassKind) -> tuple[str, ...]:
    """A suite's artifact paths in one pass (the pass's own when the suite ran without any)."""
    found = result.artifacts
    if not found and (whole := record.pass_of(kind)) is not None:
        found = whole.artifacts
    return tuple(path for _, path in found)


# --- requirements and plans --------------------------------------------------------------------


def _plan(
    record: RunRecord,
    plan: PlanInfo,
    *,
    suites: tuple[SuiteVerdict, ...],
    requirements: tuple[RequirementVerdict, ...],
    partial: bool,
    ran: tuple[PassKind, ...],
    leaks: tuple[Leak, ...],
) -> PlanVerdict:
    """A plan is complete only when every one of its suites ran and passed in both passes."""
    verdicts = {v.requirement: v for v in requirements}
    mine = tuple(v for v in suites if v.suite in plan.suites)
    both = len(ran) == len(PassKind) and not partial
    selected = {v.requirement for v in mine}
    # a plan's suite may verify another plan's requirement: it still counts for this plan
    checked = [*plan.requirements, *(v.requirement for v in mine)]
    failed = tuple(
        dict.fromkeys(
            r
            for r in checked
            if r in selected
            and verdicts[r].state in (RequirementState.NOT_SATISFIED, RequirementState.FLAKY)
            and not partial
        )
    )
    satisfied = tuple(
        r for r in plan.requirements if r in selected and verdicts[r].satisfied and both
    )
    unverified = tuple(
        r for r in plan.requirements if r in selected and r not in failed and r not in satisfied
    )
    missing = [name for name in plan.suites if name not in {v.suite for v in mine}]
    not_run = []
    if missing:
        not_run.append(f"suites not selected: {', '.join(missing)}")
    not_run += [f"{kind.value} pass not run" for kind in PassKind if kind not in ran]
    plan_leaks = tuple(leak for leak in leaks if leak.suite in plan.suites or not leak.suite)
    return PlanVerdict(
        key=f"{plan.phase}/{plan.plan}",
        info=plan,
        suites=mine,
        satisfied=satisfied,
        unsatisfied=failed,
        unverified=unverified,
        not_selected=tuple(r for r in plan.requirements if r not in selected),
        not_run=tuple(not_run),
        passed=sum(v.passed_tests for v in mine),
        expected=sum(v.expected for v in mine),
        failing=tuple(f for v in mine for f in v.failing),
        problems=tuple(p for v in mine for p in v.problems),
        integrity=_integrity(record, {v.suite for v in mine}),
        leaks=plan_leaks,
        self_check=bool(satisfied)
        and not failed
        and not unverified
        and not missing
        and both
        and all(v.passed for v in mine),
        deselected=tuple(
            t.nodeid
            for v in mine
            for t in v.tests
            if t.expected and TestStatus.DESELECTED in t.statuses
        ),
    )


def _leaks(record: RunRecord) -> tuple[Leak, ...]:
    """Every process a suite's pytest or server, or the combined process, left behind."""
    found = []
    for result in record.passes:
        found += [
            Leak(s.suite, s.requirement, result.kind, s.leaks) for s in result.suites if s.leaks
        ]
        if result.leaks:
            found.append(Leak("", "", result.kind, result.leaks))
    return tuple(found)


def _integrity(record: RunRecord, names: Collection[str]) -> tuple[IntegrityFinding, ...]:
    """Findings in these suites' files, and any the record cannot attribute to a suite."""
    files = {info.name: {t.split("::", 1)[0] for t in info.targets} for info in record.suites}
    mine = {path for name in names for path in files.get(name, ())}
    anyone = {path for paths in files.values() for path in paths}
    return tuple(f for f in record.integrity if f.path in mine or f.path not in anyone)


# --- small pieces --------------------------------------------------------------------------------


def _result_of(record: RunRecord, kind: PassKind, suite: str) -> SuiteResult | None:
    result = record.pass_of(kind)
    if result is None:
        return None
    return next((r for r in result.suites if r.suite == suite), None)


def _ran(outcome: TestOutcome | None) -> bool:
    return outcome is not None and outcome.status not in (
        TestStatus.NOT_RUN,
        TestStatus.DESELECTED,
    )


def _ok(outcome: TestOutcome | None) -> bool:
    return outcome is not None and outcome.status is TestStatus.PASSED


def _message(outcomes: list[TestOutcome]) -> str:
    """The first line of the relevant failure (combined first); for a flaky test, its first
    failure (isolation first, as they ran)."""
    if any(o.status is TestStatus.FLAKY for o in outcomes):
        first = next((one_line(o.message) for o in reversed(outcomes) if o.message), "")
        return f"first failure: {first}" if first else ""
    return next((one_line(o.message) for o in outcomes if o.message), "")


def _status_word(outcome: TestOutcome | None) -> str:
    return "absent" if outcome is None else _WORDS[outcome.status]


def _describe(test: TestVerdict, ran: Collection[PassKind]) -> str:
    if len(ran) == 1:
        (kind,) = ran
        where = "alone" if kind is PassKind.ISOLATION else "combined"
        return f"{_status_word(test.outcome(kind))} {where}"
    alone, combined = _status_word(test.isolation), _status_word(test.combined)
    text = (
        f"{alone} alone and combined"
        if alone == combined
        else f"{alone} alone, {combined} combined"
    )
    if test.comparison is Comparison.INTERFERENCE:
        return f"{text} (interference)"
    return text

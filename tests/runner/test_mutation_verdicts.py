"""Judging one mutant from its run record, against the baseline's: caught, caught by timeout
only, unproven, survived, error."""

from __future__ import annotations

import pytest

from regress.judging.evidence import BaselineStatus, baseline_of, red_tests, split_red
from regress.judging.mutations import MutantResult, MutantStatus, MutateRecord, classify
from regress.judging.results import (
    PassKind,
    PassResult,
    RunRecord,
    SuiteResult,
    SuiteStatus,
    TestOutcome,
    TestStatus,
)


def record(
    *suites: tuple[str, SuiteStatus, tuple[TestStatus, ...]],
    combined: tuple[tuple[str, SuiteStatus, tuple[TestStatus, ...]], ...] = (),
) -> RunRecord:
    """A run whose isolation pass has suites (and whose combined pass, if any, combined)."""
    passes = (_pass(PassKind.ISOLATION, suites),)
    if combined:
        passes += (_pass(PassKind.COMBINED, combined),)
    return RunRecord(
        run_id="r",
        started="",
        finished="",
        duration=1.0,
        manifest="suites.yaml",
        project_root=".",
        plans=(),
        suites=(),
        passes=passes,
    )


def _pass(
    kind: PassKind, suites: tuple[tuple[str, SuiteStatus, tuple[TestStatus, ...]], ...]
) -> PassResult:
    results = tuple(
        SuiteResult(
            suite=name,
            requirement="REQ-1",
            kind=kind,
            status=status,
            tests=tuple(
                TestOutcome(f"t.py::test_{i}", test, message=f"cause {i}\nmore")
                for i, test in enumerate(tests)
            ),
            started="",
            duration=1.0,
            reason="port 5702 held by pid 1" if status is SuiteStatus.BLOCKED else "",
        )
        for name, status, tests in suites
    )
    return PassResult(kind, results, "", 1.0)


PASSED, FAILED, TIMEOUT = TestStatus.PASSED, TestStatus.FAILED, TestStatus.TIMEOUT


@pytest.mark.parametrize(
    ("run", "expected"),
    [
        pytest.param(
            record(("a", SuiteStatus.FAILED, (PASSED, FAILED))), MutantStatus.CAUGHT, id="failed"
        ),
        pytest.param(
            record(("a", SuiteStatus.FAILED, (TIMEOUT, FAILED))),
            MutantStatus.CAUGHT,
            id="a-timeout-and-a-cause",
        ),
        pytest.param(
            record(("a", SuiteStatus.FAILED, (PASSED, TIMEOUT))),
            MutantStatus.CAUGHT_BY_TIMEOUT,
            id="timeout-only",
        ),
        pytest.param(
            record(("a", SuiteStatus.TIMEOUT, (PASSED,))),
            MutantStatus.CAUGHT_BY_TIMEOUT,
            id="suite-timeout",
        ),
        pytest.param(
            record(("a", SuiteStatus.PASSED, (PASSED, PASSED))),
            MutantStatus.SURVIVED,
            id="all-green",
        ),
        pytest.param(
            record(("a", SuiteStatus.PASSED, (PASSED,)), ("b", SuiteStatus.BLOCKED, ())),
            MutantStatus.ERROR,
            id="green-but-a-suite-was-blocked",
        ),
        pytest.param(
            record(("other", SuiteStatus.FAILED, (FAILED,))),
            MutantStatus.ERROR,
            id="only-another-suite-ran",
        ),
    ],
)
def test_classify(run: RunRecord, expected: MutantStatus) -> None:
    status, _ = classify(run, {"a", "b"})
    assert status is expected


def test_scores_count_timeout_only_catches_apart() -> None:
    def mutant(name: str, status: MutantStatus, *requirements: str) -> MutantResult:
        return MutantResult(name, requirements, ("a",), status, 1.0)

    mutate = MutateRecord(
        mutate_id="m",
        started="",
        finished="",
        duration=1.0,
        manifest="suites.yaml",
        git_head="",
        mutants=(
            mutant("one", MutantStatus.CAUGHT, "REQ-1"),
            mutant("two", MutantStatus.CAUGHT_BY_TIMEOUT, "REQ-1", "REQ-2"),
            mutant("three", MutantStatus.SURVIVED, "REQ-2"),
        ),
    )
    assert mutate.scores() == (("REQ-1", 1, 1, 2), ("REQ-2", 0, 1, 2))


GREEN = record(("a", SuiteStatus.PASSED, (PASSED, PASSED)))
RED_1 = record(("a", SuiteStatus.FAILED, (PASSED, FAILED)))  # test_1 fails on HEAD


@pytest.mark.parametrize(
    ("head", "mutant", "expected", "evidence"),
    [
        pytest.param(GREEN, RED_1, MutantStatus.CAUGHT, 1, id="green-baseline"),
        pytest.param(RED_1, RED_1, MutantStatus.UNPROVEN, 0, id="same-test-red-on-head"),
        pytest.param(
            RED_1,
            record(("a", SuiteStatus.FAILED, (FAILED, FAILED))),
            MutantStatus.CAUGHT,
            1,
            id="another-test-went-red",
        ),
        pytest.param(
            RED_1,
            record(("a", SuiteStatus.FAILED, (PASSED, TIMEOUT))),
            MutantStatus.UNPROVEN,
            0,
            id="a-test-red-on-head-timed-out",
        ),
        pytest.param(
            record(("a", SuiteStatus.BLOCKED, ())),
            record(("a", SuiteStatus.ERROR, ())),
            MutantStatus.UNPROVEN,
            0,
            id="suite-did-not-run-on-head",
        ),
        pytest.param(
            record(("a", SuiteStatus.PASSED, (PASSED, PASSED))),
            record(("a", SuiteStatus.ERROR, ())),
            MutantStatus.CAUGHT,
            1,
            id="suite-errors-only-on-the-mutant",
        ),
        pytest.param(
            record(
                ("a", SuiteStatus.PASSED, (PASSED, PASSED)),
                combined=(("a", SuiteStatus.FAILED, (PASSED, FAILED)),),
            ),
            record(
                ("a", SuiteStatus.PASSED, (PASSED, PASSED)),
                combined=(("a", SuiteStatus.FAILED, (PASSED, FAILED)),),
            ),
            MutantStatus.UNPROVEN,
            0,
            id="red-on-head-in-the-same-pass",
        ),
        pytest.param(
            record(
                ("a", SuiteStatus.PASSED, (PASSED, PASSED)),
                combined=(("a", SuiteStatus.FAILED, (PASSED, FAILED)),),
            ),
            record(
                ("a", SuiteStatus.FAILED, (PASSED, FAILED)),
                combined=(("a", SuiteStatus.FAILED, (PASSED, FAILED)),),
            ),
            MutantStatus.CAUGHT,
            1,
            id="red-on-head-only-in-the-other-pass",
        ),
        pytest.param(RED_1, GREEN, MutantStatus.SURVIVED, 0, id="green-mutant"),
    ],
)
def test_classify_against_the_baseline(
    head: RunRecord, mutant: RunRecord, expected: MutantStatus, evidence: int
) -> None:
    baseline = baseline_of(head, ("a",), 1.0, "baseline")
    status, note = classify(mutant, {"a"}, baseline, where="reports/m/baseline")
    assert status is expected, note
    proof, _ = split_red(red_tests(mutant, {"a"}), baseline)
    assert len(proof) == evidence
    if expected is MutantStatus.UNPROVEN:
        assert "(reports/m/baseline)" in note


@pytest.mark.parametrize(
    ("head", "status", "unusable"),
    [
        pytest.param(GREEN, BaselineStatus.GREEN, (), id="green"),
        pytest.param(RED_1, BaselineStatus.RED, (), id="red"),
        pytest.param(
            record(("a", SuiteStatus.TIMEOUT, (PASSED,))),
            BaselineStatus.ERROR,
            ("a",),
            id="timeout",
        ),
        pytest.param(
            record(("other", SuiteStatus.PASSED, (PASSED,))),
            BaselineStatus.ERROR,
            ("a",),
            id="suite-not-in-the-record",
        ),
    ],
)
def test_baseline_status(head: RunRecord, status: BaselineStatus, unusable: tuple[str]) -> None:
    baseline = baseline_of(head, ("a",), 1.0, "baseline")
    assert (baseline.status, baseline.unusable) == (status, unusable)


def test_without_a_baseline_every_red_test_counts_and_the_note_says_so() -> None:
    status, note = classify(RED_1, {"a"})
    assert status is MutantStatus.CAUGHT
    assert note == "no baseline: red tests were not checked against unmutated HEAD"

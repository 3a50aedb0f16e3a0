"""Judging one mutant from its run record: caught, caught by timeout only, survived, error."""

from __future__ import annotations

import pytest

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


def record(*suites: tuple[str, SuiteStatus, tuple[TestStatus, ...]]) -> RunRecord:
    results = tuple(
        SuiteResult(
            suite=name,
            requirement="REQ-1",
            kind=PassKind.ISOLATION,
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
    return RunRecord(
        run_id="r",
        started="",
        finished="",
        duration=1.0,
        manifest="suites.yaml",
        project_root=".",
        plans=(),
        suites=(),
        passes=(PassResult(PassKind.ISOLATION, results, "", 1.0),),
    )


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

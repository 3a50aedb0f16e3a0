"""Sample RunRecords for the runner's tests: two GSD plans of phase 73, fifteen tests."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from regress.judging.results import (
    IntegrityFinding,
    PassKind,
    PassResult,
    PlanInfo,
    PortEvent,
    RunRecord,
    SuiteInfo,
    SuiteResult,
    SuiteStatus,
    TestOutcome,
)
from regress.judging.results import TestStatus as Status

PHASE = "73-network-regression-validation"
PLAN_01 = f"{PHASE}/01"
PLAN_02 = f"{PHASE}/02"
RUN_ID = "20261121-104512-ab12"
GIT_HEAD = "3f9c2a1d8e7b6a5c4d3e2f1a0b9c8d7e6f5a4b3c"
STARTED = "2026-11-21T10:45:12+00:00"
FINISHED = "2026-11-21T11:08:12+00:00"
DURATION = 1380.0  # 23 minutes

# suite -> (requirement, file, test names, port)
_SUITES: dict[str, tuple[str, str, tuple[str, ...], int]] = {
    "data-comparison": (
        "REG-01",
        "tests/e2e/test_data_comparison.py",
        (
            "test_export_parity_basic",
            "test_export_parity_with_latency",
            "test_active_input_parity",
            "test_focus_loss_mid_episode_parity",
        ),
        5702,
    ),
    "multiplayer-basic": (
        "REG-02",
        "tests/e2e/test_multiplayer_basic.py",
        ("test_two_players_connect_and_complete_episode", "test_matchmaking_pairs_two_players"),
        5702,
    ),
    "multi-participant": (
        "REG-03",
        "tests/e2e/test_multi_participant.py",
        ("test_three_simultaneous_games", "test_staggered_participant_arrival"),
        5705,
    ),
    "focus-loss": (
        "REG-04",
        "tests/e2e/test_focus_loss_data_parity.py",
        ("test_focus_loss_episode_boundary_parity",),
        5702,
    ),
    "latency-injection": (
        "NET-01",
        "tests/e2e/test_latency_injection.py",
        (
            "test_episode_completion_under_fixed_latency[100]",
            "test_active_input_with_latency[100]",
            "test_jitter_tolerance",
        ),
        5706,
    ),
    "network-disruption": (
        "NET-02",
        "tests/e2e/test_network_disruption.py",
        (
            "test_active_input_with_packet_loss",
            "test_packet_loss_triggers_rollback",
            "test_reconnect_after_drop",
        ),
        5707,
    ),
}

PLANS = (
    PlanInfo(
        phase=PHASE,
        plan="01",
        title="Latency and Disruption Regression",
        subsystem="testing",
        tags=("e2e", "network"),
        requirements=("NET-01", "NET-02"),
        suites=("latency-injection", "network-disruption"),
    ),
    PlanInfo(
        phase=PHASE,
        plan="02",
        title="Regression Suite Validation",
        subsystem="testing",
        tags=("e2e", "regression", "playwright"),
        requirements=("REG-01", "REG-02", "REG-03", "REG-04"),
        suites=("data-comparison", "multiplayer-basic", "multi-participant", "focus-loss"),
    ),
)

SUITES = tuple(
    SuiteInfo(
        name=name,
        requirement=requirement,
        targets=(path,),
        expected=tuple(f"{path}::{test}" for test in tests),
        server="testbed",
        port=port,
        scope="suite",
        params=(("stagger", "0.5"),) if name == "multi-participant" else (),
    )
    for name, (requirement, path, tests, port) in _SUITES.items()
)

# A fault: nodeid -> (status, message); Status.MISSING drops the test from the junit as well.
Faults = Mapping[str, tuple[Status, str]]


def nodeid(suite: str, index: int = 0) -> str:
    """The node id of a suite's index-th expected test."""
    _, path, tests, _ = _SUITES[suite]
    return f"{path}::{tests[index]}"


def suite_result(
    suite: str,
    kind: PassKind,
    faults: Faults | None = None,
    *,
    status: SuiteStatus | None = None,
    reason: str = "",
    ports: tuple[PortEvent, ...] = (),
    only: int | None = None,
) -> SuiteResult:
    """One suite in one pass: every expected test passes unless faults say otherwise.

    `only` keeps the first n tests and marks the rest NOT_RUN (an interrupted suite).
    """
    info = next(s for s in SUITES if s.name == suite)
    faults = faults or {}
    tests = []
    for index, test in enumerate(info.expected):
        state, message = faults.get(test, (Status.PASSED, ""))
        if only is not None and index >= only:
            state, message = Status.NOT_RUN, "the pass stopped before this test"
        tests.append(TestOutcome(test, state, duration=12.5, message=message))
    failing = any(t.status is not Status.PASSED for t in tests)
    return SuiteResult(
        suite=suite,
        requirement=info.requirement,
        kind=kind,
        status=status or (SuiteStatus.FAILED if failing else SuiteStatus.PASSED),
        tests=tuple(tests),
        started=STARTED,
        duration=12.5 * len(tests) + 3.0,
        reason=reason,
        exit_code=1 if failing else 0,
        artifacts=(
            ("pytest log", f"{kind.value}/{suite}/pytest.log"),
            ("junit", f"{kind.value}/{suite}/junit.xml"),
        ),
        ports=ports,
        server_ready_seconds=1.2,
        teardown_seconds=0.3,
    )


def make_record(results: Mapping[PassKind, tuple[SuiteResult, ...]], **changes: Any) -> RunRecord:
    """A RunRecord of the six sample suites with these pass results."""
    passes = tuple(
        PassResult(
            kind=kind,
            suites=suites,
            started=STARTED,
            duration=sum(s.duration for s in suites),
            exit_code=0 if all(s.status is SuiteStatus.PASSED for s in suites) else 1,
            artifacts=(("junit", f"{kind.value}/junit.xml"),),
        )
        for kind, suites in results.items()
    )
    record = RunRecord(
        run_id=RUN_ID,
        started=STARTED,
        finished=FINISHED,
        duration=DURATION,
        manifest="suites.yaml",
        project_root="/srv/interactive-gym",
        plans=PLANS,
        suites=SUITES,
        passes=passes,
        exit_code=0,
        git_head=GIT_HEAD,
    )
    return dataclasses.replace(record, **changes)


def passing_record() -> RunRecord:
    """Both plans, all 15 tests passing in isolation and combined."""
    return make_record(
        {kind: tuple(suite_result(s.name, kind) for s in SUITES) for kind in PassKind}
    )


FAILED_TEST = nodeid("data-comparison", 3)
MISSING_TEST = nodeid("multiplayer-basic", 1)
INTERFERENCE_TEST = nodeid("multi-participant", 0)
FAILED_MESSAGE = "AssertionError: 20 divergences at rows 455-474"
INTERFERENCE_MESSAGE = "TimeoutError: game 3 did not finish within 300s"
REFUSED_PORT = PortEvent(
    port=5707,
    pid=4242,
    user="alice",
    cmdline="python -m http.server 5707",
    reason="not started by regress",
    freed=False,
)
FREED_PORT = PortEvent(
    port=5702,
    pid=999,
    user="ci",
    cmdline="python -m testbed.server --port 5702",
    reason="stale regress server",
    freed=True,
)
SKIP_FINDING = IntegrityFinding(
    path="tests/e2e/test_multi_participant.py",
    line=42,
    kind="skip marker",
    text='@pytest.mark.skip(reason="flaky")',
)


def failing_record() -> RunRecord:
    """REG-01 has a failed test, REG-02 a missing one, REG-03 interference, NET-02 is blocked by
    a port regress refused to free; REG-04 and NET-01 pass. A skip marker was found."""
    failed = {FAILED_TEST: (Status.FAILED, FAILED_MESSAGE + "\n  at compare()")}
    missing = {MISSING_TEST: (Status.MISSING, "expected, not collected")}
    interference = {INTERFERENCE_TEST: (Status.FAILED, INTERFERENCE_MESSAGE)}
    not_run = {nodeid("network-disruption", i): (Status.NOT_RUN, "") for i in range(3)}
    isolation = (
        suite_result("data-comparison", PassKind.ISOLATION, failed, ports=(FREED_PORT,)),
        suite_result("multiplayer-basic", PassKind.ISOLATION, missing),
        suite_result("multi-participant", PassKind.ISOLATION),
        suite_result("focus-loss", PassKind.ISOLATION),
        suite_result("latency-injection", PassKind.ISOLATION),
        suite_result(
            "network-disruption",
            PassKind.ISOLATION,
            not_run,
            status=SuiteStatus.BLOCKED,
            reason="port 5707 held by pid 4242 (alice), not started by regress",
            ports=(REFUSED_PORT,),
        ),
    )
    combined = (
        suite_result("data-comparison", PassKind.COMBINED, failed),
        suite_result("multiplayer-basic", PassKind.COMBINED, missing),
        suite_result("multi-participant", PassKind.COMBINED, interference),
        suite_result("focus-loss", PassKind.COMBINED),
        suite_result("latency-injection", PassKind.COMBINED),
        suite_result("network-disruption", PassKind.COMBINED),
    )
    return make_record(
        {PassKind.ISOLATION: isolation, PassKind.COMBINED: combined},
        integrity=(SKIP_FINDING,),
        exit_code=1,
        files_modified=("testbed/server.py",),
        options=(("params", "stagger=1.0,episodes=2"), ("headed", "yes")),
        notes=("chromium printed 3 GPU warnings",),
    )


def isolation_only_record() -> RunRecord:
    """All tests pass, but the combined pass was skipped (--no-combined)."""
    return make_record(
        {PassKind.ISOLATION: tuple(suite_result(s.name, PassKind.ISOLATION) for s in SUITES)},
        options=(("passes", "isolation only"),),
    )


def interrupted_record(*, complete: bool = True) -> RunRecord:
    """Ctrl-C during the isolation pass of multiplayer-basic; complete=False is the partial
    record written while the run was still going."""
    isolation = (
        suite_result("data-comparison", PassKind.ISOLATION),
        suite_result(
            "multiplayer-basic", PassKind.ISOLATION, status=SuiteStatus.INTERRUPTED, only=1
        ),
    )
    return make_record(
        {PassKind.ISOLATION: isolation},
        interrupted=complete,
        complete=complete,
        finished="2026-11-21T10:47:40+00:00",
        duration=148.0,
        exit_code=130 if complete else None,
        notes=("interrupted by Ctrl-C",) if complete else (),
    )

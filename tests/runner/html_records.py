"""Sample records with the evidence the HTML report shows: times, log windows, screenshots,
traces, export parity; and the files they name, laid out in a run folder when asked."""

from __future__ import annotations

import dataclasses
import struct
import zlib
from pathlib import Path

from regress.judging.results import (
    ParityColumn,
    ParityEvidence,
    PassKind,
    PassResult,
    PlanInfo,
    RunRecord,
    SuiteInfo,
    SuiteResult,
    SuiteStatus,
    TestOutcome,
    TestStatus,
)
from tests.runner import records

T0 = 1_795_000_000.0  # epoch seconds of the sample run's start
READY, TEARDOWN, GAP = 1.2, 0.3, 0.4
TRACEBACK = "\n".join(
    ["def test_focus_loss_mid_episode_parity(...):", ">       assert_parity(...)"]
    + [f"E       line {i} of the assertion" for i in range(1, 30)]
)
SCREENSHOT = "combined/playwright/focus/context-1-page-1.png"
TRACE = "combined/playwright/focus/trace-1.zip"
EXPORT_A = "combined/data-comparison/data/exp/scene/p1_ep0.csv"
EXPORT_B = "combined/data-comparison/data/exp/scene/p2_ep0.csv"
DIVERGENT = ParityColumn("score.0", 20, ((455, "12", "13"), (456, "12", "14")))
LOG_LINES = ("GET /healthz 200", 'POST /export <script>alert("x")</script> 500')


def with_evidence(record: RunRecord) -> RunRecord:
    """The record with per-test times, server times, log windows and, for the failed test in
    the combined pass, a screenshot, a trace and a divergent export pair."""
    clock = T0
    passes = []
    for whole in record.passes:
        suites = []
        if whole.kind is PassKind.COMBINED:
            starts = clock
            clock += READY + GAP
        for result in whole.suites:
            if whole.kind is PassKind.ISOLATION:
                starts = clock
                clock += READY + GAP
            tests = []
            for test in result.tests:
                if test.status in (TestStatus.NOT_RUN, TestStatus.MISSING):
                    tests.append(test)
                    continue
                tests.append(_timed(test, clock, result, whole.kind))
                clock += test.duration + GAP
            stopped = clock + TEARDOWN if whole.kind is PassKind.ISOLATION else None
            if whole.kind is PassKind.ISOLATION:
                clock = (stopped or clock) + GAP
            suites.append(
                dataclasses.replace(
                    result,
                    tests=tuple(tests),
                    server_log=f"{whole.kind.value}/{result.suite}/server.log",
                    server_started_at=starts,
                    server_ready_at=starts + READY,
                    server_stopped_at=stopped,
                    parity=_parity(result, whole.kind),
                )
            )
        if whole.kind is PassKind.COMBINED:
            suites = [dataclasses.replace(s, server_stopped_at=clock + TEARDOWN) for s in suites]
            clock += TEARDOWN + GAP
        passes.append(dataclasses.replace(whole, suites=tuple(suites)))
    return dataclasses.replace(
        record,
        passes=tuple(passes),
        machine=(("cpus", "2"), ("python", "3.11.7"), ("platform", "Linux-x86_64")),
    )


def _timed(test: TestOutcome, start: float, result: SuiteResult, kind: PassKind) -> TestOutcome:
    failed = test.status is not TestStatus.PASSED
    artifacts: tuple[tuple[str, str], ...] = ()
    if test.nodeid == records.FAILED_TEST and kind is PassKind.COMBINED:
        artifacts = (("screenshot", SCREENSHOT), ("trace", TRACE))
    return dataclasses.replace(
        test,
        started_at=start,
        finished_at=start + test.duration,
        log_lines=(3, 4),
        log_excerpt=LOG_LINES if failed else (),
        details=TRACEBACK if test.nodeid == records.FAILED_TEST else test.details,
        artifacts=artifacts,
    )


def _parity(result: SuiteResult, kind: PassKind) -> tuple[ParityEvidence, ...]:
    if result.suite != "data-comparison" or kind is not PassKind.COMBINED:
        return ()
    return (
        ParityEvidence(
            a=EXPORT_A,
            b=EXPORT_B,
            verdict="divergent",
            rows_a=600,
            rows_b=600,
            reasons=("20 divergent cells in 1 columns",),
            columns=(DIVERGENT,),
            nodeid=records.FAILED_TEST,
        ),
    )


def lay_out(record: RunRecord, run_dir: Path) -> None:
    """Write every file the record names under run_dir (so a browser finds them all)."""
    names = {SCREENSHOT, TRACE, EXPORT_A, EXPORT_B}
    for whole in record.passes:
        names.update(path for _, path in whole.artifacts)
        for result in whole.suites:
            names.update(path for _, path in result.artifacts)
            if result.server_log:
                names.add(result.server_log)
    for name in names:
        path = run_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if name.endswith(".png"):
            path.write_bytes(tiny_png())
        elif name.endswith(".log"):
            path.write_text("start\nready\n" + "\n".join(LOG_LINES) + "\n")
        else:
            path.write_text("sample\n")


def tiny_png() -> bytes:
    """A valid 2x2 grey PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\x80\x80\x80" * 2 for _ in range(2))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def synthetic_record(tests: int, per_suite: int = 20) -> RunRecord:
    """A run of `tests` tests in suites of per_suite, both passes, every fifth failing
    combined (interference), with times and log windows."""
    suites = []
    for index in range(0, tests, per_suite):
        name = f"suite-{index // per_suite:03d}"
        expected = tuple(
            f"tests/e2e/test_{name}.py::test_case_{n}[param-{n}]"
            for n in range(index, min(index + per_suite, tests))
        )
        suites.append(
            SuiteInfo(
                name,
                f"REQ-{index // per_suite % 40:02d}",
                (f"tests/e2e/test_{name}.py",),
                expected,
                "testbed",
                5700,
                "suite",
                (),
            )
        )
    passes = []
    clock = T0
    for kind in PassKind:
        results = []
        for info in suites:
            outcomes = []
            for n, nodeid in enumerate(info.expected):
                bad = kind is PassKind.COMBINED and n % 5 == 0
                outcomes.append(
                    TestOutcome(
                        nodeid,
                        TestStatus.FAILED if bad else TestStatus.PASSED,
                        1.5,
                        "AssertionError: exports diverge" if bad else "",
                        TRACEBACK if bad else "",
                        clock,
                        clock + 1.5,
                        (n * 3 + 1, n * 3 + 3),
                        LOG_LINES if bad else (),
                    )
                )
                clock += 1.6
            results.append(
                SuiteResult(
                    info.name,
                    info.requirement,
                    kind,
                    SuiteStatus.FAILED
                    if any(o.status is TestStatus.FAILED for o in outcomes)
                    else SuiteStatus.PASSED,
                    tuple(outcomes),
                    records.STARTED,
                    1.6 * len(outcomes),
                    server_log=f"{kind.value}/{info.name}/server.log",
                    server_started_at=clock - 1.6 * len(outcomes) - 1.0,
                    server_ready_at=clock - 1.6 * len(outcomes),
                    server_stopped_at=clock + 0.2,
                    teardown_seconds=0.2,
                    server_ready_seconds=1.0,
                )
            )
        passes.append(PassResult(kind, tuple(results), records.STARTED, clock - T0))
    return RunRecord(
        run_id="20261121-120000-beef",
        started=records.STARTED,
        finished=records.FINISHED,
        duration=clock - T0,
        manifest="suites.yaml",
        project_root="/srv/project",
        plans=(
            PlanInfo(
                "99-synthetic",
                "01",
                "Synthetic",
                "testing",
                (),
                tuple(dict.fromkeys(s.requirement for s in suites)),
                tuple(s.name for s in suites),
            ),
        ),
        suites=tuple(suites),
        passes=tuple(passes),
        exit_code=1,
    )

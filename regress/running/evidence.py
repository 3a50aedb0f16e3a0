"""Step "keep the evidence": what a suite's tests left, attached to its result for the report.

Per test: when it ran (from the plugin's events), the line span of the suite server's log in
that window (and those lines, for tests that did not pass), its artifact files; per suite: the
server log, the server's start/ready/stop times, and the `regress parity` result of every export
pair in its data folder, attributed to the test whose time window wrote it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from regress.errors import RegressError
from regress.judging.results import (
    ParityColumn,
    ParityEvidence,
    SuiteResult,
    TestOutcome,
    TestStatus,
)
from regress.judging.suite import TestTiming
from regress.parity.model import DEFAULT_EXCLUDE, ParityReport
from regress.parity.pairing import compare_dir

MAX_EXCERPT_LINES = 40
MAX_LINE_CHARS = 300
MAX_PAIRS = 20  # export pairs kept per suite and pass
WINDOW_SLACK = 1.0  # seconds: a file written just after teardown still belongs to the test


@dataclass(frozen=True)
class ServerTimes:
    """Epoch seconds of a suite-scoped server: spawned, ready, stopped (None: not yet/never)."""

    started: float
    ready: float
    stopped: float | None = None


def attach_evidence(
    result: SuiteResult,
    *,
    run_dir: Path,
    suite_dir: Path,
    timings: Sequence[TestTiming],
    server: ServerTimes | None,
    exclude: Sequence[str] = DEFAULT_EXCLUDE,
) -> SuiteResult:
    """The result with its tests' times, log windows and files, the server's times and log,
    and the parity of its exports."""
    log = suite_dir / "server.log"
    text = _read_bytes(log)
    by_id = {timing.nodeid: timing for timing in timings}
    tests = tuple(_test(t, by_id.get(t.nodeid), text, run_dir) for t in result.tests)
    return replace(
        result,
        tests=tests,
        server_log=_relative(log, run_dir) if text is not None else "",
        server_started_at=server.started if server else None,
        server_ready_at=server.ready if server else None,
        server_stopped_at=server.stopped if server else None,
        parity=_parity(suite_dir / "data", run_dir, tests, exclude),
    )


def _test(
    outcome: TestOutcome, timing: TestTiming | None, log: bytes | None, run_dir: Path
) -> TestOutcome:
    if timing is None:
        return outcome
    files = tuple(Path(path) for path in timing.files)
    span: tuple[int, int] | None = None
    excerpt: tuple[str, ...] = ()
    own_log = next((path for path in files if path.name == "server.log"), None)
    if log is not None and timing.log_start is not None and timing.log_end is not None:
        span, lines = _window(log, timing.log_start, timing.log_end)
    elif own_log is not None and (whole := _read_bytes(own_log)) is not None:
        span, lines = _window(whole, 0, len(whole))  # a server of its own (scope "test")
    else:
        lines = []
    if outcome.status is not TestStatus.PASSED:
        excerpt = tuple(line[:MAX_LINE_CHARS] for line in lines[:MAX_EXCERPT_LINES])
    return replace(
        outcome,
        started_at=timing.started,
        finished_at=timing.finished,
        log_lines=span,
        log_excerpt=excerpt,
        artifacts=tuple(
            (label_of(path), rel)
            for path in files
            if (rel := _relative(path, run_dir)) and not rel.startswith("../")
        ),
    )


def label_of(path: Path) -> str:
    """What an artifact file is, for the report: screenshot, trace, export, server log, file."""
    if path.suffix == ".png":
        return "screenshot"
    if path.suffix == ".zip":
        return "trace"
    if path.suffix == ".csv":
        return "export"
    if path.name == "server.log":
        return "server log"
    return "file"


def _window(log: bytes, start: int, end: int) -> tuple[tuple[int, int] | None, list[str]]:
    """The 1-based line span of log[start:end] and its lines; None when it wrote nothing."""
    chunk = log[start:end]
    if not chunk.strip():
        return None, []
    first = log.count(b"\n", 0, start) + 1
    lines = chunk.decode("utf-8", errors="replace").splitlines()
    return (first, first + len(lines) - 1), lines


def _parity(
    data: Path, run_dir: Path, tests: tuple[TestOutcome, ...], exclude: Sequence[str]
) -> tuple[ParityEvidence, ...]:
    if not data.is_dir():
        return ()
    try:
        report = compare_dir(data, exclude=exclude, max_examples=5)
    except RegressError:
        return ()  # no exports named <subject>_ep<n>.csv: nothing to compare
    found = [
        _evidence(pair.report, run_dir, _writer(tests, Path(pair.report.a), Path(pair.report.b)))
        for pair in report.pairs
    ]
    found += [
        ParityEvidence(
            a=_relative(Path(problem.files[0]), run_dir),
            b=_relative(Path(problem.files[1]), run_dir) if len(problem.files) > 1 else "",
            verdict="unreadable" if problem.kind.value == "unreadable" else "divergent",
            reasons=(problem.message,),
        )
        for problem in report.problems
    ]
    return tuple(found[:MAX_PAIRS])


def _evidence(report: ParityReport, run_dir: Path, nodeid: str) -> ParityEvidence:
    return ParityEvidence(
        a=_relative(Path(report.a), run_dir),
        b=_relative(Path(report.b), run_dir),
        verdict=report.verdict.value,
        rows_a=report.rows_a,
        rows_b=report.rows_b,
        reasons=report.reasons,
        columns=tuple(
            ParityColumn(
                column.column,
                column.count,
                tuple((e.row, e.a[:MAX_LINE_CHARS], e.b[:MAX_LINE_CHARS]) for e in column.examples),
            )
            for column in report.divergent
        ),
        nodeid=nodeid,
    )


def _writer(tests: tuple[TestOutcome, ...], *paths: Path) -> str:
    """The test whose time window saw both files last written (strictly inside it if any
    test's was, else within a second after it; the latest to begin wins), or ""."""
    times = []
    for path in paths:
        with contextlib.suppress(OSError):
            times.append(path.stat().st_mtime)
    if not times:
        return ""
    timed = sorted((t for t in tests if t.started_at is not None), key=lambda t: t.started_at or 0)
    for slack in (0.0, WINDOW_SLACK):
        inside = [
            t.nodeid
            for t in timed
            if all(
                (t.started_at or 0) <= moment <= (t.finished_at or t.started_at or 0) + slack
                for moment in times
            )
        ]
        if inside:
            return inside[-1]
    return ""


def _read_bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _relative(path: Path, run_dir: Path) -> str:
    """path relative to the run folder (POSIX separators); "../" when it lies outside."""
    try:
        return path.resolve().relative_to(run_dir.resolve()).as_posix()
    except ValueError:
        return "../" + path.name

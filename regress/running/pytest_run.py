"""One pytest subprocess: command line, live events, deadline, and its JUnit verdicts per suite."""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from regress.judging.junit import JUnitCase, JUnitError, read_junit
from regress.judging.results import SuiteStatus, TestOutcome, TestStatus
from regress.proc import popen
from regress.proc.server import log_tail
from regress.running.context import CONTEXT_ENV, TOKEN_ENV, RunContext, SuiteContext, write_context

POLL_SECONDS = 0.1
PYTEST_EXIT = {
    0: "all tests passed",
    1: "tests failed",
    2: "interrupted",
    3: "internal error",
    4: "usage error",
    5: "no tests collected",
}


@dataclass(frozen=True)
class PytestOptions:
    """Pass-through options for every pytest process of a run."""

    headed: bool = False
    browser: str | None = None
    extra: tuple[str, ...] = ()
    env: tuple[tuple[str, str], ...] = ()  # e.g. DISPLAY for headed runs


@dataclass(frozen=True)
class PytestRun:
    """How a pytest process ended."""

    exit_code: int | None
    timed_out: bool
    duration: float
    junit: Path
    log: Path
    cases: tuple[JUnitCase, ...]
    junit_error: str  # why the JUnit file cannot be trusted ("" when it can)
    events: tuple[tuple[str, str], ...]  # (nodeid, outcome) streamed while running
    running: str  # node id in flight when the process was killed


def build_command(
    targets: Sequence[str], *, root: Path, junit: Path, artifacts: Path, options: PytestOptions
) -> list[str]:
    """pytest command line for a set of targets (node ids relative to root)."""
    command = [
        sys.executable,
        "-m",
        "pytest",
        *targets,
        f"--rootdir={root}",
        f"--junitxml={junit}",
        "-o",
        "junit_family=xunit1",
        "-p",
        "no:cacheprovider",
        "-rA",
    ]
    if importlib.util.find_spec("pytest_playwright") is not None:
        command += [
            "--output",
            str(artifacts),
            "--tracing",
            "retain-on-failure",
            "--screenshot",
            "only-on-failure",
        ]
        if options.headed:
            command.append("--headed")
        if options.browser:
            command += ["--browser", options.browser]
    return [*command, *options.extra]


def run_pytest(
    context: RunContext,
    *,
    directory: Path,
    targets: Sequence[str],
    timeout: float,
    options: PytestOptions,
    on_event: Callable[[str, str], None],
) -> PytestRun:
    """Run pytest on targets with the context, streaming (nodeid, outcome) events."""
    directory.mkdir(parents=True, exist_ok=True)
    junit = directory / "junit.xml"
    log = directory / "pytest.log"
    events_path = directory / "events.jsonl"
    context_path = directory / "context.json"
    for stale in (junit, events_path):
        stale.unlink(missing_ok=True)
    write_context(context_path, context)
    env: Mapping[str, str] = {
        **os.environ,  # the tests need PATH, HOME, the user's PYTHONPATH, ...
        CONTEXT_ENV: str(context_path),
        TOKEN_ENV: context.token,
        "REGRESS_EVENTS": str(events_path),
        "PYTHONUNBUFFERED": "1",
        **dict(options.env),
    }
    command = build_command(
        targets,
        root=context.root,
        junit=junit,
        artifacts=directory / "playwright",
        options=options,
    )
    started = time.monotonic()
    child = popen.spawn(command, cwd=context.root, env=env, log_path=log)
    events: list[tuple[str, str]] = []
    running = ""
    timed_out = False
    try:
        offset = 0
        while child.poll() is None:
            offset, running = _drain(events_path, offset, events, running, on_event)
            if time.monotonic() - started > timeout:
                timed_out = True
                popen.kill_tree(child)
                break
            time.sleep(POLL_SECONDS)
        _drain(events_path, offset, events, running, on_event)
    finally:
        if child.poll() is None:
            popen.stop(child, grace=5.0)
    duration = time.monotonic() - started
    cases: tuple[JUnitCase, ...] = ()
    junit_error = ""
    try:
        cases = read_junit(junit)
    except JUnitError as exc:
        junit_error = str(exc)
    return PytestRun(
        exit_code=None if timed_out else child.returncode,
        timed_out=timed_out,
        duration=duration,
        junit=junit,
        log=log,
        cases=cases,
        junit_error=junit_error,
        events=tuple(events),
        running=running if timed_out else "",
    )


def _drain(
    path: Path,
    offset: int,
    events: list[tuple[str, str]],
    running: str,
    on_event: Callable[[str, str], None],
) -> tuple[int, str]:
    """Read complete new lines of the events file; returns the new offset and the last test
    that reported a setup (so a timeout can name it)."""
    with contextlib.suppress(FileNotFoundError), path.open("rb") as handle:
        handle.seek(offset)
        chunk = handle.read()
        end = chunk.rfind(b"\n") + 1
        for raw in chunk[:end].splitlines():
            try:
                event = json.loads(raw)
            except ValueError:
                continue
            if event.get("when") == "setup" and event.get("outcome") == "started":
                running = event["nodeid"]
                continue
            events.append((event["nodeid"], event["outcome"]))
            on_event(event["nodeid"], event["outcome"])
        return offset + end, running
    return offset, running


@dataclass(frozen=True)
class SuiteVerdictInput:
    """The part of a pytest run that belongs to one suite."""

    status: SuiteStatus
    tests: tuple[TestOutcome, ...]
    reason: str


def judge_suite(
    run: PytestRun, suite: SuiteContext, expected: Sequence[str], *, only_suite: bool
) -> SuiteVerdictInput:
    """Trust the JUnit report, fall back to the exit code; expected vs collected."""
    if run.timed_out:
        done = {nodeid: outcome for nodeid, outcome in run.events if suite.owns(nodeid)}
        timed = tuple(
            TestOutcome(nodeid, _event_status(done[nodeid]), message="finished before the timeout")
            if nodeid in done
            else TestOutcome(
                nodeid,
                TestStatus.TIMEOUT if nodeid == run.running else TestStatus.NOT_RUN,
                message="running when the suite timed out" if nodeid == run.running else "",
            )
            for nodeid in expected
        )
        return SuiteVerdictInput(
            SuiteStatus.TIMEOUT, timed, "suite timeout: pytest was killed with its process tree"
        )
    if run.junit_error:
        reason = f"{run.junit_error}; pytest exit code {run.exit_code}"
        tail = "\n".join(log_tail(run.log, lines=15))
        return SuiteVerdictInput(
            SuiteStatus.ERROR,
            tuple(TestOutcome(n, TestStatus.NOT_RUN, message=reason) for n in expected),
            f"{reason}\n{tail}" if tail else reason,
        )
    mine = [
        case.outcome
        for case in run.cases
        if case.suite == suite.name
        or (not case.suite and (only_suite or suite.owns(case.outcome.nodeid)))
    ]
    collected = {outcome.nodeid: outcome for outcome in mine}
    tests: list[TestOutcome] = [
        collected.get(n) or TestOutcome(n, TestStatus.MISSING, message="expected, not collected")
        for n in expected
    ]
    for outcome in mine:
        if outcome.nodeid not in expected:
            tests.append(
                TestOutcome(
                    outcome.nodeid,
                    TestStatus.UNEXPECTED,
                    outcome.duration,
                    f"collected but not in the suite's expected tests ({outcome.status.value})"
                    + (f": {outcome.message}" if outcome.message else ""),
                    outcome.details,
                )
            )
    reason = ""
    status = SuiteStatus.PASSED
    if any(t.status is not TestStatus.PASSED for t in tests):
        status = SuiteStatus.FAILED
    if run.exit_code not in (0, 1):
        status = SuiteStatus.ERROR
        meaning = PYTEST_EXIT.get(run.exit_code or 0, "unknown")
        reason = f"pytest exited with {run.exit_code} ({meaning})"
    elif run.exit_code == 1 and status is SuiteStatus.PASSED and only_suite:
        status = SuiteStatus.ERROR
        reason = "pytest exited with 1 although its JUnit report shows no failure"
    return SuiteVerdictInput(status, tuple(tests), reason)


def _event_status(outcome: str) -> TestStatus:
    try:
        return TestStatus(outcome)
    except ValueError:
        return TestStatus.ERROR

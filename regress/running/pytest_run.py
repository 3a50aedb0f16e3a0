"""One pytest subprocess: command line, environment, live events, deadline, JUnit read back."""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from regress.judging.junit import JUnitCase, JUnitError, read_junit
from regress.judging.suite import PytestOutcome, TestTiming
from regress.proc import popen
from regress.proc.ledger import ROLE_ENV, Ledger
from regress.proc.server import log_tail
from regress.proc.sweep import stop_leftovers
from regress.running.context import CONTEXT_ENV, TOKEN_ENV, RunContext, write_context
from regress.running.events import STARTED, WAITED, WAITING, PytestEvent
from regress.running.pytest_errors import pytest_error_line

POLL_SECONDS = 0.1


@dataclass(frozen=True)
class PytestOptions:
    """Pass-through options for every pytest process of a run."""

    headed: bool = False
    browser: str | None = None
    extra: tuple[str, ...] = ()
    env: tuple[tuple[str, str], ...] = ()  # e.g. DISPLAY for headed runs


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
    on_event: Callable[[PytestEvent], None],
    role: str,
) -> PytestOutcome:
    """Run pytest on targets with the context, streaming its events (tests starting and
    finishing, waits inside pytest) to on_event.

    The process is recorded in the ledger while it runs; afterwards every process it left
    behind (its group, and whatever carries the run token and its role) is stopped and named
    in the outcome's `leaked`.
    """
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
        ROLE_ENV: role,
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
    ledger = Ledger(context.ledger)
    ledger.record(
        pid=child.pid,
        create_time=child.create_time,
        port=0,
        run_id=context.run_id,
        token=context.token,
        argv=child.argv,
        role="pytest",
    )
    events: list[tuple[str, str]] = []
    deselected: list[str] = []
    timings: dict[str, TestTiming] = {}
    running = ""
    timed_out = False
    collecting = _Collecting(on_event, started)
    try:
        offset = 0
        while child.poll() is None:
            offset, running = _drain(
                events_path,
                offset,
                events,
                running,
                collecting,
                deselected=deselected,
                timings=timings,
            )
            if time.monotonic() - started > timeout:
                timed_out = True
                popen.kill_tree(child)
                break
            time.sleep(POLL_SECONDS)
        _drain(
            events_path,
            offset,
            events,
            running,
            collecting,
            deselected=deselected,
            timings=timings,
        )
    finally:
        collecting.close()
        if child.poll() is None:
            popen.stop(child, grace=5.0)
        leaked = stop_leftovers(child, context.token, role)
        ledger.forget(child.pid)
    duration = time.monotonic() - started
    cases: tuple[JUnitCase, ...] = ()
    junit_error = ""
    try:
        cases = read_junit(junit)
    except JUnitError as exc:
        junit_error = str(exc)
    error_line = ""
    if not timed_out and (junit_error or child.returncode in (2, 3, 4)):
        with contextlib.suppress(OSError):
            error_line = pytest_error_line(log.read_text(errors="replace"), context.root)
    return PytestOutcome(
        exit_code=None if timed_out else child.returncode,
        timed_out=timed_out,
        duration=duration,
        junit=junit,
        log=log,
        cases=cases,
        junit_error=junit_error,
        events=tuple(events),
        running=running if timed_out else "",
        log_tail=log_tail(log, lines=15) if junit_error else (),
        leaked=leaked,
        deselected=tuple(deselected),
        error_line=error_line,
        timings=tuple(timings.values()),
    )


class _Collecting:
    """Passes events on; until the first one, the process is a wait for pytest to start up and
    collect (imports, conftests, plugins), and is shown as one."""

    WHAT = "pytest to start and collect the tests"

    def __init__(self, on_event: Callable[[PytestEvent], None], started: float) -> None:
        self.on_event = on_event
        self.started = started
        self.open = True
        on_event(PytestEvent("", "wait", WAITING, what=self.WHAT))

    def __call__(self, event: PytestEvent) -> None:
        self.close()
        self.on_event(event)

    def close(self) -> None:
        """End the wait (at the first event, or when the process ended without any)."""
        if self.open:
            self.open = False
            seconds = time.monotonic() - self.started
            self.on_event(PytestEvent("", "wait", WAITED, seconds, self.WHAT))


def _drain(
    path: Path,
    offset: int,
    events: list[tuple[str, str]],
    running: str,
    on_event: Callable[[PytestEvent], None],
    *,
    deselected: list[str],
    timings: dict[str, TestTiming],
) -> tuple[int, str]:
    """Read complete new lines of the events file; returns the new offset and the last test
    that reported a setup (so a timeout can name it). Deselected tests are collected apart;
    begin and finish events go to timings."""
    with contextlib.suppress(FileNotFoundError), path.open("rb") as handle:
        handle.seek(offset)
        chunk = handle.read()
        end = chunk.rfind(b"\n") + 1
        for raw in chunk[:end].splitlines():
            try:
                data = json.loads(raw)
                if data.get("when") in ("begin", "finished"):
                    _timing(data, timings)
                    continue
                event = _event(data)
            except (ValueError, TypeError, KeyError, AttributeError):
                continue
            if event.when == "setup" and event.outcome == STARTED:
                running = event.nodeid
            elif event.outcome == "deselected":
                deselected.append(event.nodeid)
                continue
            elif event.when != "wait":
                events.append((event.nodeid, event.outcome))
            on_event(event)
        return offset + end, running
    return offset, running


def _event(data: dict[str, object]) -> PytestEvent:
    """One decoded events.jsonl line (KeyError/TypeError when it is not the plugin's)."""
    duration = data.get("duration")
    return PytestEvent(
        nodeid=str(data["nodeid"]),
        when=str(data["when"]),
        outcome=str(data["outcome"]),
        duration=float(duration) if isinstance(duration, int | float) else None,
        what=str(data.get("what", "")),
    )


def _timing(event: dict[str, Any], timings: dict[str, TestTiming]) -> None:
    """Fold a begin or finished event into the test's timing (a repeated test: its last run)."""
    nodeid, moment, size = event["nodeid"], float(event.get("t") or 0.0), event.get("log_bytes")
    if event["when"] == "begin":
        timings.pop(nodeid, None)
        timings[nodeid] = TestTiming(nodeid, moment, log_start=size)
    elif nodeid in timings:
        timings[nodeid] = replace(
            timings[nodeid],
            finished=moment,
            log_end=size,
            files=tuple(str(path) for path in event.get("artifacts") or ()),
        )

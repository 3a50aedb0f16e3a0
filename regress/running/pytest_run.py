"""One pytest subprocess: command line, environment, live events, deadline, JUnit read back."""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import shutil
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from regress.errors import RegressError
from regress.judging.junit import JUnitCase, JUnitError, read_junit
from regress.judging.suite import PytestOutcome, TestTiming
from regress.proc import popen
from regress.proc.browsers_path import system_browsers
from regress.proc.display import virtual_display
from regress.proc.interpreter import with_interpreter
from regress.proc.ledger import ROLE_ENV, Ledger
from regress.proc.ports import listeners
from regress.proc.server import log_tail
from regress.proc.sweep import carries_token, stop_leftovers
from regress.running.context import CONTEXT_ENV, TOKEN_ENV, RunContext, write_context
from regress.running.events import STARTED, WAITED, WAITING, PytestEvent
from regress.running.pytest_errors import pytest_error_line

POLL_SECONDS = 0.1
PLUGIN = "regress.running.plugin"
BROWSERS_DIR = "browsers"  # Playwright browsers folder of one pytest process
WATCH_SECONDS = 2.0  # how often the ports are looked at while pytest runs


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
    if not _plugin_registered():
        command += ["-p", PLUGIN]  # run from a checkout: regress is not pip-installed
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


def _plugin_registered() -> bool:
    """Whether pytest loads regress's plugin by itself (its pytest11 entry point)."""
    return any(e.value == PLUGIN for e in entry_points(group="pytest11"))


def run_pytest(
    context: RunContext,
    *,
    directory: Path,
    targets: Sequence[str],
    timeout: float,
    options: PytestOptions,
    on_event: Callable[[PytestEvent], None],
    role: str,
    watch_ports: Sequence[int] = (),
) -> PytestOutcome:
    """Run pytest on targets with the context, streaming its events (tests starting and
    finishing, waits inside pytest) to on_event, and watching watch_ports for listeners this
    run did not start.

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
    env: dict[str, str] = with_interpreter(
        {
            **os.environ,  # the tests need PATH, HOME, the user's PYTHONPATH, ...
            CONTEXT_ENV: str(context_path),
            TOKEN_ENV: context.token,
            ROLE_ENV: role,
            "REGRESS_EVENTS": str(events_path),
            "PYTHONUNBUFFERED": "1",
            **dict(options.env),
        }
    )
    command = build_command(
        targets,
        root=context.root,
        junit=junit,
        artifacts=directory / "playwright",
        options=options,
    )
    uses_playwright = importlib.util.find_spec("pytest_playwright") is not None
    if uses_playwright:
        env.update(system_browsers(directory / BROWSERS_DIR, env).env)
    ledger = Ledger(context.ledger)
    foreign: dict[int, str] = {}  # port -> a listener this run did not start, seen while running
    # The project's fixtures may launch headed browsers: give them a display when none is set.
    headed = uses_playwright and not env.get("DISPLAY") and shutil.which("Xvfb") is not None
    with contextlib.ExitStack() as stack:
        try:
            display = virtual_display(
                headed,
                log_dir=directory,
                ledger=ledger,
                run_id=context.run_id,
                token=context.token,
                env=env,
            )
            env.update(stack.enter_context(display))
        except RegressError:
            pass  # no display then: a headed launch fails, and its cause names the display
        started = time.monotonic()
        watched = _watch(
            command,
            env=env,
            context=context,
            ledger=ledger,
            log=log,
            events_path=events_path,
            timeout=timeout,
            on_event=on_event,
            role=role,
            look=lambda: _look(watch_ports, ledger, context.token, foreign),
        )
        duration = time.monotonic() - started
    timed_out, child = watched.timed_out, watched.child
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
        events=tuple((nodeid, outcome) for nodeid, outcome, _ in watched.events),
        messages=tuple((nodeid, message) for nodeid, _, message in watched.events if message),
        foreign_ports=tuple(sorted(foreign.items())),
        running=watched.running if timed_out else "",
        log_tail=log_tail(log, lines=15) if junit_error else (),
        leaked=watched.leaked,
        deselected=tuple(watched.deselected),
        error_line=error_line,
        timings=tuple(watched.timings.values()),
    )


@dataclass
class _Watched:
    """What one pytest process reported while it ran."""

    child: popen.Child
    events: list[tuple[str, str, str]] = field(default_factory=list)  # nodeid, outcome, message
    deselected: list[str] = field(default_factory=list)
    timings: dict[str, TestTiming] = field(default_factory=dict)
    running: str = ""  # the test that last reported a setup
    timed_out: bool = False
    leaked: tuple[str, ...] = ()


def _watch(
    command: list[str],
    *,
    env: Mapping[str, str],
    context: RunContext,
    ledger: Ledger,
    log: Path,
    events_path: Path,
    timeout: float,
    on_event: Callable[[PytestEvent], None],
    role: str,
    look: Callable[[], None],
) -> _Watched:
    """Start pytest, stream its events until it ends or the deadline kills it, stop what it
    left behind."""
    started = time.monotonic()
    child = popen.spawn(command, cwd=context.root, env=env, log_path=log)
    ledger.record(
        pid=child.pid,
        create_time=child.create_time,
        port=0,
        run_id=context.run_id,
        token=context.token,
        argv=child.argv,
        role="pytest",
    )
    watched = _Watched(child)
    collecting = _Collecting(on_event, started)
    looked = 0.0
    try:
        offset = 0
        while child.poll() is None:
            offset = _drain(events_path, offset, watched, collecting)
            if time.monotonic() - looked > WATCH_SECONDS:
                look()
                looked = time.monotonic()
            if time.monotonic() - started > timeout:
                watched.timed_out = True
                popen.kill_tree(child)
                break
            time.sleep(POLL_SECONDS)
        _drain(events_path, offset, watched, collecting)
    finally:
        collecting.close()
        if child.poll() is None:
            popen.stop(child, grace=5.0)
        watched.leaked = stop_leftovers(child, context.token, role)
        ledger.forget(child.pid)
    return watched


def _look(ports: Sequence[int], ledger: Ledger, token: str, foreign: dict[int, str]) -> None:
    """Note listeners on ports that this run did not start: a process carrying the run's token
    was started under it (its servers, a server the plugin starts per test, the project's own
    fixtures' servers); anything else on the port is foreign."""
    if not ports:
        return
    try:
        holders = listeners(ports, ledger=ledger)
    except RegressError:
        return  # sockets not listable: nothing to say
    for holder in holders:
        if carries_token(holder.pid, token):
            continue
        if not holder.ours or holder.live_run:
            foreign.setdefault(holder.port, holder.describe())


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


def _drain(path: Path, offset: int, watched: _Watched, on_event: _Collecting) -> int:
    """Read complete new lines of the events file into watched; returns the new offset.
    Deselected tests are collected apart; begin and finish events go to the timings."""
    with contextlib.suppress(FileNotFoundError), path.open("rb") as handle:
        handle.seek(offset)
        chunk = handle.read()
        end = chunk.rfind(b"\n") + 1
        for raw in chunk[:end].splitlines():
            try:
                data = json.loads(raw)
                if data.get("when") in ("begin", "finished"):
                    _timing(data, watched.timings)
                    continue
                event = _event(data)
            except (ValueError, TypeError, KeyError, AttributeError):
                continue
            if event.when == "setup" and event.outcome == STARTED:
                watched.running = event.nodeid
            elif event.outcome == "deselected":
                watched.deselected.append(event.nodeid)
                continue
            elif event.when != "wait":
                watched.events.append((event.nodeid, event.outcome, str(data.get("message", ""))))
            on_event(event)
        return offset + end
    return offset


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

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
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path

from regress.errors import RegressError
from regress.judging.junit import JUnitCase, JUnitError, read_junit
from regress.judging.suite import PytestOutcome
from regress.proc import popen
from regress.proc.browsers_path import system_browsers
from regress.proc.display import virtual_display
from regress.proc.interpreter import with_interpreter
from regress.proc.ledger import ROLE_ENV, Ledger
from regress.proc.ports import listeners
from regress.proc.server import log_tail
from regress.proc.sweep import stop_leftovers
from regress.running.context import CONTEXT_ENV, TOKEN_ENV, RunContext, write_context

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
    on_event: Callable[[str, str], None],
    role: str,
    watch_ports: Sequence[int] = (),
) -> PytestOutcome:
    """Run pytest on targets with the context, streaming (nodeid, outcome) events, and
    watching watch_ports for listeners this run did not start.

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
        events, running, timed_out, child, leaked = _watch(
            command,
            env=env,
            context=context,
            ledger=ledger,
            log=log,
            events_path=events_path,
            timeout=timeout,
            on_event=on_event,
            role=role,
            look=lambda: _look(watch_ports, ledger, foreign),
        )
        duration = time.monotonic() - started
    cases: tuple[JUnitCase, ...] = ()
    junit_error = ""
    try:
        cases = read_junit(junit)
    except JUnitError as exc:
        junit_error = str(exc)
    return PytestOutcome(
        exit_code=None if timed_out else child.returncode,
        timed_out=timed_out,
        duration=duration,
        junit=junit,
        log=log,
        cases=cases,
        junit_error=junit_error,
        events=tuple((nodeid, outcome) for nodeid, outcome, _ in events),
        messages=tuple((nodeid, message) for nodeid, _, message in events if message),
        foreign_ports=tuple(sorted(foreign.items())),
        running=running if timed_out else "",
        log_tail=log_tail(log, lines=15) if junit_error else (),
        leaked=leaked,
    )


def _watch(
    command: list[str],
    *,
    env: Mapping[str, str],
    context: RunContext,
    ledger: Ledger,
    log: Path,
    events_path: Path,
    timeout: float,
    on_event: Callable[[str, str], None],
    role: str,
    look: Callable[[], None],
) -> tuple[list[tuple[str, str, str]], str, bool, popen.Child, tuple[str, ...]]:
    """Start pytest, stream its events until it ends or the deadline kills it, stop what it
    left behind; (events, test in flight, timed out, child, leftovers)."""
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
    events: list[tuple[str, str, str]] = []
    running = ""
    timed_out = False
    looked = 0.0
    try:
        offset = 0
        while child.poll() is None:
            offset, running = _drain(events_path, offset, events, running, on_event)
            if time.monotonic() - looked > WATCH_SECONDS:
                look()
                looked = time.monotonic()
            if time.monotonic() - started > timeout:
                timed_out = True
                popen.kill_tree(child)
                break
            time.sleep(POLL_SECONDS)
        _drain(events_path, offset, events, running, on_event)
    finally:
        if child.poll() is None:
            popen.stop(child, grace=5.0)
        leaked = stop_leftovers(child, context.token, role)
        ledger.forget(child.pid)
    return events, running, timed_out, child, leaked


def _look(ports: Sequence[int], ledger: Ledger, foreign: dict[int, str]) -> None:
    """Note listeners on ports that neither this run nor a dead one of it started."""
    if not ports:
        return
    try:
        holders = listeners(ports, ledger=ledger)
    except RegressError:
        return  # sockets not listable: nothing to say
    for holder in holders:
        if not holder.ours or holder.live_run:
            foreign.setdefault(holder.port, holder.describe())


def _drain(
    path: Path,
    offset: int,
    events: list[tuple[str, str, str]],
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
            events.append((event["nodeid"], event["outcome"], event.get("message", "")))
            on_event(event["nodeid"], event["outcome"])
        return offset + end, running
    return offset, running

"""Fixtures for the runner's tests: no leaked processes, a ledger, helper processes."""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import psutil
import pytest

from regress.proc import popen
from regress.proc.ledger import Ledger

HERE = Path(__file__).parent
LEFTOVER_GRACE = 2.0  # seconds a test's processes get to disappear after it ends
READY_TIMEOUT = 10.0


@pytest.fixture(autouse=True, scope="session")
def fixture_env_mark() -> Iterator[None]:
    """The fixture project's check_pass.py asserts this reaches it through `regress run`
    (session-scoped: module-scoped runs start before function fixtures)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FIXTURE_ENV_MARK", "yes")
        yield


@pytest.fixture(autouse=True)
def no_leftover_children() -> Iterator[None]:
    """Fail a test that leaves a child process of pytest alive; kill what it left, by pid."""
    yield
    deadline = time.monotonic() + LEFTOVER_GRACE
    while True:
        alive = [p for p in psutil.Process().children(recursive=True) if _alive(p)]
        if not alive or time.monotonic() > deadline:
            break
        time.sleep(0.02)
    described = []
    for proc in alive:
        with contextlib.suppress(psutil.NoSuchProcess):
            described.append(f"{proc.pid} {' '.join(proc.cmdline())}")
            proc.kill()  # by pid: it is our own descendant
    for child in popen.live_children():
        child.poll()  # reap the killed and the finished; leaves running ones alone
    assert not described, f"test left processes alive: {described}"


@pytest.fixture
def ledger(tmp_path: Path) -> Ledger:
    """An empty ledger in a temporary reports directory."""
    return Ledger.in_reports(tmp_path / "reports")


Launch = Callable[..., popen.Child]


@pytest.fixture
def launch(tmp_path: Path) -> Iterator[Launch]:
    """Start `python ARGS` (a .py name is taken from tests/runner) and wait for a ready line.

    Call as launch("squatter.py", "8000", ready="listening", env={...}); children are killed
    at teardown.
    """
    started: list[popen.Child] = []

    def start(
        *args: str, ready: str = "listening", env: Mapping[str, str] | None = None
    ) -> popen.Child:
        head = str(HERE / args[0]) if args[0].endswith(".py") else args[0]
        child = popen.spawn(
            [sys.executable, head, *args[1:]],
            cwd=tmp_path,
            env={**os.environ, **(env or {})},
            log_path=tmp_path / f"launch-{len(started)}.log",
        )
        started.append(child)
        wait_for_line(child, ready)
        return child

    yield start
    for child in started:
        popen.kill_tree(child)


def wait_for_line(child: popen.Child, text: str) -> None:
    """Wait until child's log contains text; fail with the log if it exits or times out."""
    deadline = time.monotonic() + READY_TIMEOUT
    while True:
        log = child.log_path.read_text(encoding="utf-8", errors="replace")
        if text in log:
            return
        if child.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"{child.argv} never printed {text!r} (exit {child.returncode}):\n{log}")
        time.sleep(0.01)


def _alive(proc: psutil.Process) -> bool:
    try:
        return proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False

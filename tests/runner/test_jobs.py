"""`--jobs N`: isolation suites side by side, each with its own server and pytest process."""

from __future__ import annotations

import _thread
import io
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml
from rich.console import Console

from regress.judging.history import load_record
from regress.judging.results import PassKind, SuiteResult, SuiteStatus
from regress.manifest.load import load_manifest
from regress.manifest.model import Suite
from regress.manifest.select import select
from regress.proc import popen
from regress.proc.ports import is_free
from regress.reporting.progress import LiveProgress
from regress.running.events import NullSink
from regress.running.parallel import run_concurrently
from regress.running.recorder import Recorder
from regress.running.setup import RunOptions, RunSetup
from tests.runner.fixture_projects import copy_fixture_project

ROOT = Path(__file__).resolve().parents[2]
DEADLINE = 60.0
GATED = ("gated", "gated-too")
SLEEP = "import time; time.sleep(20)"  # a suite's child that outlives any test of a stop
# On SIGTERM says so, then exits only once the file named by argv[1] exists.
TERM_WAITS_FOR_FILE = """
import os, signal, sys, time
def on_term(signum, frame):
    print('term', flush=True)
    while not os.path.exists(sys.argv[1]):
        time.sleep(0.01)
    sys.exit(0)
signal.signal(signal.SIGTERM, on_term)
print('ready', flush=True)
time.sleep(20)
"""


def test_two_suites_run_at_once_and_the_record_notes_it(tmp_path: Path) -> None:
    project = copy_fixture_project(tmp_path)
    ports = yaml.safe_load((project / "suites.yaml").read_text())["suites"]
    gate = tmp_path / "gate"
    reports = tmp_path / "reports"
    command = [sys.executable, "-m", "regress", "run", "--phase", "96", "--jobs", "2",
               "--param", f"gate={gate}", "--manifest", str(project / "suites.yaml"),
               "--reports", str(reports)]  # fmt: skip
    log = tmp_path / "run.log"
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env={**os.environ}, stdout=out, stderr=out)
    try:
        # Both suites' servers are up at the same time: their tests hold them until the gate.
        deadline = time.monotonic() + DEADLINE
        while any(is_free(int(ports[name]["port"])) for name in GATED):
            assert process.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.05)
        gate.touch()
        code = process.wait(timeout=120)
    finally:
        gate.touch()
        if process.poll() is None:
            process.kill()
            process.wait()
    assert code == 0, log.read_text()
    record = load_record(reports, None)
    assert record.jobs == 2
    isolation = record.pass_of(PassKind.ISOLATION)
    assert isolation is not None
    assert [r.suite for r in isolation.suites] == list(GATED)  # manifest order, whoever ended first
    assert all(r.status is SuiteStatus.PASSED and r.ports == () for r in isolation.suites)
    assert any("up to 2 suites at a time" in note for note in record.notes), record.notes
    assert "isolation: started gated" in log.read_text()


def test_ctrl_c_with_two_suites_in_flight_stops_both_and_records_them(tmp_path: Path) -> None:
    project = copy_fixture_project(tmp_path)
    ports = yaml.safe_load((project / "suites.yaml").read_text())["suites"]
    reports = tmp_path / "reports"
    command = [sys.executable, "-m", "regress", "run", "--phase", "96", "--jobs", "2",
               "--param", f"gate={tmp_path / 'never'}", "--manifest", str(project / "suites.yaml"),
               "--reports", str(reports)]  # fmt: skip
    log = tmp_path / "run.log"
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env={**os.environ}, stdout=out, stderr=out)
    try:
        deadline = time.monotonic() + DEADLINE
        while any(is_free(int(ports[name]["port"])) for name in GATED):
            assert process.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.05)
        process.send_signal(signal.SIGINT)
        code = process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert code == 130, log.read_text()
    record = load_record(reports, None)
    assert record.interrupted and not record.complete
    statuses = {r.suite: r.status for p in record.passes for r in p.suites}
    assert statuses == dict.fromkeys(GATED, SuiteStatus.INTERRUPTED)
    assert all(is_free(int(ports[name]["port"])) for name in GATED)
    # A suite whose pytest the stop killed has no verdict line (it ended by Ctrl-C, not ERROR).
    assert not re.search(r"^isolation: gated\S* [A-Z]+ \d+/\d+ passed", log.read_text(), re.M)


def test_ctrl_c_also_stops_a_child_a_worker_starts_while_the_others_are_stopped(
    tmp_path: Path,
) -> None:
    recorder, suites = _recorder_of_gated(tmp_path)
    spawned = tmp_path / "spawned"
    children: dict[str, popen.Child] = {}

    def run_one(suite: Suite, stopping: Callable[[], bool]) -> SuiteResult:
        if suite.name == "gated":  # starts its child, then Ctrl-C comes
            child = _spawn(tmp_path, suite.name, TERM_WAITS_FOR_FILE, str(spawned))
            children[suite.name] = child
            _wait_for(lambda: "ready" in _log(child))
            _thread.interrupt_main()
        else:  # starts its child while the stop waits for the first one to end
            _wait_for(lambda: "gated" in children and "term" in _log(children["gated"]))
            child = children[suite.name] = _spawn(tmp_path, suite.name, SLEEP)
            spawned.touch()
        child.wait(60)
        assert stopping()
        return _result(suite.name)

    with pytest.raises(KeyboardInterrupt):
        run_concurrently(suites, 2, recorder, run_one)

    assert children["gated-too"].returncode == -signal.SIGTERM  # stopped, not run to its end
    assert {r.suite: r.status for r in recorder.current} == dict.fromkeys(
        GATED, SuiteStatus.INTERRUPTED
    )


def test_ctrl_c_while_suites_are_handed_to_workers_stops_the_started_ones(tmp_path: Path) -> None:
    recorder, suites = _recorder_of_gated(tmp_path)
    started = threading.Event()
    children: list[popen.Child] = []

    def run_one(suite: Suite, stopping: Callable[[], bool]) -> SuiteResult:
        children.append(_spawn(tmp_path, suite.name, SLEEP))
        started.set()
        children[-1].wait(60)
        assert stopping()
        return _result(suite.name)

    with pytest.raises(KeyboardInterrupt):
        run_concurrently(_CtrlCAfterTheFirst(suites, started), 2, recorder, run_one)

    assert [child.returncode for child in children] == [-signal.SIGTERM]
    assert {r.suite: r.status for r in recorder.current} == dict.fromkeys(
        GATED, SuiteStatus.INTERRUPTED
    )


class _CtrlCAfterTheFirst(list[Suite]):
    """The suites; Ctrl-C comes in the main thread while it hands them out, as soon as the
    first one's worker has started its child (later iterations are plain)."""

    def __init__(self, suites: list[Suite], started: threading.Event) -> None:
        super().__init__(suites)
        self.started = started
        self.fired = False

    def __iter__(self) -> Iterator[Suite]:
        items = super().__iter__()
        if self.fired:
            yield from items
            return
        self.fired = True
        yield next(items)
        assert self.started.wait(30)
        raise KeyboardInterrupt


def _recorder_of_gated(tmp_path: Path) -> tuple[Recorder, list[Suite]]:
    """A recorder inside the isolation pass of the fixture's gated suites (--jobs 2)."""
    project = copy_fixture_project(tmp_path)
    selection = select(load_manifest(project / "suites.yaml"), phases=("96",))
    options = RunOptions(reports=tmp_path / "reports", jobs=2)
    recorder = Recorder(RunSetup.new(selection, options, NullSink()))
    recorder.setup.dir.mkdir(parents=True)
    return recorder, list(selection.suites)


def _spawn(tmp_path: Path, name: str, code: str, *args: str) -> popen.Child:
    return popen.spawn(
        [sys.executable, "-c", code, *args],
        cwd=tmp_path,
        env=os.environ,
        log_path=tmp_path / f"{name}.log",
    )


def _log(child: popen.Child) -> str:
    return child.log_path.read_text()


def _wait_for(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 30
    while not condition():
        assert time.monotonic() < deadline
        time.sleep(0.01)


def test_the_live_line_names_every_suite_in_flight() -> None:
    console = Console(file=io.StringIO(), force_terminal=False)
    progress = LiveProgress(console)
    state = progress._state  # the line the live view draws
    progress.suite_started(PassKind.ISOLATION, ("alpha",))
    progress.suite_started(PassKind.ISOLATION, ("beta",))
    assert "alpha, beta" in state.line(time.monotonic()).plain
    progress.suite_finished(_result("alpha"))
    line = state.line(time.monotonic()).plain
    assert "beta" in line and "alpha" not in line


def _result(name: str) -> SuiteResult:
    return SuiteResult(name, "R", PassKind.ISOLATION, SuiteStatus.PASSED, (), "", 1.0)

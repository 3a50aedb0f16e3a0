"""`--jobs N`: isolation suites side by side, each with its own server and pytest process."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import yaml
from rich.console import Console

from regress.judging.history import load_record
from regress.judging.results import PassKind, SuiteResult, SuiteStatus
from regress.proc.ports import is_free
from regress.reporting.progress import LiveProgress
from tests.runner.fixture_projects import copy_fixture_project

ROOT = Path(__file__).resolve().parents[2]
DEADLINE = 60.0
GATED = ("gated", "gated-too")


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

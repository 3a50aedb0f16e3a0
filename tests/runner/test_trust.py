"""Verdicts that can be trusted: one run per reports folder, nothing of a run outlives it, a
killed run's processes are swept by the next one. Real `regress run` processes throughout."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
import yaml

from regress.judging.history import load_record
from regress.judging.results import RunRecord, SuiteStatus, TestStatus
from regress.proc.ledger import TOKEN_ENV
from regress.proc.ports import is_free
from tests.runner.fixture_projects import copy_fixture_project

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_fixture_project(tmp_path)


class Runner:
    """A `regress run` subprocess of the fixture project, with its output kept."""

    def __init__(self, project: Path, *args: str, reports: str = "reports", slow: float = 60):
        self.project = project
        self.reports = project / reports
        self.log = project / f"regress-{time.monotonic_ns()}.log"
        command = [
            sys.executable,
            "-m",
            "regress",
            "run",
            *args,
            "--manifest",
            str(project / "suites.yaml"),
            "--reports",
            str(self.reports),
        ]
        env = {**os.environ, "SLOW_SECONDS": str(slow), "COLUMNS": "200"}
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
            )

    @property
    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_for_test(self, suite: str = "slow", timeout: float = 60) -> None:
        """Wait until the suite's test runs in the isolation pass (server and pytest up)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"regress run ended early:\n{self.output[-3000:]}")
            events = list(self.reports.glob(f"*/isolation/{suite}/events.jsonl"))
            if events and "started" in events[0].read_text():
                return
            time.sleep(0.05)
        pytest.fail(f"{suite}'s test never started:\n{self.output[-3000:]}")

    def wait(self, timeout: float = 120) -> int:
        return self.process.wait(timeout=timeout)

    def stop(self) -> None:
        """End the run as a user would (SIGTERM), then make sure nothing of it is left."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        for run in self.reports.glob("2*/run.json"):
            for proc in tokens_alive(f"regress-{run.parent.name}"):
                proc.kill()  # by pid: started by this test's run


@pytest.fixture
def runners() -> Iterator[list[Runner]]:
    started: list[Runner] = []
    yield started
    for runner in started:
        runner.stop()


def carrying_token(token: str) -> list[psutil.Process]:
    """Live processes whose environment carries the run token."""
    found = []
    for proc in psutil.process_iter():
        try:
            if proc.environ().get(TOKEN_ENV) == token and proc.status() != psutil.STATUS_ZOMBIE:
                found.append(proc)
        except psutil.Error:
            continue
    return found


def tokens_alive(prefix: str = "regress-") -> list[psutil.Process]:
    """Every live process carrying any regress run token (what a killed run may leave)."""
    found = []
    for proc in psutil.process_iter():
        try:
            token = proc.environ().get(TOKEN_ENV, "")
            if token.startswith(prefix) and proc.status() != psutil.STATUS_ZOMBIE:
                found.append(proc)
        except psutil.Error:
            continue
    return found


def latest(reports: Path) -> RunRecord:
    return load_record(reports)


def suite_port(project: Path, suite: str) -> int:
    return int(yaml.safe_load((project / "suites.yaml").read_text())["suites"][suite]["port"])


# --- 1. two runs in one reports folder -------------------------------------------------------


def test_a_second_run_in_the_same_reports_folder_exits_2_naming_the_first(
    project: Path, runners: list[Runner]
) -> None:
    first = Runner(project, "--suite", "slow", "--no-combined", slow=4)
    runners.append(first)
    first.wait_for_test()

    second = Runner(project, "--suite", "slow", "--no-combined", slow=4)
    runners.append(second)
    code = second.wait(timeout=30)

    lines = [line for line in second.output.splitlines() if line.strip()]
    assert code == 2, second.output
    assert len(lines) == 1, second.output
    assert f"pid {first.process.pid}" in lines[0]
    assert "started 20" in lines[0] and "regress run --suite slow" in lines[0]
    assert first.wait() == 0, first.output  # its test still talked to its own server
    record = latest(first.reports)
    assert record.passes[0].suites[0].tests[0].status is TestStatus.PASSED


def test_force_ports_never_stops_a_server_of_another_live_run(
    project: Path, runners: list[Runner]
) -> None:
    first = Runner(project, "--suite", "slow", "--no-combined", slow=4)
    runners.append(first)
    first.wait_for_test()

    other = Runner(
        project, "--suite", "slow", "--no-combined", "--force-ports", reports="other", slow=0
    )
    runners.append(other)
    assert other.wait(timeout=60) == 1, other.output

    blocked = latest(other.reports).passes[0].suites[0]
    assert blocked.status is SuiteStatus.BLOCKED
    assert "in use by live regress run" in blocked.reason
    assert first.wait() == 0, first.output


# --- 2. after kill -9 of regress ---------------------------------------------------------------


def test_the_next_run_sweeps_what_a_killed_run_left(project: Path, runners: list[Runner]) -> None:
    killed = Runner(project, "--suite", "slow", "--no-combined", "--headed", slow=60)
    runners.append(killed)
    killed.wait_for_test()
    token = latest(killed.reports).run_id
    left = [p for p in tokens_alive() if token in p.environ()[TOKEN_ENV]]
    roles = sorted({p.environ().get("REGRESS_ROLE", "").split(":")[0] for p in left})
    assert roles == ["pytest", "server", "xvfb"], roles

    killed.process.kill()
    killed.process.wait(timeout=10)
    time.sleep(0.5)
    assert all(p.is_running() for p in left)  # SIGKILL of regress alone leaves them

    start = Runner(project, "--suite", "passing", "--no-combined", slow=0)
    runners.append(start)
    assert start.wait() == 0, start.output

    _, alive = psutil.wait_procs(left, timeout=5)
    assert not alive, [p.cmdline() for p in alive]
    notes = "\n".join(latest(start.reports).notes)
    assert "left by dead run" in notes and "xvfb" in notes and "pytest" in notes, notes
    assert "took over the run lock of run" in notes
    assert is_free(suite_port(project, "slow"))


# --- 3. and 4. processes started by tests, and a daemonising server ------------------------


def test_a_test_that_leaks_a_process_is_reported_and_swept(
    project: Path, runners: list[Runner]
) -> None:
    run = Runner(project, "--suite", "leaky")
    runners.append(run)

    assert run.wait() == 0, run.output

    record = latest(run.reports)
    assert tokens_alive(f"regress-{record.run_id}") == []
    isolation = record.passes[0].suites[0]
    assert len(isolation.leaks) == 1 and "time.sleep(120)" in isolation.leaks[0]
    assert len(record.passes[1].leaks) == 1  # the combined pytest process leaked it again
    assert "leaky leaked 1 process" in run.output


def test_a_daemonising_server_is_stopped_by_its_token(project: Path, runners: list[Runner]) -> None:
    run = Runner(project, "--suite", "daemon")
    runners.append(run)

    assert run.wait() == 0, run.output

    record = latest(run.reports)
    assert [s.status for p in record.passes for s in p.suites] == [SuiteStatus.PASSED] * 2
    assert all(len(s.leaks) == 1 for p in record.passes for s in p.suites)
    assert tokens_alive(f"regress-{record.run_id}") == []
    assert is_free(suite_port(project, "daemon"))


# --- interrupts --------------------------------------------------------------------------------


def test_a_second_ctrl_c_still_ends_with_130_and_the_table(
    project: Path, runners: list[Runner]
) -> None:
    run = Runner(project, "--suite", "slow", slow=60)
    runners.append(run)
    run.wait_for_test()

    run.process.send_signal(signal.SIGINT)
    time.sleep(0.2)
    run.process.send_signal(signal.SIGINT)

    assert run.wait(timeout=60) == 130, run.output
    assert "Traceback" not in run.output
    assert "INTERRUPTED" in run.output and "Report: " in run.output
    assert tokens_alive(f"regress-{latest(run.reports).run_id}") == []

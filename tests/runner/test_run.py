"""`regress run` end to end on a small fixture project: real servers, real pytest processes."""

from __future__ import annotations

import json
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
from typer.testing import CliRunner

from regress.cli import app
from regress.judging.history import load_record
from regress.judging.judge import judge
from regress.judging.results import PassKind, RunRecord, SuiteResult, SuiteStatus, TestStatus
from regress.manifest.load import load_manifest
from regress.manifest.select import select
from regress.proc.ports import is_free
from regress.running.events import NullSink
from regress.running.run import RunOptions, execute_run
from tests.runner.fixture_projects import copy_fixture_project
from tests.runner.html_dom import parse


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the fixture project with a manifest on free ports."""
    return copy_fixture_project(tmp_path)


def invoke(project: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        app,
        [*args, "--manifest", str(project / "suites.yaml"), "--reports", str(project / "reports")],
        env={"COLUMNS": "80"},  # a plain terminal, whatever the one running the tests is
    )
    return result.exit_code, result.output


def record_of(project: Path) -> RunRecord:
    return load_record(project / "reports", None)


@pytest.fixture(scope="module")
def full_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, int, str]]:
    """One run of phase 90 (every kind of outcome), shared by the assertions below."""
    root = copy_fixture_project(tmp_path_factory.mktemp("full"))
    code, output = invoke(root, "run", "--phase", "90")
    yield root, code, output


def test_full_run_exit_code_and_table(full_run: tuple[Path, int, str]) -> None:
    _, code, output = full_run
    assert code == 1, output
    rows = [line.split() for line in output.splitlines() if line.strip().startswith("FIX-")]
    lines = {row[1]: " ".join(row) for row in rows}
    assert "PASS" in lines["passing"], output
    for suite in ("failing", "missing", "skipping", "victim"):
        assert "FAIL" in lines[suite], (suite, output)
    assert "interference" in output
    assert "skip marker" in output  # integrity finding listed under the table


def test_full_run_record_verdicts(full_run: tuple[Path, int, str]) -> None:
    record = record_of(full_run[0])
    assert record.complete and not record.interrupted and record.exit_code == 1
    assert [p.kind for p in record.passes] == [PassKind.ISOLATION, PassKind.COMBINED]
    satisfied = {v.requirement: v.satisfied for v in judge(record).requirements}
    assert satisfied == {
        "FIX-01": True,
        "FIX-02": False,
        "FIX-03": False,
        "FIX-04": False,
        "FIX-05": False,
    }
    tests = {t.nodeid.split("::")[1]: t for v in judge(record).suites for t in v.tests}
    assert tests["test_broken"].isolation is not None
    assert tests["test_broken"].isolation.status is TestStatus.FAILED
    assert "values differ on purpose" in tests["test_broken"].isolation.message
    assert tests["test_absent"].isolation is not None
    assert tests["test_absent"].isolation.status is TestStatus.MISSING
    assert tests["test_hidden"].combined is not None
    assert tests["test_hidden"].combined.status is TestStatus.SKIPPED
    victim = tests["test_needs_clean_state"]
    assert victim.isolation is not None and victim.isolation.status is TestStatus.PASSED
    assert victim.combined is not None and victim.combined.status is TestStatus.FAILED
    assert (
        victim.comparison is not None and victim.comparison.value == "passes alone, fails combined"
    )
    assert [(f.path, f.kind) for f in record.integrity] == [("checks/check_skip.py", "skip marker")]
    passing = next(r for r in record.passes[0].suites if r.suite == "passing")
    assert passing.server_ready_seconds is not None and passing.teardown_seconds is not None
    labels = dict(passing.artifacts)
    assert (full_run[0] / "reports" / record.run_id / labels["JUnit XML"]).is_file()


def test_full_run_summary(full_run: tuple[Path, int, str]) -> None:
    root = full_run[0]
    record = record_of(root)
    written = root / "reports" / record.run_id / "90-fixture-checks" / "90-01-SUMMARY.md"
    code, printed = invoke(root, "summary", "--phase", "90")
    assert code == 0
    assert printed == written.read_text()
    front = yaml.safe_load(printed.split("---")[1])
    assert front["requirements-completed"] == ["FIX-01"]
    assert list(front)[0:2] == ["phase", "plan"] and list(front)[-1] == "completed"
    assert "# Phase 90 Plan 01: Fixture checks Summary" in printed
    assert printed.rstrip().splitlines()[-1] != "## Self-Check: PASSED"
    assert "## Self-Check: FAILED" in printed
    assert "values differ on purpose" in printed


def test_latest_points_at_the_run(full_run: tuple[Path, int, str]) -> None:
    root = full_run[0]
    record = record_of(root)
    data = json.loads((root / "reports" / record.run_id / "run.json").read_text())
    assert data["run_id"] == record.run_id
    assert (root / "reports" / "latest" / "run.json").is_file()


def test_passing_run_exits_zero_and_overrides_reach_tests(project: Path) -> None:
    code, output = invoke(
        project, "run", "--suite", "passing", "--stagger", "0.75", "--param", "expect_stagger=0.75"
    )
    assert code == 0, output
    record = record_of(project)
    assert dict(record.suites[0].params)["stagger"] == "0.75"
    # the report path is printed on one line, however narrow the terminal
    assert f"Report: {project / 'reports' / record.run_id / 'index.html'}\n" in output
    summary = (
        project / "reports" / record.run_id / "90-fixture-checks" / "90-01-SUMMARY.md"
    ).read_text()
    # one suite of a six-suite plan ran: the plan is not complete, whatever the exit code
    assert "## Self-Check: PASSED" not in summary
    self_check = summary.split("## Self-Check: FAILED\n\n", 1)[1].splitlines()
    assert self_check[-1] == (
        "- Not run: suites not selected: failing, missing, skipping, polluter, victim"
    )
    front = yaml.safe_load(summary.split("---")[1])
    assert front["requirements-completed"] == ["FIX-01"]  # verified in both passes, nothing more


def test_override_that_breaks_the_test_fails(project: Path) -> None:
    code, output = invoke(
        project, "run", "--suite", "passing", "--stagger", "0.75", "--no-combined"
    )
    assert code == 1, output
    record = record_of(project)
    assert [p.kind for p in record.passes] == [PassKind.ISOLATION]


def test_combined_only(project: Path) -> None:
    code, output = invoke(
        project, "run", "--suite", "victim", "--suite", "polluter", "--combined-only"
    )
    assert code == 1, output  # the victim fails next to the polluter
    record = record_of(project)
    assert [p.kind for p in record.passes] == [PassKind.COMBINED]


def test_foreign_port_holder_blocks_the_suite_and_survives(project: Path) -> None:
    manifest = yaml.safe_load((project / "suites.yaml").read_text())
    port = manifest["suites"]["passing"]["port"]
    squatter = subprocess.Popen(  # a process regress did not start
        [
            sys.executable,
            "-c",
            f"import socket,time;s=socket.socket();s.bind(('127.0.0.1',{port}));"
            "s.listen();print('up',flush=True);time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
    )
    try:
        assert squatter.stdout is not None and squatter.stdout.readline().strip() == b"up"
        code, output = invoke(project, "run", "--suite", "passing", "--no-combined")
        assert code == 1
        result = record_of(project).passes[0].suites[0]
        assert result.status is SuiteStatus.BLOCKED
        assert f"pid {squatter.pid}" in result.reason
        assert squatter.poll() is None, "regress killed a process it did not start"
        code, output = invoke(
            project, "run", "--suite", "passing", "--no-combined", "--force-ports"
        )
        assert code == 0, output
        assert squatter.wait(timeout=10) is not None
    finally:
        if squatter.poll() is None:
            squatter.kill()
        squatter.wait(timeout=10)
        assert squatter.stdout is not None
        squatter.stdout.close()


def test_ctrl_c_stops_every_child_and_writes_a_partial_report(project: Path) -> None:
    env = {**os.environ, "SLOW_SECONDS": "120"}
    command = [
        sys.executable,
        "-m",
        "regress",
        "run",
        "--phase",
        "91",
        "--manifest",
        str(project / "suites.yaml"),
        "--reports",
        str(project / "reports"),
    ]
    runner = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        me = psutil.Process(runner.pid)
        descendants: list[psutil.Process] = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # wait until the slow test runs (server + pytest up)
            if runner.poll() is not None:
                assert runner.stdout is not None
                pytest.fail(f"regress run ended early: {runner.stdout.read().decode()[-3000:]}")
            descendants = me.children(recursive=True)
            events = list((project / "reports").glob("*/isolation/slow/events.jsonl"))
            if events and "started" in events[0].read_text():
                break
            time.sleep(0.1)
        else:
            pytest.fail("the slow test never started")
        assert len(descendants) >= 2  # the suite's server and pytest
        runner.send_signal(signal.SIGINT)
        assert runner.wait(timeout=60) == 130
        _, alive = psutil.wait_procs(descendants, timeout=5)
        assert not alive, f"left alive: {[p.pid for p in alive]}"
        record = record_of(project)
        assert record.interrupted and not record.complete and record.exit_code == 130
        assert record.passes[0].suites[0].status is SuiteStatus.INTERRUPTED
        assert is_free(record.suites[0].port)  # nothing listens on the suite's port any more
        report = parse((project / "reports" / record.run_id / "index.html").read_text())
        assert report.find("span", class_="verdict").text == "INTERRUPTED"
        matrix = report.find("table", class_="matrix").find("tbody").find("tr")
        assert [cell.text for cell in matrix.find_all("td")[1:]] == [
            "not verified",
            "not verified",
            "not satisfied",
        ]
    finally:
        if runner.poll() is None:
            runner.kill()
            runner.wait(timeout=10)
        assert runner.stdout is not None
        runner.stdout.close()


class ExplodingSink(NullSink):
    """A progress sink with a bug: the run must still stop its children and keep its record."""

    def suite_finished(self, result: SuiteResult) -> None:
        raise RuntimeError(f"sink broke on {result.suite}")


def test_a_crash_inside_the_run_stops_children_and_keeps_a_partial_record(project: Path) -> None:
    selection = select(load_manifest(project / "suites.yaml"), suites=("passing",))
    with pytest.raises(RuntimeError, match="sink broke on passing"):
        execute_run(selection, RunOptions(reports=project / "reports"), ExplodingSink())
    record = record_of(project)
    assert not record.complete and record.exit_code == 1
    assert any("regress crashed: RuntimeError" in note for note in record.notes)
    assert is_free(record.suites[0].port)

"""The HTML report of real `regress run`s of the fixture project, and the two report commands."""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from regress.cli import app
from regress.judging.history import load_record
from regress.judging.results import RunRecord, TestStatus
from regress.proc.ports import free_port
from tests.runner.fixture_projects import copy_fixture_project
from tests.runner.html_dom import Node, parse


def invoke(project: Path, *args: str, env: dict[str, str | None] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(
        app,
        [*args, "--manifest", str(project / "suites.yaml"), "--reports", str(project / "reports")],
        env={"COLUMNS": "80", **(env or {})},
    )
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def phase90(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, RunRecord, str]]:
    """One run of phase 90: passing, failing, missing, skip marker, interference."""
    root = copy_fixture_project(tmp_path_factory.mktemp("html"))
    _, output = invoke(root, "run", "--phase", "90")
    yield root, load_record(root / "reports"), output


def report_of(root: Path, record: RunRecord) -> Node:
    return parse((root / "reports" / record.run_id / "index.html").read_text(encoding="utf-8"))


def matrix(doc: Node) -> dict[str, list[str]]:
    rows = doc.find("table", class_="matrix").find("tbody").find_all("tr")
    return {row.find("th").text: [cell.text for cell in row.find_all("td")[1:]] for row in rows}


def test_the_last_line_names_the_report(phase90: tuple[Path, RunRecord, str]) -> None:
    root, record, output = phase90
    path = root / "reports" / record.run_id / "index.html"
    assert output.rstrip("\n").splitlines()[-1] == f"Report: {path}"
    assert path.is_file()


def test_the_report_of_a_real_run(phase90: tuple[Path, RunRecord, str]) -> None:
    root, record, _ = phase90
    doc = report_of(root, record)
    assert matrix(doc) == {
        "FIX-01": ["satisfied", "satisfied", "satisfied"],
        "FIX-02": ["not satisfied", "not satisfied", "not satisfied"],
        "FIX-03": ["not satisfied", "not satisfied", "not satisfied"],
        "FIX-04": ["not satisfied", "not satisfied", "not satisfied"],
        "FIX-05": ["satisfied", "not satisfied", "not satisfied"],
    }
    rows = {r.find("a", class_="name").text: r for r in doc.find_all("tr", class_="test")}
    victim = rows["checks/check_victim.py::test_needs_clean_state"]
    assert "passes alone, fails combined" in victim.find_all("td")[4].text
    assert "skip marker" in doc.find("ul", class_="notices").text
    broken = doc.by_id(rows["checks/check_fail.py::test_broken"].attrs["data-detail"])
    alone = broken.find("div", class_="s-isolation")
    assert "values differ on purpose" in alone.find("p", class_="message").text
    assert '"GET /hit HTTP/1.1" 200' in alone.find("pre", class_="log").text
    assert "isolation/failing/tests/test_broken/notes.txt" in alone.text
    parity = alone.find("div", class_="parity")
    assert "isolation/failing/data/exp/scene/p1_ep0.csv" in parity.text
    examples = parity.find("table", class_="divergent").find_all("tr")[1]
    assert [c.text for c in examples.find_all("td")] == ["score", "1", "2", "3"]
    bars = doc.find("svg", class_="timeline").find_all("rect", class_="test")
    ran = [t for p in record.passes for s in p.suites for t in s.tests if t.started_at]
    assert len(bars) == len(ran) == 20  # 10 of the 11 expected in each pass: test_absent is missing


def test_the_record_holds_the_evidence(phase90: tuple[Path, RunRecord, str]) -> None:
    _, record, _ = phase90
    assert dict(record.machine)["cpus"] == str(os.cpu_count())
    for whole in record.passes:
        for result in whole.suites:
            for test in result.tests:
                if test.status is TestStatus.MISSING:
                    assert test.started_at is None
                    continue
                assert test.started_at is not None and test.finished_at is not None
                assert test.started_at <= test.finished_at
            if result.suite != "skipping":  # scope "test": no suite-scoped server
                assert result.server_started_at is not None
                assert result.server_ready_at is not None
                assert result.server_stopped_at is not None
                assert result.server_started_at <= result.server_ready_at
                assert result.server_ready_at <= result.server_stopped_at
                assert result.server_log == f"{whole.kind.value}/{result.suite}/server.log"


def test_report_renders_a_run_again(phase90: tuple[Path, RunRecord, str]) -> None:
    root, record, _ = phase90
    path = root / "reports" / record.run_id / "index.html"
    path.unlink()
    code, output = invoke(root, "report", "--run", record.run_id)
    assert code == 0, output
    assert output.splitlines()[-1] == f"Report: {path}"
    assert matrix(report_of(root, record))["FIX-01"] == ["satisfied"] * 3


def test_report_open_without_a_desktop_says_how_to_serve(
    phase90: tuple[Path, RunRecord, str],
) -> None:
    root, record, _ = phase90
    code, output = invoke(root, "report", "--open", env={"DISPLAY": None, "WAYLAND_DISPLAY": None})
    assert code == 0, output
    assert f"regress show-report --run {record.run_id}" in output


def test_report_of_an_unknown_run_is_one_line_exit_2(phase90: tuple[Path, RunRecord, str]) -> None:
    code, output = invoke(phase90[0], "report", "--run", "20000101-000000-dead")
    assert code == 2
    assert "run.json does not exist" in output and len(output.strip().splitlines()) == 1


def test_show_report_serves_the_reports_folder(phase90: tuple[Path, RunRecord, str]) -> None:
    root, record, _ = phase90
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "regress",
            "show-report",
            "--port",
            str(port),
            "--manifest",
            str(root / "suites.yaml"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert server.stdout is not None
        lines = [server.stdout.readline(), server.stdout.readline()]
        url = f"http://127.0.0.1:{port}/{record.run_id}/index.html"
        assert lines[1].strip() == f"Report: {url}", lines
        with urllib.request.urlopen(url, timeout=5) as response:
            assert record.run_id in response.read().decode()
        busy, output = invoke(root, "show-report", "--port", str(port))
        assert busy == 2
        assert f"127.0.0.1:{port} is already in use" in output
    finally:
        server.terminate()
        server.wait(timeout=10)
        if server.stdout is not None:
            server.stdout.close()

"""`--port-offset K`: two runs of one manifest side by side, each on its own ports."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from regress.errors import RegressError
from regress.judging.history import load_record
from regress.judging.results import SuiteStatus
from regress.manifest.load import load_manifest
from regress.manifest.offset import with_port_offset
from regress.manifest.select import select
from regress.proc.ledger import Ledger
from regress.proc.ports import is_free
from tests.runner.fixture_projects import copy_fixture_project

ROOT = Path(__file__).resolve().parents[2]
OFFSETS = (7, 19)
DEADLINE = 60.0


def test_two_runs_of_one_manifest_overlap_on_their_own_ports(tmp_path: Path) -> None:
    project = copy_fixture_project(tmp_path, offsets=(0, *OFFSETS))
    port = int(yaml.safe_load((project / "suites.yaml").read_text())["suites"]["gated"]["port"])
    gate = tmp_path / "gate"
    runs = {offset: _start(project, tmp_path, offset, gate) for offset in OFFSETS}
    try:
        # Both servers listen at once, each on the manifest port moved by its own offset; the
        # tests hold both runs open until the gate opens.
        deadline = time.monotonic() + DEADLINE
        while not all(not is_free(port + offset) for offset in OFFSETS):
            ended = {o: p.returncode for o, p in runs.items() if p.poll() is not None}
            assert not ended and time.monotonic() < deadline, (ended, _logs(tmp_path))
            time.sleep(0.05)
        assert is_free(port), "a run used the manifest's own port"
        gate.touch()
        codes = {offset: process.wait(timeout=120) for offset, process in runs.items()}
    finally:
        gate.touch()
        for process in runs.values():
            if process.poll() is None:
                process.kill()
                process.wait()
    assert codes == dict.fromkeys(OFFSETS, 0), _logs(tmp_path)
    for offset in OFFSETS:
        reports = tmp_path / f"reports-{offset}"
        record = load_record(reports, None)
        assert record.port_offset == offset
        assert [s.port for s in record.suites] == [port + offset]
        (result,) = record.passes[0].suites
        assert result.status is SuiteStatus.PASSED  # its test reached its own run's server
        assert result.ports == ()  # nothing was freed or refused: neither touched the other
        assert not [note for note in record.notes if "stopped" in note], record.notes
        assert f"listening on {port + offset}" in _server_command(reports, record.run_id)
        assert Ledger.in_reports(reports).entries() == ()  # its own ledger, emptied at the end


def _start(project: Path, base: Path, offset: int, gate: Path) -> subprocess.Popen[bytes]:
    command = [
        sys.executable,
        "-m",
        "regress",
        "run",
        "--suite",
        "gated",
        "--no-combined",
        "--param",
        f"gate={gate}",
        "--port-offset",
        str(offset),
        "--manifest",
        str(project / "suites.yaml"),
        "--reports",
        str(base / f"reports-{offset}"),
    ]
    with (base / f"run-{offset}.log").open("wb") as out:
        return subprocess.Popen(
            command, cwd=ROOT, env={**os.environ}, stdout=out, stderr=subprocess.STDOUT
        )


def _logs(base: Path) -> str:
    return "\n".join(p.read_text(errors="replace")[-2000:] for p in sorted(base.glob("run-*.log")))


def _server_command(reports: Path, run_id: str) -> str:
    return (reports / run_id / "isolation" / "gated" / "server.log").read_text(errors="replace")


@pytest.mark.parametrize(
    ("offset", "message"),
    [
        pytest.param(70000, "outside 1-65535", id="too-high"),
        pytest.param(-70000, "outside 1-65535", id="too-low"),
    ],
)
def test_offset_out_of_range_is_refused(tmp_path: Path, offset: int, message: str) -> None:
    project = copy_fixture_project(tmp_path)
    selection = select(load_manifest(project / "suites.yaml"), suites=("passing",))
    with pytest.raises(RegressError, match=message):
        with_port_offset(selection, offset)


def test_offset_moves_every_selected_suite_and_its_server(tmp_path: Path) -> None:
    project = copy_fixture_project(tmp_path)
    selection = select(load_manifest(project / "suites.yaml"), phases=("90",))
    moved = with_port_offset(selection, 100)
    assert [s.port for s in moved.suites] == [s.port + 100 for s in selection.suites]
    assert [s.name for s in moved.suites] == [s.name for s in selection.suites]
    assert with_port_offset(selection, 0) is selection

"""CLI commands other than `run` and `list`: ports, doctor, --version, summary and run's usage
errors; and the Xvfb display that headed runs use."""

from __future__ import annotations

import importlib.metadata
import re
import socket
from collections.abc import Callable, Mapping
from pathlib import Path

import psutil
import pytest
import yaml
from typer.testing import CliRunner, Result

from regress import __version__
from regress.cli import app
from regress.proc import popen
from regress.proc.browser import CHROMIUM_ENV
from regress.proc.display import virtual_display
from regress.proc.ledger import ROLE_ENV, TOKEN_ENV, Ledger
from tests.runner.fixture_projects import copy_fixture_project

SOCKET_DIR = Path("/tmp/.X11-unix")
WIDE = {"COLUMNS": "250"}  # Rich tables on one line per row, whatever the real terminal is

Launch = Callable[..., popen.Child]  # the conftest fixture


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the fixture project with a manifest on free ports."""
    return copy_fixture_project(tmp_path)


def suite_ports(project: Path) -> dict[str, int]:
    """Suite name -> port, as the manifest of the copied project says."""
    manifest = yaml.safe_load((project / "suites.yaml").read_text())
    return {name: int(suite["port"]) for name, suite in manifest["suites"].items()}


def invoke(project: Path, *args: str, env: Mapping[str, str | None] | None = None) -> Result:
    """Run `regress ARGS --manifest ... --reports ...` against the project."""
    return CliRunner().invoke(
        app,
        [*args, "--manifest", str(project / "suites.yaml"), "--reports", str(project / "reports")],
        env={**WIDE, **(env or {})},
    )


def row(output: str, first: str) -> str:
    """The table row whose first cell is `first`."""
    rows = [line for line in output.splitlines() if re.match(rf"^\W*{re.escape(first)}\s", line)]
    assert len(rows) == 1, f"expected one row starting with {first!r}:\n{output}"
    return rows[0]


# --- regress ports ---------------------------------------------------------------------------


def test_ports_names_a_foreign_holder(project: Path, launch: Launch) -> None:
    ports = suite_ports(project)
    squatter = launch("squatter.py", str(ports["failing"]))

    result = invoke(project, "ports")

    assert result.exit_code == 0, result.output
    held = row(result.output, str(ports["failing"]))
    assert "failing" in held
    assert str(squatter.pid) in held
    assert "no (not started by regress)" in held
    assert "squatter.py" in held
    for name in ("passing", "slow"):
        assert "free" in row(result.output, str(ports[name])), result.output


def test_ports_shows_a_long_command_line_whole(project: Path, launch: Launch) -> None:
    # A deep checkout path must not push the script name out of the table: the cell folds.
    port = suite_ports(project)["failing"]
    squatter = launch("squatter.py", str(port))
    command = " ".join(psutil.Process(squatter.pid).cmdline())

    result = invoke(project, "ports", env={"COLUMNS": "100"})

    assert result.exit_code == 0, result.output
    flattened = re.sub(r"[\s│┃]", "", result.output)
    assert re.sub(r"\s", "", command) in flattened, result.output


def test_ports_leaves_a_fresh_project_untouched(project: Path) -> None:
    result = invoke(project, "ports")

    assert result.exit_code == 0, result.output
    assert not (project / "reports").exists()


def test_ports_recognises_a_holder_in_the_ledger(project: Path, launch: Launch) -> None:
    port = suite_ports(project)["passing"]
    squatter = launch("squatter.py", str(port))
    Ledger.in_reports(project / "reports").record(
        pid=squatter.pid,
        create_time=squatter.create_time,
        port=port,
        run_id="earlier-run",
        token="token-earlier-run",
        argv=squatter.argv,
    )

    result = invoke(project, "ports")

    assert result.exit_code == 0, result.output
    held = row(result.output, str(port))
    assert str(squatter.pid) in held
    assert "yes (in ledger of run earlier-run)" in held


# --- regress doctor --------------------------------------------------------------------------


def test_doctor_reports_a_missing_chromium_with_its_fix(project: Path, tmp_path: Path) -> None:
    missing = tmp_path / "no-such-dir" / "chromium"

    result = invoke(project, "doctor", env={CHROMIUM_ENV: str(missing)})

    assert result.exit_code == 1, result.output
    assert "problem" in row(result.output, "chromium")
    assert str(missing) in result.output
    assert f"fix: apt-get install -y chromium, or set {CHROMIUM_ENV}=/path/to/chromium" in (
        result.output
    )
    for name in ("python packages", "ports", "reports"):
        assert " ok " in row(result.output, name), result.output


def test_doctor_accepts_the_system_chromium(project: Path) -> None:
    result = invoke(project, "doctor", env={CHROMIUM_ENV: None})

    assert result.exit_code == 0, result.output
    chromium = row(result.output, "chromium")
    assert " ok " in chromium
    assert "Chromium" in chromium  # the version line `chromium --version` printed
    assert "problem" not in result.output


def test_doctor_headed_checks_xvfb(project: Path) -> None:
    result = invoke(project, "doctor", "--headed", env={"DISPLAY": None})

    assert result.exit_code == 0, result.output
    assert "Xvfb" in row(result.output, "xvfb")


def test_doctor_names_a_foreign_port_holder(project: Path, launch: Launch) -> None:
    port = suite_ports(project)["victim"]
    squatter = launch("squatter.py", str(port))

    result = invoke(project, "doctor")

    assert result.exit_code == 1, result.output
    held = row(result.output, "ports")
    assert "problem" in held
    assert f"port {port}: pid {squatter.pid}" in held
    assert "fix: stop those processes, or run with --force-ports" in result.output


# --- regress --version, summary, run usage errors --------------------------------------------


def test_version() -> None:
    result = CliRunner().invoke(app, ["--version"])

    assert result.exit_code == 0
    assert result.output == f"regress {__version__}\n"
    assert __version__ == importlib.metadata.version("regress")


def test_summary_without_runs_is_a_one_line_usage_error(project: Path) -> None:
    result = invoke(project, "summary")

    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith("error: no run recorded in ")
    assert "run `regress run` first" in result.stderr
    assert "Traceback" not in result.output


def test_run_with_no_pass_left_is_a_usage_error(project: Path) -> None:
    result = invoke(project, "run", "--suite", "passing", "--no-combined", "--combined-only")

    assert result.exit_code == 2, result.output
    assert "--no-combined and --combined-only together leave nothing to run" in result.stderr
    assert not list((project / "reports").glob("*/run.json"))  # nothing ran, nothing recorded


# --- virtual display -------------------------------------------------------------------------


def _xvfb_children() -> list[psutil.Process]:
    found = []
    for proc in psutil.Process().children(recursive=True):
        try:
            if proc.name() == "Xvfb" and proc.status() != psutil.STATUS_ZOMBIE:
                found.append(proc)
        except psutil.NoSuchProcess:
            continue
    return found


def test_virtual_display_starts_and_stops_xvfb(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)

    ledger = Ledger.in_reports(tmp_path / "reports")

    with virtual_display(True, log_dir=tmp_path, ledger=ledger, run_id="r", token="tok") as env:
        extra = dict(env)
        assert set(extra) == {"DISPLAY"}
        match = re.fullmatch(r":(\d+)", extra["DISPLAY"])
        assert match, extra
        number = int(match.group(1))
        path = SOCKET_DIR / f"X{number}"
        assert path.is_socket()
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
            client.connect(str(path))  # Xvfb accepts X clients on it
        (xvfb,) = _xvfb_children()
        assert (xvfb.environ()[TOKEN_ENV], xvfb.environ()[ROLE_ENV]) == ("tok", "xvfb")
        assert [(e.pid, e.role) for e in ledger.entries()] == [(xvfb.pid, "xvfb")]

    assert _xvfb_children() == []
    assert ledger.entries() == ()
    assert not path.exists()  # Xvfb removed its socket on SIGTERM: a clean stop, not a kill
    assert (tmp_path / "xvfb.log").is_file()


@pytest.mark.parametrize(
    ("headed", "display"),
    [
        pytest.param(False, None, id="headless"),
        pytest.param(True, ":42", id="display-already-set"),
    ],
)
def test_virtual_display_not_needed(
    monkeypatch: pytest.MonkeyPatch, headed: bool, display: str | None
) -> None:
    if display is None:
        monkeypatch.delenv("DISPLAY", raising=False)
    else:
        monkeypatch.setenv("DISPLAY", display)

    with virtual_display(headed) as env:
        assert env == ()
        assert _xvfb_children() == []

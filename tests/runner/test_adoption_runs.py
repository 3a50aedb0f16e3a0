"""Adopting regress, through real `regress` runs of small projects: timeouts, causes as tests
finish, inventory and init, a suite's own ports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from regress.manifest.load import load_manifest
from regress.proc.ports import free_port
from tests.runner.conftest import Launch
from tests.runner.real_projects import copy_real_project, regress


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "test_a.py").write_text("def test_x():\n    pass\n")
    return tmp_path


def manifest_at(project: Path, text: str) -> Path:
    path = project / "suites.yaml"
    path.write_text(text)
    return path


# --- timeouts -----------------------------------------------------------------------------------

SLOW_PROJECT = """\
plans:
  - phase: 12-slow
    plan: "01"
    title: Slow
    requirements: [S-01]
    suites: [slow]
suites:
  slow:
    requirement: S-01
    targets: [tests/test_slow.py]
    expected: [test_fails_first, test_sleeps]
    timeout: {timeout}
    test_timeout: {test_timeout}
"""
SLOW_TESTS = """\
import time

import pytest


def test_fails_first():
    assert 1 == 2, "first failure kept"


@pytest.mark.timeout(300)
def test_sleeps():
    time.sleep(60)
"""


def _slow_run(
    tmp_path: Path, *, timeout: int, test_timeout: int
) -> tuple[str, dict[str, dict[str, str]]]:
    """(the suite's status, test name -> its record) of one isolation pass."""
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_slow.py").write_text(SLOW_TESTS)
    manifest_at(tmp_path, SLOW_PROJECT.format(timeout=timeout, test_timeout=test_timeout))
    done = regress(tmp_path, "run", "--no-combined")
    assert done.returncode == 1, done.stdout + done.stderr
    record = json.loads(next((tmp_path / "reports").glob("2*/run.json")).read_text())
    suite = record["passes"][0]["suites"][0]
    return suite["status"], {t["nodeid"].split("::")[-1]: t for t in suite["tests"]}


def test_the_manifests_test_timeout_beats_a_longer_mark(tmp_path: Path) -> None:
    status, tests = _slow_run(tmp_path, timeout=120, test_timeout=2)
    assert status == "failed"  # not "timeout": pytest-timeout stopped the test, not regress
    assert tests["test_sleeps"]["status"] == "timeout"
    assert "Timeout" in tests["test_sleeps"]["message"]


def test_a_suite_timeout_keeps_the_messages_of_tests_that_failed(tmp_path: Path) -> None:
    status, tests = _slow_run(tmp_path, timeout=8, test_timeout=300)
    assert status == "timeout"
    assert tests["test_fails_first"]["status"] == "failed"
    assert tests["test_fails_first"]["message"] == (
        "AssertionError: first failure kept (tests/test_slow.py:7)"
    )
    assert tests["test_sleeps"]["status"] == "timeout"


# --- inventory and init ------------------------------------------------------------------------

COMMENTED = """\
# my comment at the top
plans:
  - phase: 12-click
    plan: "01"
    title: Click
    requirements: [C-01]
    suites: [one]
suites:
  one:
    requirement: C-01  # why this suite exists
    targets: [t/test_a.py]
    expected:
      - test_x
      - test_gone  # removed last week
    ports: [5702]  # the conftest's server
"""


def test_inventory_write_lists_collected_ids_and_keeps_comments(project: Path) -> None:
    (project / "t" / "test_a.py").write_text(
        "import pytest\n\n\ndef test_x():\n    pass\n\n\n"
        "@pytest.mark.parametrize('n', [1, 100])\ndef test_y(n):\n    pass\n"
    )
    path = manifest_at(project, COMMENTED)
    shown = regress(project, "inventory")
    assert shown.returncode == 0, shown.stdout + shown.stderr
    assert "t/test_a.py::test_gone" in shown.stdout  # expected, not collected
    assert "t/test_a.py::test_y[100]" in shown.stdout  # collected, not expected

    written = regress(project, "inventory", "--write")

    assert written.returncode == 0, written.stdout + written.stderr
    text = path.read_text()
    assert text == COMMENTED.replace(
        "      - test_x\n      - test_gone  # removed last week\n",
        '      - test_x\n      - "test_y[1]"\n      - "test_y[100]"\n',
    )
    assert load_manifest(path).suite("one").expected[-1] == "t/test_a.py::test_y[100]"


PLAN_MD = """\
---
phase: 12-click-game
plan: 01
type: execute
must_haves:
  artifacts:
    - path: "tests/e2e/test_click_basic.py"
      provides: "Basic click test"
    - path: "tests/e2e/test_click_many.py"
      provides: "Many clicks test (2 tests)"
    - path: "tests/fixtures/click_game_server.py"
      provides: "The game server"
---

<objective>
Validate the click game end to end.

Purpose: CLICK-01 (basic click) and CLICK-02 (many clicks) pass in the browser.
</objective>
"""


def test_init_maps_gsd_plans_and_ports(tmp_path: Path) -> None:
    root, ports = copy_real_project(tmp_path)
    (root / "suites.yaml").unlink()
    plans = root / ".planning" / "phases" / "12-click-game"
    plans.mkdir(parents=True)
    (plans / "12-01-PLAN.md").write_text(PLAN_MD)

    done = regress(root, "init")

    assert done.returncode == 0, done.stdout + done.stderr
    manifest = load_manifest(root / "suites.yaml")
    assert [(s.name, s.requirement) for s in manifest.suites] == [
        ("click_basic", "CLICK-01"),
        ("click_many", "CLICK-02"),
        ("fresh_server", "TEST-01"),
        ("unit", "TEST-02"),
    ]
    assert manifest.suite("click_many").ports == tuple(sorted(ports.values()))
    assert manifest.suite("unit").ports == ()
    assert [(p.key, p.requirements) for p in manifest.plans] == [
        ("12-click-game/01", ("CLICK-01", "CLICK-02")),
        ("00-regression/01", ("TEST-01", "TEST-02")),
    ]
    assert "# the tests start their own server on these ports" in (root / "suites.yaml").read_text()

    again = regress(root, "init")
    assert again.returncode == 2
    assert "exists; regress init only writes a new manifest" in again.stderr


# --- a suite's own ports are freed and blocked like server ports --------------------------------

OWN_PORT = """\
plans:
  - phase: 12-own
    plan: "01"
    title: Own port
    requirements: [O-01]
    suites: [own]
suites:
  own:
    requirement: O-01
    targets: [t/test_a.py]
    expected: [test_x]
    ports: [{port}]
"""


def test_a_foreign_holder_of_a_suites_own_port_blocks_it(project: Path, launch: Launch) -> None:
    port = free_port()
    squatter = launch("squatter.py", str(port))
    manifest_at(project, OWN_PORT.format(port=port))

    done = regress(project, "run", "--no-combined")

    assert done.returncode == 1, done.stdout + done.stderr
    record = json.loads(next((project / "reports").glob("2*/run.json")).read_text())
    suite = record["passes"][0]["suites"][0]
    assert suite["status"] == "blocked"
    assert f"port {port} held by pid {squatter.pid}" in suite["reason"]
    assert squatter.poll() is None, "regress stopped a process it did not start"


PRINTS_THEN_FAILS = """\
import sys

import pytest


@pytest.fixture
def broken_server():
    print("ModuleNotFoundError: No module named 'eventlet'", file=sys.stderr)
    raise RuntimeError("game server exited with 1")


def test_own_assertion():
    print("No module named 'eventlet'")
    assert 1 == 2, "the test's own words"


def test_setup_error(broken_server):
    pass
"""


def test_a_failing_test_shows_its_own_assertion_and_a_setup_error_its_root_cause(
    project: Path,
) -> None:
    (project / "t" / "test_a.py").write_text(PRINTS_THEN_FAILS)
    manifest_at(
        project,
        OWN_PORT.format(port=free_port()).replace(
            "expected: [test_x]", "expected: [test_own_assertion, test_setup_error]"
        ),
    )

    done = regress(project, "run", "--no-combined")

    assert done.returncode == 1, done.stdout + done.stderr
    record = json.loads(next((project / "reports").glob("2*/run.json")).read_text())
    messages = {
        t["nodeid"].split("::")[-1]: t["message"] for t in record["passes"][0]["suites"][0]["tests"]
    }
    assert messages == {
        "test_own_assertion": "AssertionError: the test's own words (t/test_a.py:14)",
        "test_setup_error": "ModuleNotFoundError: No module named 'eventlet' (t/test_a.py:9)",
    }


FOREIGN_LISTENER = """\
import socket
import subprocess
import sys
import time

SERVE = (
    "import socket,time;s=socket.socket();s.bind(('127.0.0.1',{port}));"
    "s.listen();time.sleep(30)"
)


def test_talks_to_a_server_nobody_owns():
    # a process without the run's token: as if started from another terminal
    stranger = subprocess.Popen([sys.executable, "-c", SERVE], env={{}}, start_new_session=True)
    try:
        time.sleep(5)
    finally:
        stranger.kill()
        stranger.wait()
"""


def test_a_listener_the_run_did_not_start_on_a_suites_port_is_a_finding(project: Path) -> None:
    port = free_port()
    (project / "t" / "test_a.py").write_text(FOREIGN_LISTENER.format(port=port))
    manifest_at(
        project,
        OWN_PORT.format(port=port).replace(
            "expected: [test_x]", "expected: [test_talks_to_a_server_nobody_owns]"
        ),
    )

    done = regress(project, "run", "--no-combined")

    assert done.returncode == 1, done.stdout + done.stderr
    record = json.loads(next((project / "reports").glob("2*/run.json")).read_text())
    suite = record["passes"][0]["suites"][0]
    assert suite["status"] == "error"
    assert f"port {port}: pid " in suite["reason"]
    assert "listened while the tests ran; it was not started by this run" in suite["reason"]

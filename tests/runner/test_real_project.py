"""A project written before regress (tests/runner/real_project), driven as it is: its conftest
starts its own server with a bare `python`, its tests use pytest-playwright's own `browser` and
`page` fixtures launched headed, and the machine has only Debian's Chromium and no display.

These tests launch Chromium (about 95 s in all).
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from tests.runner.real_projects import (
    HEADLESS,
    LAUNCH_ARGS_WITHOUT_PARENT,
    PROJECT,
    SERVER_IMPORT_ERROR,
    SERVER_MODULE_MISSING,
    copy_real_project,
    plain_env,
    regress,
)


def _record(root: Path) -> dict[str, object]:
    runs = sorted((root / "reports").glob("2*/run.json"))
    assert len(runs) == 1, runs
    data: dict[str, object] = json.loads(runs[0].read_text())
    return data


def _statuses(record: dict[str, object]) -> dict[tuple[str, str], str]:
    passes = record["passes"]
    assert isinstance(passes, list)
    return {(p["kind"], s["suite"]): s["status"] for p in passes for s in p["suites"]}


def test_runs_green_alone_and_combined_with_its_conftest_untouched(tmp_path: Path) -> None:
    root, _ = copy_real_project(tmp_path)
    conftest = (root / "tests" / "conftest.py").read_bytes()

    done = regress(root, "run")

    assert done.returncode == 0, done.stdout + done.stderr
    assert _statuses(_record(root)) == {
        (kind, suite): "passed"
        for kind in ("isolation", "combined")
        for suite in ("click_basic", "click_many", "fresh_server")
    }
    tests = [t["nodeid"] for t in _record(root)["passes"][1]["suites"][1]["tests"]]  # type: ignore[index]
    assert tests == [
        "tests/e2e/test_click_many.py::test_many_clicks[chromium-1]",
        "tests/e2e/test_click_many.py::test_many_clicks[chromium-100]",
    ]
    assert f"python: {sys.executable}" in done.stdout
    run_dir = next((root / "reports").glob("2*/"))
    # every pytest process got its own Xvfb (headed launches on a machine without a display)
    assert len(list(run_dir.glob("*/*/xvfb.log"))) + len(list(run_dir.glob("*/xvfb.log"))) == 4
    assert (root / "tests" / "conftest.py").read_bytes() == conftest


@pytest.mark.parametrize(
    ("variant", "env", "cause"),
    [
        pytest.param(
            SERVER_IMPORT_ERROR,
            {},
            "errored alone: ModuleNotFoundError: No module named 'eventlet' (tests/conftest.py:",
            id="server-import-error",
        ),
        pytest.param(
            SERVER_MODULE_MISSING,
            {},
            "errored alone: ModuleNotFoundError: No module named "
            "tests.fixtures.click_game_server (tests/conftest.py:",
            id="server-module-missing",
        ),
        pytest.param(
            "",
            {"PATH": "{nobin}", "REGRESS_CHROMIUM": "{chromium}"},
            "errored alone: Missing X server or $DISPLAY",
            id="no-display",
        ),
        pytest.param(
            "",
            {"REGRESS_CHROMIUM": "/nonexistent/chromium"},
            "errored alone: Executable doesn't exist at ",
            id="browser-missing",
        ),
    ],
)
def test_failing_variants_show_the_real_cause_in_one_line(
    tmp_path: Path, variant: str, env: dict[str, str], cause: str
) -> None:
    root, _ = copy_real_project(tmp_path, variant)
    nobin = tmp_path / "bin"  # lsof only: no Xvfb, no chromium, no python on PATH
    nobin.mkdir()
    lsof = shutil.which("lsof")
    assert lsof is not None
    (nobin / "lsof").symlink_to(lsof)
    chromium = shutil.which("chromium")
    extra = {key: value.format(nobin=nobin, chromium=chromium) for key, value in env.items()}

    done = regress(root, "run", "--suite", "click_basic", "--no-combined", env=plain_env(**extra))

    assert done.returncode == 1, done.stdout + done.stderr
    lines = [line.strip() for line in done.stdout.splitlines() if "errored alone" in line]
    assert len(lines) == 1, done.stdout
    assert lines[0].startswith(cause), done.stdout


@pytest.mark.parametrize("variant", [HEADLESS, LAUNCH_ARGS_WITHOUT_PARENT])
def test_the_projects_own_launch_arguments_work(tmp_path: Path, variant: str) -> None:
    root, _ = copy_real_project(tmp_path, variant)
    done = regress(root, "run", "--suite", "click_many", "--no-combined")
    assert done.returncode == 0, done.stdout + done.stderr


REGRESS_SERVER = """\
# The click game as a regress server, although the tests' conftest starts its own.
servers:
  game:
    command: ["{{python}}", "-m", "tests.fixtures.click_game_server", "--port", "{{port}}"]
    ready: {{tcp: true, timeout: 20}}
plans:
  - phase: 12-click-game
    plan: "01"
    title: Click game
    requirements: [CLICK-01]
    suites: [click_basic]
suites:
  click_basic:
    requirement: CLICK-01
    targets: [tests/e2e/test_click_basic.py]
    expected: ["test_click_counts[chromium]"]
    server: game
    port: {port}
"""


def test_a_regress_server_the_tests_replace_is_a_finding(tmp_path: Path) -> None:
    root, ports = copy_real_project(tmp_path)
    (root / "suites.yaml").write_text(REGRESS_SERVER.format(port=ports[5702]))

    done = regress(root, "run", "--no-combined")

    assert done.returncode == 1, done.stdout + done.stderr
    assert f"port {ports[5702]} taken over: regress's server 'game'" in done.stdout
    assert _statuses(_record(root)) == {("isolation", "click_basic"): "error"}


def test_init_writes_a_manifest_that_run_passes(tmp_path: Path) -> None:
    root, _ = copy_real_project(tmp_path)
    (root / "suites.yaml").unlink()

    init = regress(root, "init")
    assert init.returncode == 0, init.stdout + init.stderr
    done = regress(root, "run")

    assert done.returncode == 0, done.stdout + done.stderr
    assert set(_statuses(_record(root)).values()) == {"passed"}
    assert len(_statuses(_record(root))) == 8  # four suites, two passes


def test_the_fixture_project_hard_codes_its_ports() -> None:
    conftest = (PROJECT / "tests" / "conftest.py").read_text()
    assert "GAME_PORT = 5702" in conftest
    assert "FRESH_PORT = 5705" in conftest
    assert '["python", "-m", "tests.fixtures.click_game_server"' in conftest

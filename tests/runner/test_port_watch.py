"""While pytest runs, regress watches the suite's ports for listeners it did not start; servers
started under the run itself (the plugin's fresh server per test) are not such listeners."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from regress.judging.history import load_record
from regress.judging.results import PassKind, SuiteStatus
from tests.runner.fixture_projects import copy_fixture_project

ROOT = Path(__file__).resolve().parents[2]


def test_a_server_the_plugin_starts_per_test_is_not_a_foreign_listener(tmp_path: Path) -> None:
    project = copy_fixture_project(tmp_path)
    reports = tmp_path / "reports"
    # the test holds its per-test server up past the first look at the port (every 2 s)
    command = [sys.executable, "-m", "regress", "run", "--suite", "pertest", "--no-combined",
               "--param", "hold=3", "--manifest", str(project / "suites.yaml"),
               "--reports", str(reports)]  # fmt: skip
    done = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
    )
    output = done.stdout + done.stderr
    result = load_record(reports, None).pass_of(PassKind.ISOLATION)
    assert result is not None, output
    (suite,) = result.suites
    assert suite.status is SuiteStatus.PASSED, output
    assert "not started by this run" not in output, output
    assert done.returncode == 0, output

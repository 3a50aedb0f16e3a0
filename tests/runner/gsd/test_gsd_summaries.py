"""Every SUMMARY shape regress writes, checked with GSD's own tool in a scratch GSD project.

The fixture project (phase 98: a passing plan whose requirement is FAILOVER-01, and a plan with
one passing and one failing suite, both numbered 01) is copied into a git repository one level
down, with a .planning/ folder, a committed HEAD, one modified file and one untracked file
beside the project. Two real runs: the whole phase with reports in the project, and two of its
three suites with --reports beside the project.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from regress.cli import app
from regress.judging.history import load_record
from regress.judging.results import RunRecord
from tests.runner.fixture_projects import copy_fixture_project
from tests.runner.gsd.conftest import ROOT, Gsd

PASSING = "98-gsd-failover"
MIXED = "98-gsd-mixed"
FILE = "98-01-SUMMARY.md"


@dataclass(frozen=True)
class Runs:
    """The scratch GSD project and its two runs."""

    project: Path
    elsewhere: Path  # --reports of the second run, beside the project
    whole: RunRecord  # regress run --phase 98
    partial: RunRecord  # regress run --suite failover --suite gsd_ok --reports ../elsewhere


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    return done.stdout


def invoke(project: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        app, [*args, "--manifest", str(project / "suites.yaml")], env={"COLUMNS": "80"}
    )
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runs]:
    base = tmp_path_factory.mktemp("gsd")
    project = copy_fixture_project(base)
    (project / ".planning").mkdir()
    (project / ".planning" / "STATE.md").write_text("# State\n")
    (base / ".gitignore").write_text("project/reports/\nelsewhere/\n")
    git(base, "init", "-q")
    git(base, "add", "-A")
    git(base, "commit", "-q", "-m", "fixture")
    with (project / "checks" / "check_gsd_ok.py").open("a") as handle:
        handle.write("# edited after the commit\n")
    (base / "outside.txt").write_text("beside the project\n")
    code, output = invoke(project, "run", "--phase", "98")
    assert code == 1, output  # gsd_bad fails on purpose
    whole = load_record(project / "reports")
    elsewhere = base / "elsewhere"
    code, output = invoke(
        project, "run", "--suite", "failover", "--suite", "gsd_ok", "--reports", str(elsewhere)
    )
    assert code == 0, output
    yield Runs(project, elsewhere, whole, load_record(elsewhere))


def shell(project: Path, command: str) -> subprocess.CompletedProcess[str]:
    """A command line run by /bin/sh in the project, with this interpreter's `regress`."""
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "PYTHONPATH": str(ROOT),
    }
    return subprocess.run(
        command,
        shell=True,  # the point: a command line as a user types it, redirect included
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def check_with_gsd(gsd: Gsd, project: Path, summary: str, *, passed: bool) -> dict[str, object]:
    """GSD's three checks of one SUMMARY (a path relative to the project root)."""
    valid = gsd(project, "frontmatter", "validate", summary, "--schema", "summary")
    assert valid["valid"], valid
    # --check-count 100: every backticked path of the file, not only GSD's default first two
    verified = gsd(project, "verify-summary", summary, "--check-count", "100")
    checks = verified["checks"]
    assert checks["files_created"]["missing"] == [], verified
    assert checks["files_created"]["checked"] >= 2, verified
    assert checks["commits_exist"], verified  # the run's commit, not a run id, is looked up
    assert checks["self_check"] == ("passed" if passed else "failed"), verified
    assert verified["passed"] is passed, verified
    if passed:
        assert verified["errors"] == [], verified
    extracted = gsd(project, "summary-extract", summary)
    front = yaml.safe_load((project / summary).read_text().split("---\n")[1])
    assert extracted["requirements_completed"] == front["requirements-completed"], extracted
    assert extracted["one_liner"], extracted
    created = extracted["key_files"]["created"]
    assert created == front["key-files"]["created"], extracted
    assert all((project / path).is_file() for path in created), created
    return extracted


def test_the_literal_redirect_after_a_two_plan_run_writes_a_valid_summary(
    runs: Runs, gsd: Gsd
) -> None:
    done = shell(runs.project, f"regress summary > {FILE}")
    assert done.returncode == 0, done.stderr
    written = runs.project / "reports" / runs.whole.run_id / PASSING / FILE
    assert (runs.project / FILE).read_text() == written.read_text()
    # one line on stderr names the other plan and the exact command for it
    assert done.stderr.count("\n") == 1, done.stderr
    command = f"regress summary --run {runs.whole.run_id} --phase {MIXED}"
    assert f"covers 2 plans; this is {PASSING}/01; for {MIXED}/01: {command}" in done.stderr
    extracted = check_with_gsd(gsd, runs.project, FILE, passed=True)
    assert extracted["requirements_completed"] == ["FAILOVER-01"]
    other = shell(runs.project, f"{command} > other.md")
    assert other.returncode == 0 and other.stderr == "", other.stderr
    assert (runs.project / "other.md").read_text() == written.parent.parent.joinpath(
        MIXED, FILE
    ).read_text()


@pytest.mark.parametrize(
    "shape",
    [
        pytest.param(("whole", PASSING, True, ["FAILOVER-01"]), id="passing"),
        pytest.param(("whole", MIXED, False, ["GSDM-01"]), id="failing"),
        pytest.param(("partial", PASSING, True, ["FAILOVER-01"]), id="reports-elsewhere"),
        pytest.param(("partial", MIXED, False, ["GSDM-01"]), id="partial-plan"),
    ],
)
def test_every_summary_regress_run_writes_passes_gsd_checks(
    runs: Runs, gsd: Gsd, shape: tuple[str, str, bool, list[str]]
) -> None:
    which, plan, passed, completed = shape
    record = runs.whole if which == "whole" else runs.partial
    reports = "reports" if which == "whole" else "../elsewhere"
    summary = f"{reports}/{record.run_id}/{plan}/{FILE}"
    extracted = check_with_gsd(gsd, runs.project, summary, passed=passed)
    assert extracted["requirements_completed"] == completed
    assert extracted["key_files"]["created"] == [f"{reports}/{record.run_id}/run.json", summary]


def test_write_puts_each_plan_where_gsd_keeps_it(runs: Runs, gsd: Gsd) -> None:
    done = shell(runs.project, f"regress summary --run {runs.whole.run_id} --write")
    assert done.returncode == 0, done.stderr
    paths = [f".planning/phases/{plan}/{FILE}" for plan in (PASSING, MIXED)]
    assert done.stdout.splitlines() == [f"wrote {path}" for path in paths]
    for path, passed in zip(paths, (True, False), strict=True):
        extracted = check_with_gsd(gsd, runs.project, path, passed=passed)
        assert extracted["key_files"]["created"][1] == path  # "this summary" is this file


def test_output_writes_the_first_plan_into_a_file(runs: Runs, gsd: Gsd) -> None:
    done = shell(runs.project, f"regress summary -o docs.md --run {runs.whole.run_id}")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "wrote docs.md\n"
    assert "covers 2 plans" in done.stderr
    extracted = check_with_gsd(gsd, runs.project, "docs.md", passed=True)
    assert extracted["key_files"]["created"][1] == "docs.md"


def test_files_modified_are_relative_to_the_project_root(runs: Runs) -> None:
    assert runs.whole.git_head == git(runs.project, "rev-parse", "HEAD").strip()
    # the repository's top is one level up: its paths would be project/checks/...
    assert runs.whole.files_modified == ("checks/check_gsd_ok.py", "../outside.txt")
    text = (runs.project / "reports" / runs.whole.run_id / PASSING / FILE).read_text()
    assert "- `checks/check_gsd_ok.py` - modified in the working tree" in text
    assert "- `../outside.txt` - modified in the working tree" in text

"""GSD's checks of the SUMMARY files of recorded runs of every kind (no suites run): passing,
failing with ports, leaks and integrity findings, one pass only, interrupted, still running.

The files are written as `regress run` writes them (run.json and each plan's SUMMARY in the
run folder) into a scratch GSD project: a git repository with a commit and a .planning/ folder.
"""

from __future__ import annotations

import dataclasses
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from regress.judging.history import write_record
from regress.judging.judge import judge
from regress.judging.results import RunRecord
from regress.reporting.summary_paths import plan_keys, summary_relpath_in_run
from regress.reporting.writers import write_summaries
from tests.runner import records
from tests.runner.gsd.conftest import Gsd

KINDS: list[tuple[str, Callable[[], RunRecord]]] = [
    ("passing", records.passing_record),
    ("failing", records.failing_record),
    ("isolation-only", records.isolation_only_record),
    ("interrupted", records.interrupted_record),
    ("still-running", lambda: records.interrupted_record(complete=False)),
]


def scratch_project(path: Path) -> str:
    """A GSD project in a git repository; returns its HEAD commit."""
    (path / ".planning").mkdir(parents=True)
    (path / ".planning" / "STATE.md").write_text("# State\n")
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "scratch"]):
        subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
            cwd=path,
            check=True,
            capture_output=True,
            timeout=30,
        )
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=path, check=True, capture_output=True, text=True
    )
    return head.stdout.strip()


@pytest.mark.parametrize("kind", [pytest.param(make, id=name) for name, make in KINDS])
def test_each_plan_summary_of_a_recorded_run_passes_gsd_checks(
    tmp_path: Path, gsd: Gsd, kind: Callable[[], RunRecord]
) -> None:
    head = scratch_project(tmp_path)
    record = dataclasses.replace(kind(), project_root=str(tmp_path), git_head=head)
    write_record(tmp_path / "reports", record)
    judgement = judge(record)
    write_summaries(judgement, tmp_path / "reports")
    for key in plan_keys(record):
        summary = f"reports/{record.run_id}/{summary_relpath_in_run(key)}"
        passed = judgement.plan(key).self_check
        valid = gsd(tmp_path, "frontmatter", "validate", summary, "--schema", "summary")
        assert valid["valid"], (key, valid)
        verified = gsd(tmp_path, "verify-summary", summary)  # GSD's own check count
        checks = verified["checks"]
        assert checks["files_created"] == {"checked": 2, "found": 2, "missing": []}, verified
        assert checks["commits_exist"], verified
        assert checks["self_check"] == ("passed" if passed else "failed"), (key, verified)
        assert verified["passed"] is passed, (key, verified)
        extracted = gsd(tmp_path, "summary-extract", summary)
        front = yaml.safe_load((tmp_path / summary).read_text().split("---\n")[1])
        assert extracted["requirements_completed"] == front["requirements-completed"]
        assert extracted["key_files"]["created"] == front["key-files"]["created"]

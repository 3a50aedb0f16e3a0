"""`regress summary` on a recorded run: which plan it prints, --output and --write, and errors.

The run is a sample record (two plans of one phase, 01 and 02) written where a run writes it;
GSD's own checks of the files are in tests/runner/gsd/.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from regress.cli import app
from regress.judging.history import write_record
from regress.judging.judge import judge
from regress.reporting.summary import run_summary
from tests.runner import records

FIRST, SECOND = records.PLAN_01, records.PLAN_02


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project folder whose reports/ holds the sample two-plan run."""
    root = tmp_path / "project"
    root.mkdir()
    (root / "suites.yaml").write_text("# not read by regress summary\n")
    record = dataclasses.replace(records.passing_record(), project_root=str(root))
    write_record(root / "reports", record)
    return root


def summary(project: Path, *args: str) -> Result:
    return CliRunner().invoke(
        app, ["summary", *args, "--manifest", str(project / "suites.yaml")], env={"COLUMNS": "80"}
    )


def expected(project: Path, key: str, path: Path | None = None) -> str:
    record = dataclasses.replace(records.passing_record(), project_root=str(project))
    return run_summary(judge(record), key, project / "reports", path)


def test_without_phase_prints_the_first_plan_and_names_the_others_on_stderr(
    project: Path,
) -> None:
    result = summary(project)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == expected(project, FIRST)
    # both plans share the phase slug, so the command names the plan by its key
    manifest = project / "suites.yaml"
    assert result.stderr == (
        f"note: run {records.RUN_ID} covers 2 plans; this is {FIRST}; for {SECOND}: "
        f"regress summary --run {records.RUN_ID} --manifest {manifest} --phase {SECOND}\n"
    )
    again = summary(project, "--run", records.RUN_ID, "--phase", SECOND)
    assert again.exit_code == 0, again.stderr
    assert again.stdout == expected(project, SECOND)
    assert again.stderr == ""


def test_output_writes_atomically_and_names_itself(project: Path) -> None:
    target = project / "docs" / "73-02-SUMMARY.md"
    target.parent.mkdir()
    result = summary(project, "--phase", SECOND, "-o", str(target))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"wrote {target}\n"  # as given
    assert target.read_text() == expected(project, SECOND, target)
    assert "- `docs/73-02-SUMMARY.md` - this summary" in target.read_text()
    assert not [p for p in target.parent.iterdir() if p != target]  # no temp file left


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(["--run", "20990101-000000-0000"], "does not exist", id="unknown-run"),
        pytest.param(["--phase", "99"], "--phase 99: run", id="unknown-phase"),
        pytest.param(["--write"], "--output and --write: pick one", id="both"),
    ],
)
def test_an_error_never_touches_the_output_file(
    project: Path, args: list[str], message: str
) -> None:
    target = project / "S.md"
    target.write_text("kept\n")
    result = summary(project, "-o", str(target), *args)
    assert result.exit_code == 2, result.output
    assert result.stderr.count("\n") == 1 and message in result.stderr, result.stderr
    assert target.read_text() == "kept\n"


def test_output_into_a_missing_folder_is_one_line(project: Path) -> None:
    result = summary(project, "-o", str(project / "nowhere" / "S.md"))
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1, result.stderr
    assert "no folder" in result.stderr


def test_write_needs_a_planning_folder(project: Path) -> None:
    result = summary(project, "--write")
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1, result.stderr
    assert f"--write: {project} has no .planning/ folder" in result.stderr
    assert not (project / ".planning").exists()


def test_write_puts_every_selected_plan_under_planning(project: Path) -> None:
    (project / ".planning").mkdir()
    result = summary(project, "--write")
    assert result.exit_code == 0, result.stderr
    paths = [f".planning/phases/{records.PHASE}/73-0{n}-SUMMARY.md" for n in (1, 2)]
    assert result.stdout.splitlines() == [f"wrote {path}" for path in paths]
    for key, path in zip((FIRST, SECOND), paths, strict=True):
        assert (project / path).read_text() == expected(project, key, project / path)
    only = summary(project, "--write", "--phase", FIRST)
    assert only.stdout.splitlines() == [f"wrote {paths[0]}"]

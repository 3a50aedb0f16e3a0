"""`regress mutate`'s baseline on the fixture project (real worktrees, real `regress run`s): only a
test that passed on unmutated HEAD and went red on the mutant proves a catch."""

from __future__ import annotations

from pathlib import Path

import pytest

from regress.judging.evidence import BaselineStatus
from regress.judging.history import load_record
from regress.judging.mutations import MutantStatus, load_mutate_record
from regress.proc.ports import free_port
from tests.runner.mutate_projects import assert_untouched, git, git_project, invoke

# The `failing` suite (FIX-02) fails on HEAD: check_fail.py's test_broken fails on purpose.
MUTATIONS = """
  breaks-a-failing-suite:
    requirements: [FIX-02]
    patch: mutations/add_subtracts.patch
  breaks-guarded-and-failing:
    requirements: [MUT-01, FIX-02]
    patch: mutations/add_subtracts.patch
    suites: [guarded, failing]
"""
BROKEN = "checks/check_fail.py::test_broken"
GUARDED = "checks/check_guarded.py::test_add_sums"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The fixture project in git, with mutations of a suite that already fails on HEAD."""
    root = git_project(tmp_path)
    manifest = root / "suites.yaml"
    manifest.write_text(manifest.read_text() + MUTATIONS)
    git(root, "commit", "-qam", "mutations of a failing suite")
    return root


def flat(output: str) -> str:
    return " ".join(output.split())


def test_a_mutant_red_only_in_tests_red_on_head_is_not_caught(project: Path) -> None:
    code, output = invoke(project, "mutate", "--mutation", "breaks-a-failing-suite")
    assert code == 1, output  # before the baseline: exit 0, "caught" by test_broken
    record = load_mutate_record(project / "reports")
    (mutant,) = record.mutants
    assert mutant.status is not MutantStatus.CAUGHT
    assert mutant.status is MutantStatus.UNPROVEN
    assert mutant.red == ()
    assert [(r.nodeid, r.status) for r in mutant.not_evidence] == [(BROKEN, "failed")]
    folder = project / "reports" / record.mutate_id / "baseline"
    assert (
        mutant.note
        == f"red only in tests that did not pass on the baseline ({folder}): proves nothing"
    )
    assert record.scores() == (("FIX-02", 0, 0, 1),)
    # the baseline, in the record and on the terminal
    baseline = record.baseline
    assert baseline is not None
    run = load_record(project / "reports" / record.mutate_id / "baseline")
    assert (baseline.status, baseline.run_id, baseline.suites) == (
        BaselineStatus.RED,
        run.run_id,
        ("failing",),
    )
    assert baseline.passed_tests == 1  # test_ok
    assert [(r.nodeid, r.kind) for r in baseline.red] == [(BROKEN, "isolation")]
    text = flat(output)
    assert "baseline: red in" in text and f"(run {run.run_id}): 1 passed, 1 red" in text
    assert f"not evidence: {BROKEN} (failed, isolation): AssertionError: values differ" in text
    assert "unproven" in text and "0/1 mutants caught" in text
    assert_untouched(project)


def test_a_mutant_is_caught_only_by_tests_that_passed_on_head(project: Path) -> None:
    code, output = invoke(project, "mutate", "--mutation", "breaks-guarded-and-failing")
    assert code == 0, output
    record = load_mutate_record(project / "reports")
    (mutant,) = record.mutants
    assert mutant.status is MutantStatus.CAUGHT
    assert [r.nodeid for r in mutant.red] == [GUARDED]  # the evidence
    assert [r.nodeid for r in mutant.not_evidence] == [BROKEN]  # red on HEAD already
    folder = project / "reports" / record.mutate_id / "baseline"
    assert mutant.note == f"1 red test(s) not counted: not passing on the baseline ({folder})"
    assert record.baseline is not None
    assert record.baseline.suites == ("guarded", "failing")
    assert record.baseline.passed_tests == 2  # test_add_sums and test_ok
    assert "1/1 mutants caught" in flat(output)


def test_a_green_baseline_is_recorded_and_its_mutant_caught(project: Path) -> None:
    code, output = invoke(project, "mutate", "--mutation", "add-subtracts")
    assert code == 0, output
    record = load_mutate_record(project / "reports")
    assert [m.status for m in record.mutants] == [MutantStatus.CAUGHT]
    baseline = record.baseline
    assert baseline is not None
    assert (baseline.status, baseline.suites, baseline.red) == (
        BaselineStatus.GREEN,
        ("guarded",),
        (),
    )
    assert ("guarded", "isolation", GUARDED) in baseline.passed
    assert baseline.reports == "baseline"
    run = load_record(project / "reports" / record.mutate_id / baseline.reports)
    assert run.run_id == baseline.run_id and not run.interrupted
    assert run.project_root != str(project.resolve())  # a worktree of HEAD, not the user's tree
    assert "baseline: green in" in flat(output) and ": 1 passed, 0 red" in flat(output)
    assert_untouched(project)


def test_a_suite_that_cannot_run_on_head_catches_nothing(project: Path) -> None:
    manifest = project / "suites.yaml"
    text = manifest.read_text()
    text = text.replace(
        "servers:\n",
        'servers:\n  dead:\n    command: ["{python}", "-c", "raise SystemExit(3)"]\n'
        '    ready: {http: "http://127.0.0.1:{port}/healthz", timeout: 20}\n',
        1,
    )
    text = text.replace(
        "requirements: [MUT-01, MUT-02]\n    suites: [guarded, weak]",
        "requirements: [MUT-01, MUT-02, MUT-03]\n    suites: [guarded, weak, unstartable]",
    )
    text = text.replace(
        "suites:\n  passing:",
        "suites:\n  unstartable:\n    requirement: MUT-03\n    targets: [checks/check_guarded.py]\n"
        f"    expected: [test_add_sums]\n    server: dead\n    port: {free_port()}\n  passing:",
        1,
    )
    text += "  breaks-unstartable:\n    requirements: [MUT-03]\n"
    text += "    patch: mutations/add_subtracts.patch\n"
    manifest.write_text(text)
    git(project, "commit", "-qam", "a suite whose server cannot start")
    code, output = invoke(project, "mutate", "--mutation", "breaks-unstartable")
    assert code == 1, output  # before the baseline: exit 0, "caught" by the suite's error
    record = load_mutate_record(project / "reports")
    (mutant,) = record.mutants
    assert mutant.status is MutantStatus.UNPROVEN
    folder = project / "reports" / record.mutate_id / "baseline"
    assert (
        f"suite unstartable did not run to a verdict on the baseline ({folder}): "
        "none of its tests counts"
    ) in mutant.note
    assert record.baseline is not None
    assert record.baseline.status is BaselineStatus.ERROR
    assert record.baseline.unusable == ("unstartable",)
    assert "unstartable: error server 'dead'" in record.baseline.note
    assert "baseline: error in" in flat(output)


def test_no_baseline_counts_every_red_test_and_says_so(project: Path) -> None:
    code, output = invoke(
        project, "mutate", "--mutation", "breaks-a-failing-suite", "--no-baseline"
    )
    assert code == 0, output
    record = load_mutate_record(project / "reports")
    (mutant,) = record.mutants
    assert mutant.status is MutantStatus.CAUGHT
    assert [r.nodeid for r in mutant.red] == [BROKEN]
    assert mutant.note == "no baseline: red tests were not checked against unmutated HEAD"
    assert record.baseline is not None
    assert record.baseline.status is BaselineStatus.SKIPPED
    assert not (project / "reports" / record.mutate_id / "baseline").exists()
    assert "baseline: skipped (--no-baseline)" in flat(output)

"""`regress mutate` on the fixture project made a git repository: real worktrees, real
`regress run` subprocesses, real pytest and servers."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import psutil
import pytest
from typer.testing import CliRunner

from regress.cli import app
from regress.judging.evidence import BaselineStatus
from regress.judging.history import load_record
from regress.judging.mutations import MutantStatus, MutateRecord, load_mutate_record
from regress.manifest.load import load_manifest
from regress.manifest.model import Mutation
from regress.mutating.engine import port_step
from regress.proc.ports import is_free
from tests.runner.fixture_projects import copy_fixture_project
from tests.runner.mutate_projects import (
    assert_untouched,
    git,
    git_project,
    invoke,
    registered,
    worktrees,
)

SLOW_MUTANT = """
  slow-mutant:
    requirements: [SLOW-01]
    patch: mutations/add_subtracts.patch
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The fixture project as a git repository with one commit (reports/ ignored)."""
    return git_project(tmp_path)


def test_a_caught_mutation_exits_0_naming_the_red_test_and_its_cause(project: Path) -> None:
    code, output = invoke(project, "mutate", "--mutation", "add-subtracts")
    assert code == 0, output
    assert "add(2, 3) gave -1, expected 5" in output
    record = load_mutate_record(project / "reports")
    (mutant,) = record.mutants
    assert mutant.status is MutantStatus.CAUGHT
    assert [(r.nodeid, r.status, r.kind) for r in mutant.red] == [
        ("checks/check_guarded.py::test_add_sums", "failed", "isolation")
    ]
    assert record.exit_code == 0 and record.complete
    # the mutant ran from a worktree, with its own reports folder under the mutate folder
    run = load_record(project / "reports" / record.mutate_id / "add-subtracts")
    assert run.project_root != str(project.resolve())
    assert [r.suite for p in run.passes for r in p.suites] == ["guarded"]  # isolation only
    assert_untouched(project)


def test_combined_adds_the_combined_pass_to_each_mutant(project: Path) -> None:
    code, output = invoke(project, "mutate", "--mutation", "add-subtracts", "--combined")
    assert code == 0, output
    (mutant,) = load_mutate_record(project / "reports").mutants
    assert sorted(r.kind for r in mutant.red) == ["combined", "isolation"]


def test_a_surviving_mutation_exits_1_and_scores_its_requirement(project: Path) -> None:
    code, output = invoke(project, "mutate", "--phase", "97")
    assert code == 1, output
    record = load_mutate_record(project / "reports")
    statuses = {m.name: m.status for m in record.mutants}
    assert statuses == {
        "add-subtracts": MutantStatus.CAUGHT,
        "add-subtracts-unguarded": MutantStatus.SURVIVED,
    }
    assert record.scores() == (("MUT-01", 1, 0, 1), ("MUT-02", 0, 0, 1))
    assert "every test of weak passed" in output
    assert_untouched(project)
    # a run of the same commit carries the mutation check in its SUMMARY without asking
    code, output = invoke(project, "run", "--phase", "97", "--no-combined")
    assert code == 0, output
    text = summary(project)
    section = text.split("## Mutation Check", 1)[1].split("\n---\n", 1)[0]
    assert "- MUT-01: 1/1 caught" in section and "- MUT-02: 0/1 caught" in section
    baseline = record.baseline
    assert baseline is not None
    assert f"Baseline (unmutated HEAD) {baseline.run_id}: green, 2 passed." in section
    assert "| add-subtracts-unguarded | MUT-02 | survived | nothing: every test passed |" in section
    # a run of another commit only with --with-mutations
    (project / "notes.txt").write_text("another commit\n")
    git(project, "add", "notes.txt")
    git(project, "commit", "-qm", "another commit")
    code, output = invoke(project, "run", "--phase", "97", "--no-combined")
    assert code == 0, output
    assert "## Mutation Check" not in summary(project)
    assert "- MUT-02: 0/1 caught" in summary(project, "--with-mutations")


def summary(project: Path, *args: str) -> str:
    result = CliRunner().invoke(app, ["summary", *args, "--manifest", str(project / "suites.yaml")])
    assert result.exit_code == 0, result.output
    return result.output


def test_mutants_are_built_from_head_and_say_so_when_the_tree_has_changes(project: Path) -> None:
    calc = project / "calc.py"
    calc.write_text(calc.read_text().replace("a + b", "b + a"))  # the patch would not apply here
    code, output = invoke(project, "mutate", "--mutation", "add-subtracts")
    assert code == 0, output
    flat = " ".join(output.split())
    assert "mutants are built from HEAD" in flat
    assert "uncommitted changes to 1 tracked file(s) (calc.py) are not in them" in flat
    assert "return b + a" in calc.read_text()  # the user's change is still there


def test_a_port_offset_beyond_the_port_range_is_refused(project: Path) -> None:
    code, output = invoke(project, "run", "--suite", "passing", "--port-offset", "70000")
    assert code == 2, output
    assert "--port-offset 70000: suite 'passing' port" in " ".join(output.split())


def test_a_patch_that_does_not_apply_is_one_clear_error_exit_2(project: Path) -> None:
    calc = project / "calc.py"
    calc.write_text(calc.read_text().replace("a + b", "b + a"))
    git(project, "commit", "-qam", "calc: operands swapped")
    code, output = invoke(project, "mutate", "--mutation", "add-subtracts")
    assert code == 2, output
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1, output
    assert "add_subtracts.patch: mutation 'add-subtracts' does not apply to HEAD" in " ".join(
        output.split()
    )
    assert "patch failed: calc.py" in " ".join(output.split())
    assert not list((project / "reports").glob("mutate-*/add-subtracts"))  # no mutant ran
    assert worktrees(project) == [str(project.resolve())]
    assert registered(project) == []


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        pytest.param(
            "  m:\n    requirements: [NOPE-1]\n    patch: mutations/add_subtracts.patch\n",
            "mutation 'm'.requirements: no suite verifies 'NOPE-1'",
            id="unknown-requirement",
        ),
        pytest.param(
            "  m:\n    requirements: [MUT-01]\n    patch: mutations/add_subtracts.patch\n"
            "    suites: [nosuch]\n",
            "mutation 'm'.suites: no suite named 'nosuch'",
            id="unknown-suite",
        ),
        pytest.param(
            "  m:\n    requirements: [MUT-01]\n    patch: mutations/missing.patch\n",
            "mutation 'm'.patch: patch file",
            id="missing-patch",
        ),
        pytest.param(
            "  m:\n    requirements: [MUT-01]\n    patches: x\n",
            "mutation 'm': unknown key 'patches' (did you mean 'patch'?)",
            id="unknown-key",
        ),
        pytest.param(
            "  m:\n    patch: mutations/add_subtracts.patch\n",
            "mutation 'm': missing required key 'requirements'",
            id="no-requirement",
        ),
        pytest.param(
            "  baseline:\n    requirements: [MUT-01]\n    patch: mutations/add_subtracts.patch\n",
            "mutations.baseline: 'baseline' names the unmutated run's reports folder",
            id="reserved-name",
        ),
    ],
)
def test_bad_mutations_are_refused_naming_file_and_key(
    project: Path, entry: str, message: str
) -> None:
    manifest = project / "suites.yaml"
    manifest.write_text(manifest.read_text() + entry)
    code, output = invoke(project, "mutate", "--mutation", "m")
    assert code == 2, output
    flat = " ".join(output.split())
    assert f"{manifest}:" in flat and message in flat
    assert not (project / "reports").exists()  # refused before anything was created


def _start_slow_mutant(
    project: Path, *args: str, folder: str = "slow-mutant"
) -> tuple[subprocess.Popen[bytes], list[psutil.Process]]:
    """`python -m regress mutate` of a mutant whose suite sleeps; returns once the slow test of
    the run reporting to folder (the mutant's, or the baseline's) runs."""
    manifest = project / "suites.yaml"
    manifest.write_text(manifest.read_text() + SLOW_MUTANT)
    git(project, "commit", "-qam", "a mutant of the slow suite")
    env = {**os.environ, "SLOW_SECONDS": "120"}
    command = [sys.executable, "-m", "regress", "mutate", "--mutation", "slow-mutant", *args]
    command += ["--manifest", str(manifest), "--reports", str(project / "reports")]
    runner = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    me = psutil.Process(runner.pid)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if runner.poll() is not None:
            assert runner.stdout is not None
            pytest.fail(f"regress mutate ended early: {runner.stdout.read().decode()[-3000:]}")
        descendants = me.children(recursive=True)
        events = list(project.glob(f"reports/mutate-*/{folder}/*/isolation/slow/events.jsonl"))
        if events and "started" in events[0].read_text():
            return runner, descendants
        time.sleep(0.1)
    runner.kill()
    pytest.fail(f"the slow test of {folder} never started")


def _tree_of(project: Path, folder: str) -> dict[str, object]:
    """The registered worktree of the run reporting to folder."""
    (tree,) = [t for t in registered(project) if Path(str(t["reports"])).name == folder]
    return tree


def _close(runner: subprocess.Popen[bytes]) -> str:
    if runner.poll() is None:
        runner.kill()
        runner.wait(timeout=10)
    assert runner.stdout is not None
    output = runner.stdout.read().decode()
    runner.stdout.close()
    return output


def test_ctrl_c_mid_mutant_leaves_no_worktree_and_no_process(project: Path) -> None:
    runner, descendants = _start_slow_mutant(project, "--jobs", "2")  # the baseline runs too
    try:
        tree = _tree_of(project, "slow-mutant")
        assert Path(str(tree["folder"]), "tree", "calc.py").read_text().count("a - b") == 1
        assert len(registered(project)) == 2  # the mutant's worktree and the baseline's
        assert len(descendants) >= 6  # per run: its regress run, its server and its pytest
        runner.send_signal(signal.SIGINT)
        assert runner.wait(timeout=90) == 130
        _, alive = psutil.wait_procs(descendants, timeout=5)
        assert not alive, f"left alive: {[p.pid for p in alive]}"
        assert not Path(str(tree["folder"])).exists()
        assert_untouched(project)
        record: MutateRecord = load_mutate_record(project / "reports")
        assert record.interrupted and record.exit_code == 130
        assert [m.status for m in record.mutants] == [MutantStatus.INTERRUPTED]
        assert record.baseline is not None
        assert record.baseline.status is BaselineStatus.INTERRUPTED
        for folder in ("slow-mutant", "baseline"):
            run = load_record(project / "reports" / record.mutate_id / folder)
            assert run.interrupted  # each run stopped cleanly, with its partial record
            assert is_free(run.suites[0].port)
    finally:
        _close(runner)


def test_sigterm_mid_baseline_stops_it_and_starts_no_mutant(project: Path) -> None:
    runner, descendants = _start_slow_mutant(project, folder="baseline")
    try:
        tree = _tree_of(project, "baseline")
        assert "return a + b" in Path(str(tree["folder"]), "tree", "calc.py").read_text()
        runner.send_signal(signal.SIGTERM)
        assert runner.wait(timeout=90) == 130
        _, alive = psutil.wait_procs(descendants, timeout=5)
        assert not alive, f"left alive: {[p.pid for p in alive]}"
        assert_untouched(project)
        record = load_mutate_record(project / "reports")
        assert record.interrupted and record.exit_code == 130
        assert record.baseline is not None
        assert record.baseline.status is BaselineStatus.INTERRUPTED
        run = load_record(project / "reports" / record.mutate_id / "baseline")
        assert record.baseline.run_id == run.run_id and run.interrupted
        assert is_free(run.suites[0].port)
        (mutant,) = record.mutants
        assert (mutant.status, mutant.note) == (
            MutantStatus.INTERRUPTED,
            "not started: interrupted",
        )
        assert not (project / "reports" / record.mutate_id / "slow-mutant").exists()
    finally:
        _close(runner)


def test_a_mutate_killed_with_9_is_cleaned_up_by_the_next_one(project: Path) -> None:
    runner, descendants = _start_slow_mutant(project, "--jobs", "2")
    try:
        trees = registered(project)
        assert len(trees) == 2  # the mutant's and the baseline's
        runner.send_signal(signal.SIGKILL)
        runner.wait(timeout=10)
        survivors = [p for p in descendants if p.is_running()]
        assert survivors  # the runs' regress, servers and pytest outlive a kill -9
        assert len(worktrees(project)) == 3
        code, output = invoke(project, "mutate", "--mutation", "add-subtracts")
        assert code == 0, output
        flat = " ".join(output.split())
        for tree in trees:
            assert f"removed worktree {tree['folder']}/tree left by dead regress pid" in flat
        _, alive = psutil.wait_procs(survivors, timeout=5)
        assert not alive, f"left alive: {[p.pid for p in alive]}"
        assert_untouched(project)
    finally:
        _close(runner)


def test_jobs_run_mutants_in_parallel_on_distinct_ports(project: Path) -> None:
    code, output = invoke(project, "mutate", "--phase", "97", "--jobs", "3")
    assert code == 1, output
    events = [line.split(":")[1].split()[0] for line in output.splitlines() if "mutant " in line]
    assert events[:2] == ["running", "running"]  # both started before either was judged
    assert output.index("mutant add-subtracts-unguarded: running") < output.index("baseline: ")
    record = load_mutate_record(project / "reports")
    assert {m.name: m.status for m in record.mutants} == {
        "add-subtracts": MutantStatus.CAUGHT,
        "add-subtracts-unguarded": MutantStatus.SURVIVED,
    }
    folder = project / "reports" / record.mutate_id
    runs = [load_record(folder / name) for name in ("baseline", *(m.name for m in record.mutants))]
    offsets = [dict(run.options).get("port-offset", "0") for run in runs]
    assert offsets[0] == "0"  # the baseline took the first slot, the manifest's own ports
    assert len(set(offsets)) == 3  # each mutant's slot moved its ports
    guarded, weak = (run.suites[0].port for run in runs[1:])
    assert guarded != weak
    assert_untouched(project)


@pytest.mark.parametrize(
    ("ports", "jobs", "step"),
    [
        pytest.param((5000, 5001, 5003), 1, 1, id="one-job"),
        pytest.param((5000, 5001, 5003), 2, 4, id="gaps-1-2-3"),
        pytest.param((5000, 5002), 3, 3, id="twice-the-step-must-miss-too"),
        pytest.param((40000, 60000), 2, 1, id="far-apart"),
    ],
)
def test_parallel_slots_never_share_a_port(
    tmp_path: Path, ports: tuple[int, ...], jobs: int, step: int
) -> None:
    fixture = load_manifest(copy_fixture_project(tmp_path) / "suites.yaml")
    suites = tuple(replace(s, port=port) for s, port in zip(fixture.suites, ports, strict=False))
    manifest = replace(fixture, suites=suites)
    mutations = (Mutation("m", ("MUT-01",), Path("p"), tuple(s.name for s in suites)),)
    assert port_step(manifest, mutations, jobs) == step
    slots = [{port + k * step for port in ports} for k in range(jobs)]
    assert sum(len(s) for s in slots) == len(set().union(*slots))

"""The daily loop on the fixture project (real servers, real pytest processes): focused runs
(-k, --test, --last-failed), --repeat and flaky tests, --fail-fast, and pytest's own errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from regress.cli import app
from regress.judging.history import load_record
from regress.judging.judge import judge
from regress.judging.results import PassKind, RunRecord, SuiteStatus, TestStatus
from regress.judging.verdicts import RequirementState, Word
from tests.runner.fixture_projects import copy_fixture_project


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the fixture project with a manifest on free ports."""
    return copy_fixture_project(tmp_path)


def invoke(project: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        app,
        [*args, "--manifest", str(project / "suites.yaml"), "--reports", str(project / "reports")],
        env={"COLUMNS": "250"},  # failure lines unwrapped
    )
    return result.exit_code, result.output


def latest(project: Path) -> RunRecord:
    return load_record(project / "reports", None)


def statuses(record: RunRecord, kind: PassKind, suite: str) -> dict[str, TestStatus]:
    found = record.pass_of(kind)
    assert found is not None, f"no {kind.value} pass"
    result = next(r for r in found.suites if r.suite == suite)
    return {t.nodeid.split("::")[1]: t.status for t in result.tests}


def summary_of(project: Path, record: RunRecord, slug: str, name: str) -> str:
    return (project / "reports" / record.run_id / slug / name).read_text()


# --- focused runs ------------------------------------------------------------------------------


def test_k_deselects_and_leaves_the_requirement_not_verified(project: Path) -> None:
    code, output = invoke(
        project, "run", "--suite", "passing", "--suite", "failing", "-k", "test_ok"
    )
    record = latest(project)
    # no test of `passing` matches: the suite is not run at all (no server, no pytest)
    assert [s.name for s in record.suites] == ["failing"]
    assert not (project / "reports" / record.run_id / "isolation" / "passing").exists()
    for kind in PassKind:
        assert statuses(record, kind, "failing") == {
            "test_ok": TestStatus.PASSED,
            "test_broken": TestStatus.DESELECTED,
        }
    judgement = judge(record)
    (requirement,) = judgement.requirements
    assert requirement.state is RequirementState.NOT_VERIFIED and not requirement.satisfied
    assert judgement.suite("failing").word is Word.NOT_VERIFIED
    assert code == 3 == record.exit_code, output  # neither 0 (PASS) nor 1 (failed)
    (row,) = [line for line in output.splitlines() if line.startswith("FIX-02")]
    assert row.split()[-2:] == ["NOT", "VERIFIED"], output
    assert "1 deselected" in output and "missing" not in output
    summary = summary_of(project, record, "90-fixture-checks", "90-01-SUMMARY.md")
    assert "**FIX-02** not verified (not every expected test ran)" in summary
    assert "(1 deselected)" in summary and "not collected" not in summary


def test_test_option_runs_only_the_suites_it_names(project: Path) -> None:
    code, output = invoke(
        project,
        "run",
        "--suite",
        "passing",
        "--suite",
        "failing",
        "--test",
        "checks/check_fail.py::test_ok",
        "--no-combined",
    )
    assert code == 3, output
    record = latest(project)
    assert [r.suite for p in record.passes for r in p.suites] == ["failing"]
    assert not (project / "reports" / record.run_id / "isolation" / "passing").exists()
    assert statuses(record, PassKind.ISOLATION, "failing")["test_broken"] is TestStatus.DESELECTED


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(
            ("--test", "checks/nope.py::x"),
            "--test checks/nope.py::x: not under the targets of any selected suite",
            id="test-outside",
        ),
        pytest.param(
            ("-k", "no_such_test_name"),
            "-k 'no_such_test_name' selects no test of the selected suites",
            id="k-matches-nothing",
        ),
        pytest.param(("--repeat", "0"), "--repeat 0: give a number of attempts", id="repeat-0"),
        pytest.param(
            ("--last-failed", "--failed-from", "x"),
            "--last-failed and --failed-from together",
            id="both-reruns",
        ),
    ],
)
def test_focus_mistakes_are_one_line_errors(
    project: Path, args: tuple[str, ...], message: str
) -> None:
    code, output = invoke(project, "run", "--suite", "failing", *args)
    assert code == 2, output
    assert message in output
    assert not (project / "reports").exists() or not list((project / "reports").glob("2*"))


def test_last_failed_reruns_only_what_did_not_pass_in_both_passes(project: Path) -> None:
    code, output = invoke(project, "run", "--last-failed")
    assert code == 2 and "--last-failed: no run recorded in" in output, output
    code, output = invoke(project, "run", "--failed-from", "20260101-000000-abcd")
    assert code == 2 and "--failed-from 20260101-000000-abcd: " in output, output
    code, output = invoke(project, "run", "--suite", "passing", "--suite", "failing")
    assert code == 1, output
    first = latest(project)
    code, output = invoke(project, "run", "--last-failed")
    assert code == 1, output
    rerun = latest(project)
    assert rerun.run_id != first.run_id
    assert [s.name for s in rerun.suites] == ["failing"]  # the passing suite: no server, no pytest
    for kind in PassKind:
        assert statuses(rerun, kind, "failing") == {
            "test_ok": TestStatus.DESELECTED,
            "test_broken": TestStatus.FAILED,
        }
    code, output = invoke(project, "run", "--failed-from", first.run_id, "--no-combined")
    assert code == 1 and [s.name for s in latest(project).suites] == ["failing"], output


# --- repeat and flakiness ----------------------------------------------------------------------


def test_a_test_failing_every_other_time_is_flaky_under_repeat(project: Path) -> None:
    code, output = invoke(project, "run", "--suite", "flaky", "--repeat", "4")
    record = latest(project)
    assert code == 1 == record.exit_code, output
    for kind in PassKind:
        result = next(r for r in record.pass_of(kind).suites)  # type: ignore[union-attr]
        assert result.attempts == 4
        tests = {t.nodeid.split("::")[1]: t for t in result.tests}
        flaky, steady = tests["test_every_other_time"], tests["test_steady"]
        assert flaky.status is TestStatus.FLAKY and (flaky.passes, flaky.attempts) == (2, 4)
        assert steady.status is TestStatus.PASSED and steady.tries == (TestStatus.PASSED,) * 4
    judgement = judge(record)
    assert [r.state for r in judgement.requirements] == [RequirementState.FLAKY]
    assert judgement.suite("flaky").word is Word.FLAKY
    assert "FLAKY" in output
    assert "passed 2/4 alone, 2/4 combined (flake rate 50%)" in output
    assert "first failure: AssertionError: odd attempt 2 fails on purpose" in output
    raw = json.loads((project / "reports" / record.run_id / "run.json").read_text())
    isolation = raw["passes"][0]["suites"][0]["tests"][0]
    assert isolation["status"] == "flaky"
    assert isolation["tries"] == ["passed", "failed", "passed", "failed"]
    summary = summary_of(project, record, "94-daily-loop", "94-01-SUMMARY.md")
    assert "**LOOP-01** flaky" in summary and "flake rate 50%" in summary
    assert "requirements-completed: []" in summary
    # every attempt had its own server and folder
    assert (project / "reports" / record.run_id / "isolation-4" / "flaky" / "server.log").is_file()


def test_records_without_repeats_still_load(project: Path) -> None:
    code, output = invoke(project, "run", "--suite", "failing", "--no-combined")
    assert code == 1, output
    record = latest(project)
    path = project / "reports" / record.run_id / "run.json"
    raw = json.loads(path.read_text())
    for result in raw["passes"][0]["suites"]:
        del result["attempts"]
        for test in result["tests"]:
            del test["tries"]
    path.write_text(json.dumps(raw))
    old = load_record(project / "reports", record.run_id)
    assert old == record
    assert judge(old).requirements[0].state is RequirementState.NOT_SATISFIED


def test_fail_fast_stops_at_the_first_failing_suite(project: Path) -> None:
    code, output = invoke(project, "run", "--suite", "failing", "--suite", "missing", "-x")
    assert code == 1, output
    record = latest(project)
    isolation = {r.suite: r.status for r in record.passes[0].suites}
    assert isolation == {"failing": SuiteStatus.FAILED, "missing": SuiteStatus.NOT_RUN}
    combined = record.pass_of(PassKind.COMBINED)
    assert combined is not None
    assert {r.status for r in combined.suites} == {SuiteStatus.NOT_RUN}
    assert not (project / "reports" / record.run_id / "isolation" / "missing").exists()
    assert not (project / "reports" / record.run_id / "combined").exists()
    assert any("--fail-fast stopped the run after failing failed" in n for n in record.notes)
    assert "--fail-fast stopped the run after failing failed" in output


# --- pytest's own errors -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("break_it", "extra", "line"),
    [
        pytest.param(
            lambda root: (root / "checks" / "check_broken.py").write_text("def test_fine(:\n"),
            (),
            "SyntaxError: ",
            id="syntax-error",
        ),
        pytest.param(
            lambda root: (root / "checks" / "conftest.py").write_text("import no_such_module_x\n"),
            (),
            "ModuleNotFoundError: No module named 'no_such_module_x' in conftest "
            "checks/conftest.py:1",
            id="conftest-import-error",
        ),
        pytest.param(
            lambda root: None,
            ("--pytest-arg=--lf",),
            "error: unrecognized arguments: --lf",
            id="unknown-option",
        ),
    ],
)
def test_pytest_errors_show_pytests_own_line(
    project: Path, break_it: object, extra: tuple[str, ...], line: str
) -> None:
    break_it(project)  # type: ignore[operator]
    code, output = invoke(project, "run", "--suite", "broken", "--no-combined", *extra)
    assert code == 1, output
    record = latest(project)
    (result,) = record.passes[0].suites
    assert result.status is SuiteStatus.ERROR
    first = result.reason.splitlines()[0]
    assert first.startswith(line), result.reason
    if line.startswith("SyntaxError"):
        assert first.endswith(" at checks/check_broken.py:1"), first
    assert "✗ LOOP-02 broken error in the isolation pass\n    " + first in output, output
    assert "no JUnit XML" not in output
    summary = summary_of(project, record, "94-daily-loop", "94-01-SUMMARY.md")
    assert first in summary and "no JUnit XML" not in summary


# --- pure parts --------------------------------------------------------------------------------

USAGE = """ERROR: usage: __main__.py [options] [file_or_dir] [file_or_dir] [...]
__main__.py: error: unrecognized arguments: --lf
  inifile: /p/pytest.ini
"""
CONFTEST = """ImportError while loading conftest '/p/checks/conftest.py'.
checks/conftest.py:1: in <module>
    import nope
E   ModuleNotFoundError: No module named 'nope'
"""
COLLECTING = """==================================== ERRORS ====================================
_______________________ ERROR collecting checks/check_x.py ________________________
/site-packages/_pytest/python.py:507: in importtestmodule
    mod = import_path(
/lib/python3.11/ast.py:50: in parse
    return compile(source, filename, mode, flags,
E     File "/p/checks/check_x.py", line 12
E       def test_x(:
E                  ^
E   SyntaxError: invalid syntax
=========================== short test summary info ============================
"""
INTERNAL = """INTERNALERROR> Traceback (most recent call last):
INTERNALERROR>   File "/site-packages/_pytest/main.py", line 289, in wrap_session
INTERNALERROR> E   RuntimeError: plugin broke
"""


@pytest.mark.parametrize(
    ("output", "line"),
    [
        pytest.param(USAGE, "error: unrecognized arguments: --lf", id="usage"),
        pytest.param(
            CONFTEST,
            "ModuleNotFoundError: No module named 'nope' in conftest checks/conftest.py:1",
            id="conftest",
        ),
        pytest.param(
            COLLECTING, "SyntaxError: invalid syntax at checks/check_x.py:12", id="syntax"
        ),
        pytest.param(INTERNAL, "INTERNALERROR RuntimeError: plugin broke", id="internal"),
        pytest.param("1 passed in 0.01s\n", "", id="nothing"),
    ],
)
def test_pytest_error_line(output: str, line: str) -> None:
    from regress.running.pytest_errors import pytest_error_line  # noqa: PLC0415

    assert pytest_error_line(output, Path("/p")) == line


@pytest.mark.parametrize(
    ("tries", "status", "message"),
    [
        pytest.param(["passed", "passed"], TestStatus.PASSED, "", id="steady"),
        pytest.param(["passed", "failed", "failed"], TestStatus.FLAKY, "boom 2", id="flaky"),
        pytest.param(["failed", "failed"], TestStatus.FAILED, "boom 1", id="broken"),
        pytest.param(["passed", "skipped"], TestStatus.SKIPPED, "", id="skipped-is-not-flaky"),
    ],
)
def test_merge_tests(tries: list[str], status: TestStatus, message: str) -> None:
    from regress.judging.repeats import merge_tests  # noqa: PLC0415
    from regress.judging.results import TestOutcome  # noqa: PLC0415

    attempts = [
        TestOutcome("t.py::x", TestStatus(s), 1.0, f"boom {i}" if s == "failed" else "")
        for i, s in enumerate(tries, start=1)
    ]
    merged = merge_tests(attempts)
    assert merged.status is status
    assert merged.tries == tuple(TestStatus(s) for s in tries)
    assert merged.passes == tries.count("passed") and merged.attempts == len(tries)
    assert merged.message == message

"""`regress history`, `regress diff` and `regress prune` (with the manifest's `keep`): over
recorded runs, and over real runs of the fixture project."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from regress.cli import app
from regress.judging.history import list_runs, write_record
from regress.judging.results import PassKind, RunRecord
from regress.proc.ledger import Ledger
from tests.runner import records
from tests.runner.fixture_projects import copy_fixture_project

OLDEST, OLD, BROKEN, NEWEST = (
    "20261121-104512-ab12",
    "20261121-120000-cd34",
    "20261121-130000-ef56",
    "20261121-140000-0a0a",
)


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "80"})
    return result.exit_code, result.output


def write(reports: Path, record: RunRecord, run_id: str) -> None:
    write_record(reports, dataclasses.replace(record, run_id=run_id))


@pytest.fixture
def reports(tmp_path: Path) -> Path:
    """A passing run, a failing one, a broken run.json and an interrupted run, oldest first."""
    folder = tmp_path / "reports"
    write(folder, records.passing_record(), OLDEST)
    write(folder, records.failing_record(), OLD)
    (folder / BROKEN).mkdir()
    (folder / BROKEN / "run.json").write_text('{"schema": 1,')
    write(folder, records.interrupted_record(), NEWEST)
    return folder


# --- history -----------------------------------------------------------------------------------


def test_history_lists_every_run_newest_first_with_its_facts(reports: Path) -> None:
    code, output = invoke("history", "--reports", str(reports))
    assert code == 0, output
    header, *lines = output.splitlines()
    assert header.split() == [
        "run",
        "started",
        "commit",
        "selection",
        "duration",
        "verdicts",
        "exit",
    ]
    assert [line.split()[0] for line in lines] == [NEWEST, BROKEN, OLD, OLDEST]
    rows = dict(zip([NEWEST, BROKEN, OLD, OLDEST], lines, strict=True))
    assert rows[OLD].split() == [
        OLD,
        "2026-11-21",
        "10:45",
        "3f9c2a1*",  # the failing run had files modified
        "6",
        "suites",
        "23m00s",
        *["2", "PASS", "3", "FAIL", "1", "BLOCKED"],
        "1",
    ]
    assert rows[OLDEST].split()[-4:] == ["23m00s", "6", "PASS", "0"]
    assert "(interrupted)" in rows[NEWEST]
    assert rows[NEWEST].endswith(" 130")
    assert "unreadable: run.json is not valid JSON" in rows[BROKEN]


def test_history_last_n_shows_only_the_newest(reports: Path) -> None:
    code, output = invoke("history", "--last", "2", "--reports", str(reports))
    assert code == 0, output
    assert [line.split()[0] for line in output.splitlines()[1:]] == [NEWEST, BROKEN]
    code, output = invoke("history", "--last", "0", "--reports", str(reports))
    assert code == 2
    assert output.strip().splitlines() == [
        "error: --last 0: give a positive number of runs, e.g. --last 10"
    ]


def test_history_names_a_run_still_in_progress(tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    write(folder, records.interrupted_record(complete=False), NEWEST)
    Ledger.in_reports(folder).register_run(NEWEST, "token-of-a-live-run", ["regress", "run"])
    code, output = invoke("history", "--reports", str(folder))
    assert code == 0, output
    assert "(in progress)" in output.splitlines()[1]


def test_history_says_a_partial_run_whose_process_is_gone_is_incomplete(tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    write(folder, records.interrupted_record(complete=False), NEWEST)  # nobody registered it
    code, output = invoke("history", "--reports", str(folder))
    assert code == 0, output
    row = output.splitlines()[1]
    assert "(incomplete: its regress process stopped before the end)" in row
    assert row.endswith(" -")  # no exit code was recorded


# --- diff over records -------------------------------------------------------------------------


def test_diff_names_newly_failing_and_missing_tests_and_exits_1(reports: Path) -> None:
    code, output = invoke("diff", OLDEST, OLD, "--reports", str(reports))
    assert code == 1, output
    assert f"Comparing {OLDEST}" in output
    lines = output.splitlines()
    failing = lines.index("newly failing (2)")
    assert records.FAILED_TEST in lines[failing + 1]
    assert "passed → failed" in lines[failing + 1]
    assert records.FAILED_MESSAGE in lines[failing + 1]
    assert records.INTERFERENCE_TEST in lines[failing + 2]
    missing = lines.index("newly missing (4)")
    assert records.MISSING_TEST in lines[missing + 1]
    assert "passed → missing" in lines[missing + 1]
    assert lines[-1] == "worse: 2 newly failing, 4 newly missing"


def test_diff_the_other_way_round_reports_fixes_and_exits_0(reports: Path) -> None:
    code, output = invoke("diff", OLD, OLDEST, "--reports", str(reports))
    assert code == 0, output
    assert "fixed (6)" in output
    assert output.splitlines()[-1] == "nothing got worse"


def _slower(record: RunRecord, nodeid: str, seconds: float) -> RunRecord:
    """The record with one test taking `seconds` in the isolation pass."""
    passes = []
    for result in record.passes:
        suites = []
        for suite in result.suites:
            tests = tuple(
                dataclasses.replace(t, duration=seconds)
                if t.nodeid == nodeid and result.kind is PassKind.ISOLATION
                else t
                for t in suite.tests
            )
            suites.append(dataclasses.replace(suite, tests=tests))
        passes.append(dataclasses.replace(result, suites=tuple(suites)))
    return dataclasses.replace(record, passes=tuple(passes))


def test_diff_reports_a_slower_test_over_the_thresholds(tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    test = records.nodeid("focus-loss")
    write(folder, records.passing_record(), OLDEST)
    write(folder, _slower(records.passing_record(), test, 30.0), OLD)  # 12.5s -> 30s
    code, output = invoke("diff", "--reports", str(folder))
    assert code == 1, output
    assert "slower (1)" in output
    assert f"{test}  12s → 30s alone (+140%)" in output
    code, output = invoke("diff", "--threshold", "200", "--reports", str(folder))
    assert code == 0, output
    assert "no test changed" in output
    code, output = invoke("diff", "--min-seconds", "nan", "--reports", str(folder))
    assert code == 2
    assert "--min-seconds nan" in output


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        pytest.param(
            ("20990101-000000-beef",),
            "error: no run '20990101-000000-beef' in {reports}: list the recorded runs with "
            "`regress history`",
            id="unknown-id",
        ),
        pytest.param(
            (OLD, OLD), f"error: both runs are {OLD}: name two different runs", id="same-run"
        ),
        pytest.param(
            (NEWEST,), f"error: no finished run after {NEWEST} in {{reports}}", id="nothing-newer"
        ),
        pytest.param((BROKEN, OLD), f"{BROKEN}/run.json is not valid JSON", id="broken-record"),
    ],
)
def test_diff_bad_input_is_one_line_and_exit_2(
    reports: Path, args: tuple[str, ...], expected: str
) -> None:
    code, output = invoke("diff", *args, "--reports", str(reports))
    assert code == 2, output
    assert len(output.strip().splitlines()) == 1, output
    assert expected.format(reports=reports) in output.replace("\n", "")


# --- diff over real runs -----------------------------------------------------------------------

PARAMS_TEST = "checks/check_pass.py::test_params_reach_tests"


@pytest.fixture(scope="module")
def two_real_runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Suite `passing` run twice: as it is, then with a parameter that makes one test fail."""
    root = copy_fixture_project(tmp_path_factory.mktemp("diff"))
    where = ("--manifest", str(root / "suites.yaml"), "--reports", str(root / "reports"))
    code, output = invoke("run", "--suite", "passing", "--no-combined", *where)
    assert code == 0, output
    code, output = invoke(
        "run", "--suite", "passing", "--no-combined", "--param", "expect_stagger=9", *where
    )
    assert code == 1, output
    yield root


def test_diff_of_two_real_runs_reports_the_test_that_went_from_pass_to_fail(
    two_real_runs: Path,
) -> None:
    root = two_real_runs
    first, second = list_runs(root / "reports")
    code, output = invoke("diff", "--manifest", str(root / "suites.yaml"))
    assert code == 1, output
    assert output.splitlines()[0].startswith(f"Comparing {first} (")
    assert f"→ {second} (" in output.splitlines()[0]
    assert "newly failing (1)" in output
    changed = [line for line in output.splitlines() if PARAMS_TEST in line]
    assert len(changed) == 1
    assert "passing  " in changed[0]
    assert "passed → failed  failed alone: AssertionError" in changed[0]
    assert "test_server_answers" not in output  # unchanged tests are not listed
    code, output = invoke("diff", second, first, "--manifest", str(root / "suites.yaml"))
    assert code == 0, output
    assert re.search(rf"fixed \(1\)\n  passing  {PARAMS_TEST}  failed → passed", output)


# --- prune and keep ----------------------------------------------------------------------------


def test_prune_keeps_the_newest_the_latest_and_runs_in_progress(tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    write(folder, records.passing_record(), NEWEST)
    write(folder, records.passing_record(), OLDEST)
    write(folder, records.interrupted_record(complete=False), OLD)  # still being written
    write(folder, records.passing_record(), BROKEN)  # written last: `latest` points at it
    Ledger.in_reports(folder).register_run(OLD, "token-of-a-live-run", ["regress", "run"])
    code, output = invoke("prune", "--keep", "1", "--reports", str(folder))
    assert code == 0, output
    assert list_runs(folder) == (OLD, BROKEN, NEWEST)
    assert output.splitlines() == [
        f"removed 1 old run(s) from {folder} (keeping the newest 1): {OLDEST}",
        f"kept {OLD}: in progress",
        f"kept {BROKEN}: the latest run",
    ]
    assert not [p.name for p in folder.iterdir() if p.name.endswith(".removing")]


def test_prune_needs_a_number(tmp_path: Path) -> None:
    project = copy_fixture_project(tmp_path)
    code, output = invoke("prune", "--manifest", str(project / "suites.yaml"))
    assert code == 2
    assert "pass --keep N or set `keep: N`" in output
    code, output = invoke("prune", "--keep", "-3", "--manifest", str(project / "suites.yaml"))
    assert code == 2
    assert output.startswith("error: --keep -3: give a positive number")


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        pytest.param("0", "must be greater than 0, got 0", id="zero"),
        pytest.param("-2", "must be greater than 0, got -2", id="negative"),
        pytest.param("2.5", "expected an integer, got", id="fraction"),
        pytest.param(".inf", "expected an integer, got", id="infinite"),
        pytest.param("ten", "expected an integer, got", id="text"),
        pytest.param("true", "expected an integer, got", id="boolean"),
    ],
)
def test_manifest_keep_must_be_a_positive_integer(tmp_path: Path, value: str, problem: str) -> None:
    project = copy_fixture_project(tmp_path)
    manifest = project / "suites.yaml"
    manifest.write_text(f"keep: {value}\n" + manifest.read_text())
    code, output = invoke("list", "--manifest", str(manifest))
    assert code == 2, output
    assert len(output.strip().splitlines()) == 1, output
    assert "keep" in output
    assert problem in output


def test_a_finished_run_prunes_to_the_manifests_keep(tmp_path: Path) -> None:
    project = copy_fixture_project(tmp_path)
    manifest = project / "suites.yaml"
    manifest.write_text("keep: 2\n" + manifest.read_text())
    folder = project / "reports"
    for run_id in (OLDEST, OLD, BROKEN):
        write(folder, records.passing_record(), run_id)
    Ledger.in_reports(folder).register_run(OLDEST, "token-of-a-live-run", ["regress", "run"])
    code, output = invoke("run", "--suite", "failing", "--no-combined", "--manifest", str(manifest))
    assert code == 1, output
    runs = list_runs(folder)
    assert runs[:2] == (OLDEST, BROKEN) and len(runs) == 3  # OLD removed, the new run kept
    assert f"removed 1 old run(s) from {folder} (keeping the newest 2): {OLD}" in output
    assert f"kept {OLDEST}: in progress" in output

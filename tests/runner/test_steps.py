"""The steps of a pass, each on its own: free ports, start/stop servers, judge, record."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from regress.judging.judge import judge
from regress.judging.junit import JUnitCase
from regress.judging.results import PassKind, SuiteStatus, TestOutcome, TestStatus
from regress.judging.suite import PytestOutcome, judge_suite, not_run
from regress.judging.verdicts import Judgement
from regress.manifest.load import load_manifest
from regress.manifest.select import select
from regress.proc import popen
from regress.proc.ports import is_free
from regress.running.events import NullSink
from regress.running.freeing import free_suite_ports
from regress.running.recorder import Recorder
from regress.running.servers import suite_servers
from regress.running.setup import RunOptions, RunSetup
from tests.runner.fixture_projects import copy_fixture_project

Launch = Callable[..., popen.Child]  # the conftest fixture
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def setup(tmp_path: Path) -> RunSetup:
    """A run of the fixture project's `passing` suite, reports in tmp_path/reports."""
    project = copy_fixture_project(tmp_path)
    selection = select(load_manifest(project / "suites.yaml"), suites=("passing",))
    return RunSetup.new(selection, RunOptions(reports=tmp_path / "reports"), NullSink())


# --- free ports ------------------------------------------------------------------------------


def test_free_ports_refuses_a_foreign_holder_and_frees_a_recorded_one(
    setup: RunSetup, launch: Launch
) -> None:
    suite = setup.selection.suites[0]
    foreign = launch("squatter.py", str(suite.port))

    (refused,) = free_suite_ports(setup, [suite])

    assert (refused.port, refused.pid, refused.freed) == (suite.port, foreign.pid, False)
    assert "not started by regress" in refused.reason
    setup.ledger.record(
        pid=foreign.pid,
        create_time=foreign.create_time,
        port=suite.port,
        run_id="earlier",
        token="t",
        argv=foreign.argv,
    )

    (freed,) = free_suite_ports(setup, [suite])

    assert (freed.pid, freed.freed) == (foreign.pid, True)
    assert is_free(suite.port)


# --- servers ---------------------------------------------------------------------------------


def test_suite_servers_start_serve_and_stop(setup: RunSetup, tmp_path: Path) -> None:
    suite = setup.selection.suites[0]
    recorder = Recorder(setup)

    with suite_servers(setup, recorder, [suite], tmp_path / "pass", PassKind.ISOLATION) as servers:
        url = servers.url(suite.name)
        assert url == f"http://127.0.0.1:{suite.port}"
        assert not is_free(suite.port)
        assert setup.ledger.entries()[0].port == suite.port
        ready = servers.ready_seconds(suite.name)

    assert ready is not None and ready > 0
    assert servers.teardowns[suite.name] > 0
    assert is_free(suite.port)
    assert setup.ledger.entries() == ()
    assert (tmp_path / "pass" / suite.name / "server.log").is_file()


def test_suite_servers_record_a_server_that_does_not_start(setup: RunSetup, tmp_path: Path) -> None:
    suite = setup.selection.suites[0]
    broken = suite.server.__class__(
        **{**suite.server.__dict__, "command": ("{python}", "-c", "raise SystemExit(3)")}
    )
    suite = suite.__class__(**{**suite.__dict__, "server": broken})

    with suite_servers(
        setup, Recorder(setup), [suite], tmp_path / "pass", PassKind.ISOLATION
    ) as servers:
        assert servers.url(suite.name) is None

    assert "exited with code 3" in servers.errors[suite.name]


# --- judge -----------------------------------------------------------------------------------


def _outcome(**fields: object) -> PytestOutcome:
    base: dict[str, object] = {
        "exit_code": 0,
        "timed_out": False,
        "duration": 1.0,
        "junit": Path("junit.xml"),
        "log": Path("pytest.log"),
        "cases": (),
        "junit_error": "",
        "events": (),
        "running": "",
    }
    return PytestOutcome(**{**base, **fields})  # type: ignore[arg-type]


def _case(nodeid: str, status: TestStatus, suite: str = "s") -> JUnitCase:
    return JUnitCase(suite, TestOutcome(nodeid, status))


def _owns(nodeid: str) -> bool:
    return nodeid.startswith("t.py")


def test_judge_expected_missing_and_unexpected() -> None:
    run = _outcome(
        exit_code=1,
        cases=(_case("t.py::a", TestStatus.PASSED), _case("t.py::extra", TestStatus.PASSED)),
    )

    verdict = judge_suite(run, "s", _owns, ("t.py::a", "t.py::b"), only_suite=True)

    assert verdict.status is SuiteStatus.FAILED
    assert [(t.nodeid, t.status) for t in verdict.tests] == [
        ("t.py::a", TestStatus.PASSED),
        ("t.py::b", TestStatus.MISSING),
        ("t.py::extra", TestStatus.UNEXPECTED),
    ]


def test_judge_takes_only_the_suites_own_cases_in_a_shared_process() -> None:
    run = _outcome(
        cases=(_case("t.py::a", TestStatus.PASSED), _case("u.py::x", TestStatus.FAILED, "other"))
    )

    verdict = judge_suite(run, "s", _owns, ("t.py::a",), only_suite=False)

    assert (verdict.status, len(verdict.tests)) == (SuiteStatus.PASSED, 1)


@pytest.mark.parametrize(
    ("fields", "status", "reason"),
    [
        pytest.param(
            {"timed_out": True, "running": "t.py::a", "exit_code": None},
            SuiteStatus.TIMEOUT,
            "suite timeout",
            id="timeout",
        ),
        pytest.param(
            {"junit_error": "no JUnit XML", "exit_code": 2, "log_tail": ("boom",)},
            SuiteStatus.ERROR,
            "no JUnit XML; pytest exit code 2\nboom",
            id="no-junit",
        ),
        pytest.param(
            {"exit_code": 3, "cases": (_case("t.py::a", TestStatus.PASSED),)},
            SuiteStatus.ERROR,
            "pytest exited with 3 (internal error)",
            id="internal-error",
        ),
        pytest.param(
            {"exit_code": 1, "cases": (_case("t.py::a", TestStatus.PASSED),)},
            SuiteStatus.ERROR,
            "pytest exited with 1 although its JUnit report shows no failure",
            id="exit-1-all-passed",
        ),
    ],
)
def test_judge_never_passes_what_pytest_did_not_report(
    fields: dict[str, object], status: SuiteStatus, reason: str
) -> None:
    verdict = judge_suite(_outcome(**fields), "s", _owns, ("t.py::a",), only_suite=True)

    assert verdict.status is status
    assert verdict.reason.startswith(reason)


# --- record ----------------------------------------------------------------------------------


def test_recorder_writes_the_record_and_hands_the_final_judgement_to_writers(
    setup: RunSetup,
) -> None:
    seen: list[Judgement] = []
    recorder = Recorder(setup, [lambda judgement, reports: seen.append(judgement)])
    suite = setup.selection.suites[0]
    with recorder.pass_of(PassKind.ISOLATION):
        recorder.add(
            not_run(
                suite,
                PassKind.ISOLATION,
                status=SuiteStatus.BLOCKED,
                reason="port held",
                ports=(),
                started="2026-12-01T10:00:00+00:00",
                clock=0.0,
            )
        )
        on_disk = json.loads((setup.dir / "run.json").read_text())
        assert on_disk["passes"][0]["suites"][0]["status"] == "blocked"  # saved mid-pass

    record = recorder.finish(interrupted=False)

    assert record.exit_code == 1 and record.complete
    assert json.loads((setup.dir / "run.json").read_text())["exit_code"] == 1
    assert [j.record for j in seen] == [record]
    assert seen[0] == judge(record)


def test_recorder_crash_marks_the_record_partial(setup: RunSetup) -> None:
    record = Recorder(setup).finish(interrupted=False, crash="regress crashed: boom")

    assert (record.complete, record.exit_code) == (False, 1)
    assert "regress crashed: boom" in record.notes[-1]


# --- layering ---------------------------------------------------------------------------------


def test_imports_follow_the_layers_in_pyproject() -> None:
    """`lint-imports` (import-linter) keeps the one-way dependency rule of ARCHITECTURE.md."""
    done = subprocess.run(
        [str(Path(sys.executable).with_name("lint-imports"))],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr

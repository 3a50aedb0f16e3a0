"""Adopting regress in a project written before it: suites with only `ports`, expected
patterns and `all`, timeouts, causes, `regress list` escaping, inventory and init."""

from __future__ import annotations

import dataclasses
import re
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from regress.cli import app
from regress.errors import RegressError
from regress.judging.judge import judge
from regress.judging.junit import JUnitCase
from regress.judging.results import PassKind, SuiteStatus, TestOutcome, TestStatus
from regress.judging.suite import PytestOutcome, judge_suite, judged
from regress.manifest.load import load_manifest
from regress.manifest.model import ALL_TESTS, is_expected
from regress.proc import interpreter
from regress.proc.browsers_path import BROWSERS_ENV, system_browsers
from regress.proc.causes import call_site, innermost, known_cause, one_line
from regress.reporting.summary import render_summary
from tests.runner import records

WIDE = {"COLUMNS": "200"}

PORTS_ONLY = """\
plans:
  - phase: 12-click
    plan: "01"
    title: Click
    requirements: [C-01, C-02]
    suites: [one, two]
suites:
  one:
    requirement: C-01
    targets: [t/test_a.py]
    expected: ["test_x[chromium]", "test_y[chromium-100]"]
    ports: [5702]
  two:
    requirement: C-02
    targets: [t]
    expected: all
    ports: [5702, 5705]
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "test_a.py").write_text("def test_x():\n    pass\n")
    return tmp_path


def manifest_at(project: Path, text: str) -> Path:
    path = project / "suites.yaml"
    path.write_text(text)
    return path


# --- manifest: ports-only suites, patterns, `all` --------------------------------------------


def test_suites_with_only_ports_parse_and_may_share_a_port(project: Path) -> None:
    manifest = load_manifest(manifest_at(project, PORTS_ONLY))
    one, two = manifest.suite("one"), manifest.suite("two")
    assert one.server is None
    assert one.ports == (5702,)
    assert two.ports == (5702, 5705)
    assert two.expected == (ALL_TESTS,)
    assert two.min_tests == 1
    assert one.expected == ("t/test_a.py::test_x[chromium]", "t/test_a.py::test_y[chromium-100]")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        pytest.param(
            ("    ports: [5702]\n", "    port: 5702\n"),
            "without 'server' write 'ports: [N]'",
            id="port-without-server",
        ),
        pytest.param(
            ("    expected: all\n", "    expected: [all, test_x]\n"),
            "write 'expected: all' alone",
            id="all-in-a-list",
        ),
        pytest.param(
            ("    ports: [5702]\n", "    ports: [5702]\n    scope: test\n"),
            "'scope: test' starts a regress server per test",
            id="scope-test-without-server",
        ),
        pytest.param(
            ("    ports: [5702]\n", "    ports: [5702]\n    min_tests: 3\n"),
            "only with 'expected: all' or patterns",
            id="min-tests-with-listed-ids",
        ),
    ],
)
def test_bad_ports_only_suites_are_refused(
    project: Path, change: tuple[str, str], message: str
) -> None:
    path = manifest_at(project, PORTS_ONLY.replace(*change, 1))
    with pytest.raises(RegressError, match=re.escape(message)):
        load_manifest(path)


def test_a_server_port_used_by_another_suites_fixtures_is_refused(project: Path) -> None:
    text = (
        "servers:\n  web:\n    command: ['{python}', '-m', 'http.server', '{port}']\n"
        "    ready: {tcp: true}\n" + PORTS_ONLY
    ).replace("    ports: [5702]\n", "    server: web\n    port: 5705\n", 1)
    with pytest.raises(RegressError, match="port 5705 is the server port of suite 'one'"):
        load_manifest(manifest_at(project, text))


def test_brackets_in_expected_ids_are_literal_and_stars_match() -> None:
    assert is_expected("t.py::test_x[chromium-100]", ("t.py::test_x[chromium-100]",))
    assert not is_expected("t.py::test_x[c]", ("t.py::test_x[chromium]",))
    assert is_expected("t.py::test_x[chromium-1]", ("t.py::test_x[*]",))
    assert not is_expected("t.py::test_y[chromium-1]", ("t.py::test_x*",))


def _run(*cases: tuple[str, TestStatus]) -> PytestOutcome:
    return PytestOutcome(
        exit_code=0,
        timed_out=False,
        duration=1.0,
        junit=Path("junit.xml"),
        log=Path("pytest.log"),
        cases=tuple(JUnitCase("s", TestOutcome(n, status)) for n, status in cases),
        junit_error="",
        events=(),
        running="",
    )


def test_patterns_and_min_count_catch_a_disappeared_test() -> None:
    run = _run(("t.py::test_a[chromium]", TestStatus.PASSED))
    verdict = judge_suite(run, "s", lambda _: True, ("*",), only_suite=True, min_tests=2)
    assert verdict.status is SuiteStatus.FAILED
    missing = [t for t in verdict.tests if t.status is TestStatus.MISSING]
    assert [t.message for t in missing] == ["expected at least 2 tests, 1 collected"]

    none = judge_suite(run, "s", lambda _: True, ("t.py::test_b*",), only_suite=True)
    assert [(t.nodeid, t.status) for t in none.tests] == [
        ("t.py::test_b*", TestStatus.MISSING),
        ("t.py::test_a[chromium]", TestStatus.UNEXPECTED),
    ]

    enough = judge_suite(run, "s", lambda _: True, ("*",), only_suite=True, min_tests=1)
    assert enough.status is SuiteStatus.PASSED
    assert [t.nodeid for t in enough.tests] == ["t.py::test_a[chromium]"]


def test_a_server_taken_over_during_the_run_is_an_error(project: Path) -> None:
    suite = load_manifest(manifest_at(project, PORTS_ONLY)).suite("one")
    verdict = judge_suite(
        _run(("t/test_a.py::test_x[chromium]", TestStatus.PASSED)),
        "one",
        lambda _: True,
        ("t/test_a.py::test_x[chromium]",),
        only_suite=True,
    )
    result = judged(
        suite,
        PassKind.ISOLATION,
        verdict,
        started="",
        duration=1.0,
        exit_code=0,
        artifacts=(),
        ports=(),
        ready_seconds=None,
        teardown_seconds=None,
        takeover="port 5702 taken over",
    )
    assert result.status is SuiteStatus.ERROR
    assert result.reason == "port 5702 taken over"


# --- regress list escapes test ids -------------------------------------------------------------


WITH_SERVER = """\
servers:
  web:
    command: ["{python}", "-m", "http.server", "{port}"]
    ready: {tcp: true}
plans:
  - phase: 12-click
    plan: "01"
    title: "Click [beta]"
    requirements: [C-01]
    suites: [one]
suites:
  one:
    requirement: C-01
    targets: [t/test_a.py]
    expected: ["test_x[chromium]", "test_y[chromium-100]"]
    server: web
    port: 6601
"""


@pytest.mark.parametrize("text", [WITH_SERVER, PORTS_ONLY], ids=["server", "ports-only"])
def test_list_keeps_browser_ids_in_brackets(project: Path, text: str) -> None:
    path = manifest_at(project, text)
    result = CliRunner().invoke(app, ["list", "--manifest", str(path)], env=WIDE)
    assert result.exit_code == 0, result.output
    assert "test_x[chromium]" in result.output
    assert "test_y[chromium-100]" in result.output
    if text == PORTS_ONLY:
        assert "all (at least 1)" in result.output
    else:
        assert "Click [beta]" in result.output


def test_error_lines_keep_brackets(project: Path) -> None:
    text = PORTS_ONLY.replace('"test_y[chromium-100]"', '"test_x[chromium]"')
    path = manifest_at(project, text)
    result = CliRunner().invoke(app, ["list", "--manifest", str(path)], env=WIDE)
    assert result.exit_code == 2
    assert "'t/test_a.py::test_x[chromium]' is listed twice" in result.output


# --- causes ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "cause"),
    [
        pytest.param(
            "Traceback ...\nModuleNotFoundError: No module named 'eventlet'\n",
            "ModuleNotFoundError: No module named 'eventlet'",
            id="import",
        ),
        pytest.param(
            "/usr/bin/python: No module named tests.fixtures.gone\n",
            "ModuleNotFoundError: No module named tests.fixtures.gone",
            id="python-m",
        ),
        pytest.param(
            "TargetClosedError: BrowserType.launch: closed\n[pid=9][err] Missing X server or "
            "$DISPLAY\n",
            "Missing X server or $DISPLAY",
            id="display",
        ),
        pytest.param(
            "Error: BrowserType.launch: Executable doesn't exist at /x/chromium-1/chrome\n",
            "Executable doesn't exist at /x/chromium-1/chrome",
            id="browser",
        ),
        pytest.param("AssertionError: 1 != 2", "", id="none"),
    ],
)
def test_known_causes(text: str, cause: str) -> None:
    assert known_cause([text]) == cause


def test_the_innermost_exception_and_the_test_line_make_the_cause(tmp_path: Path) -> None:
    try:
        try:
            raise KeyError("player 2")
        except KeyError as exc:
            raise RuntimeError("game failed") from exc
    except RuntimeError as outer:
        error = outer
    assert isinstance(innermost(error), KeyError)
    test_file = tmp_path / "tests" / "test_x.py"
    frames = [(test_file, 12), (tmp_path / "tests" / "helpers.py", 40), (Path("/usr/x.py"), 1)]
    site = call_site(frames, test_file, tmp_path)
    assert site == "tests/test_x.py:12"
    assert one_line(error, [], site) == "KeyError: 'player 2' (tests/test_x.py:12)"


# --- environment for the project's own processes ----------------------------------------------


def test_the_interpreter_comes_first_on_path_once() -> None:
    head = str(Path(sys.executable).parent)
    env = interpreter.with_interpreter({"PATH": f"/usr/bin:{head}:/bin"})
    assert env["PATH"] == f"{head}:/usr/bin:/bin"


def test_browsers_folder_points_playwright_at_the_system_chromium(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    chromium = tmp_path / "chromium"
    chromium.write_text("#!/bin/sh\n")
    monkeypatch.setenv("REGRESS_CHROMIUM", str(chromium))
    env = {"HOME": str(tmp_path / "home")}
    made = system_browsers(tmp_path / "browsers", env)
    assert dict(made.env) == {BROWSERS_ENV: str(tmp_path / "browsers")}
    links = sorted((tmp_path / "browsers").glob("*/*/*"))
    assert [link.name for link in links] == ["chrome", "chrome-headless-shell"]
    assert all(link.resolve() == chromium.resolve() for link in links)
    assert len(list((tmp_path / "browsers").glob("*/INSTALLATION_COMPLETE"))) == 2

    mine = system_browsers(tmp_path / "other", {**env, BROWSERS_ENV: "/opt/pw"})
    assert mine.env == ()
    assert not (tmp_path / "other").exists()


# --- SUMMARY of a plan whose suite verifies another plan's requirement -------------------------


def test_accomplishments_list_another_plans_requirement_the_headline_names() -> None:
    first, second = records.PLANS
    plans = (dataclasses.replace(first, suites=(*first.suites, "data-comparison")), second)
    faults = {records.nodeid("data-comparison"): (TestStatus.FAILED, "AssertionError: differ")}
    results = {
        kind: tuple(records.suite_result(s.name, kind, faults) for s in records.SUITES)
        for kind in PassKind
    }
    text = render_summary(judge(records.make_record(results, plans=plans)), records.PLAN_01)

    assert "**9/10 regression tests pass in isolation and combined; REG-01 not satisfied" in text
    accomplishments = text.split("## Accomplishments")[1].split("##")[0]
    assert (
        "- **REG-01** (another plan's requirement) not satisfied: `data-comparison` 3/4 tests"
        in accomplishments
    )
    assert "- **NET-01** satisfied" in accomplishments

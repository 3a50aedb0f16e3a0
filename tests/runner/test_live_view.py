"""The live view of `regress run`: the test in flight, finished tests with durations, and what a
long wait waits for; as plain lines off a terminal (a real run of the fixture project)."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

import pytest
import yaml
from rich.console import Console
from typer.testing import CliRunner

from regress.cli import app
from regress.judging.results import PassKind
from regress.reporting.progress import LiveProgress
from tests.runner import records
from tests.runner.fixture_projects import copy_fixture_project

PASSING = (
    "checks/check_pass.py::test_server_answers",
    "checks/check_pass.py::test_params_reach_tests",
    "checks/check_pass.py::test_environment_is_inherited",
)
PER_TEST = "checks/check_per_test_server.py::test_fresh_server_answers"
DURATION = r"in \d+\.\ds"
Output = tuple[list[str], dict[str, int]]  # lines of the run, suite -> port


@pytest.fixture(scope="module")
def run_output(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Output]:
    """`regress run` of a suite-scoped and a test-scoped suite, both passes, output captured
    (not a terminal); with the manifest's ports."""
    root = copy_fixture_project(tmp_path_factory.mktemp("live"))
    result = CliRunner().invoke(
        app,
        [
            "run",
            *("--suite", "passing", "--suite", "pertest"),
            *("--manifest", str(root / "suites.yaml"), "--reports", str(root / "reports")),
        ],
        env={"COLUMNS": "80"},
    )
    assert result.exit_code == 0, result.output
    manifest = yaml.safe_load((root / "suites.yaml").read_text())
    ports = {name: suite["port"] for name, suite in manifest["suites"].items()}
    yield result.output.splitlines(), ports


def _index(lines: list[str], pattern: str) -> int:
    found = [i for i, line in enumerate(lines) if re.fullmatch(pattern, line)]
    assert len(found) == 1, (pattern, "\n".join(lines))
    return found[0]


@pytest.mark.parametrize("kind", ["isolation", "combined"])
def test_each_test_has_a_start_line_and_a_finish_line_with_its_duration(
    run_output: Output, kind: str
) -> None:
    lines, _ = run_output
    for suite, nodeid in [*(("passing", n) for n in PASSING), ("pertest", PER_TEST)]:
        # in the combined pass too, each line names the suite the test belongs to
        started = _index(lines, re.escape(f"{kind}: {suite} {nodeid} started"))
        finished = _index(lines, re.escape(f"{kind}: {suite} {nodeid} passed ") + DURATION)
        assert started < finished


def test_waits_say_what_they_wait_for(run_output: Output) -> None:
    lines, ports = run_output
    ready = f"waiting for http://127.0.0.1:{ports['passing']}/healthz (suite passing)"
    assert lines.count(ready) == 2  # the suite's server, in each pass
    assert lines.count("waiting for server 'tiny' of suite passing to stop") == 2
    # the pytest plugin's own per-test server (scope: test) reports its waits too
    per_test = f"waiting for http://127.0.0.1:{ports['pertest']}/healthz (suite pertest)"
    assert lines.count(per_test) == 2
    stop = f"waiting for server 'tiny' on port {ports['pertest']} to stop"
    assert lines.count(stop) == 2
    first = lines.index(f"isolation: pertest {PER_TEST} started")
    assert lines.index(per_test) > first  # started inside the test's setup
    assert lines.index(ready) < lines.index(f"isolation: passing {PASSING[0]} started")
    collecting = "waiting for pytest to start and collect the tests"
    assert lines.count(collecting) == 3  # each pytest process: two alone, one combined
    assert lines.index(collecting) < lines.index(f"isolation: passing {PASSING[0]} started")


# --- on a terminal -----------------------------------------------------------------------------

NODEID = "tests/e2e/test_latency_injection.py::test_active_input_with_latency[100]"


def test_the_live_line_names_the_test_in_flight_its_suite_and_the_wait() -> None:
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, color_system=None, width=250)
    with LiveProgress(console) as progress:
        assert progress.live
        progress.suite_started(PassKind.COMBINED, ("latency-injection", "focus-loss", "other"))
        progress.test_started(PassKind.COMBINED, "latency-injection", NODEID)
        progress.waiting("http://127.0.0.1:5702/healthz (suite focus-loss)")
    shown = out.getvalue()
    assert re.search(
        r"combined 3 suites · \d+\.\ds · latency-injection "
        + re.escape(NODEID)  # brackets shown as they are, not read as markup
        + r" \d+\.\ds · waiting for http://127\.0\.0\.1:5702/healthz \(suite focus-loss\) "
        r"\(\d+\.\ds\) · 0 done",
        shown,
    ), shown


def test_between_two_suites_the_live_line_says_so() -> None:
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, color_system=None, width=250)
    with LiveProgress(console) as progress:
        progress.suite_started(PassKind.ISOLATION, ("latency-injection",))
        progress.suite_finished(records.suite_result("latency-injection", PassKind.ISOLATION))
        progress.waiting("http://127.0.0.1:5702/healthz (suite focus-loss)")
    shown = out.getvalue()
    assert re.search(r"isolation between suites · \d+\.\ds · waiting for http://", shown), shown
    assert "no suites" not in shown


def test_finished_tests_are_printed_with_their_duration_above_the_live_line() -> None:
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, color_system=None, width=250)
    with LiveProgress(console) as progress:
        progress.suite_started(PassKind.ISOLATION, ("latency-injection",))
        progress.test_started(PassKind.ISOLATION, "latency-injection", NODEID)
        progress.test_finished(PassKind.ISOLATION, "latency-injection", NODEID, "failed", 12.34)
    shown = out.getvalue()
    assert f"isolation: latency-injection {NODEID} failed in 12s" in shown
    assert "isolation: started" not in shown  # start lines are for logs only
    assert f"{NODEID} 0." not in shown.split("failed in 12s")[-1]  # no longer in flight


def test_off_a_terminal_waits_and_starts_are_plain_lines() -> None:
    out = io.StringIO()
    console = Console(file=out, force_terminal=False, width=40)
    with LiveProgress(console) as progress:
        progress.waiting("port 5702 to be free (suite [bold]x)")
        progress.waited("port 5702 to be free (suite [bold]x)", 7.5)
        progress.test_started(PassKind.ISOLATION, "s", NODEID)
        progress.test_finished(PassKind.ISOLATION, "s", NODEID, "passed", 0.25)
    assert out.getvalue().splitlines() == [
        "waiting for port 5702 to be free (suite [bold]x)",
        "waited 7.5s for port 5702 to be free (suite [bold]x)",
        f"isolation: s {NODEID} started",
        f"isolation: s {NODEID} passed in 0.2s",
    ]


def test_a_short_wait_gets_no_second_line() -> None:
    out = io.StringIO()
    with LiveProgress(Console(file=out, force_terminal=False, width=40)) as progress:
        progress.waiting("tcp 127.0.0.1:5702 (suite s)")
        progress.waited("tcp 127.0.0.1:5702 (suite s)", 4.9)
    assert out.getvalue().splitlines() == ["waiting for tcp 127.0.0.1:5702 (suite s)"]

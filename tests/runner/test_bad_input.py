"""Bad input ends as one line naming file, line and key (or path), exit 2, no traceback, and is
caught before the first suite starts; a suite whose server cannot start does not stop the run."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from regress.cli import app
from regress.judging.history import load_record
from regress.judging.results import SuiteStatus
from regress.proc.ports import free_port
from tests.runner.fixture_projects import copy_fixture_project


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_fixture_project(tmp_path)


def manifest_of(project: Path) -> dict[str, object]:
    data = yaml.safe_load((project / "suites.yaml").read_text())
    assert isinstance(data, dict)
    return data


def run(project: Path, *args: str, reports: Path | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(
        app,
        [
            "run",
            "--suite",
            "passing",
            "--no-combined",
            "--manifest",
            str(project / "suites.yaml"),
            "--reports",
            str(reports or project / "reports"),
            *args,
        ],
        env={"COLUMNS": "300"},
    )
    return result.exit_code, result.output


def assert_one_line_refusal(project: Path, code: int, output: str, pattern: str) -> None:
    lines = [line for line in output.splitlines() if line.strip()]
    assert code == 2, output
    assert len(lines) == 1, output
    assert "Traceback" not in output
    assert re.search(pattern, lines[0]), lines[0]
    runs = list((project / "reports").glob("2*"))
    assert runs == [], f"a run started: {runs}"  # refused before the first suite


def _edit(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


SERVER = '    command: ["{python}", "server.py", "--port", "{port}"]\n'
READY = '    ready: {http: "http://127.0.0.1:{port}/healthz", timeout: 20}\n'
GRACE = "    grace: 2\n"

NUMBERS = [
    pytest.param(key, value, id=f"{key.split(':')[0]}-{label}")
    for key in ("timeout: ", "test_timeout: ", "ready-timeout", "grace")
    for value, label in ((".nan", "nan"), (".inf", "inf"), ("-5", "negative"), ("0", "zero"))
]


@pytest.mark.parametrize(("key", "value"), NUMBERS)
def test_numbers_must_be_finite_and_positive(project: Path, key: str, value: str) -> None:
    path = project / "suites.yaml"
    text = path.read_text()
    if key == "ready-timeout":
        text = _edit(text, "timeout: 20}", f"timeout: {value}}}")
        where = r"server 'tiny'.ready.timeout"
    elif key == "grace":
        text = _edit(text, "grace: 2", f"grace: {value}")
        where = r"server 'tiny'.grace"
    else:
        port = next(line for line in text.splitlines() if line.startswith("    port: "))
        text = _edit(text, port + "\n", f"{port}\n    {key}{value}\n")
        where = rf"suite 'passing'.{key.rstrip(': ')}"
    path.write_text(text)

    code, output = run(project)

    assert_one_line_refusal(project, code, output, rf"suites.yaml:\d+: {where}: must be ")


BILLION_LAUGHS = 'lol: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{n}: &{n} [{','.join(['*' + p] * 9)}]\n" for p, n in zip("abcdefgh", "bcdefghi", strict=True)
)

YAML_CASES = [
    pytest.param(BILLION_LAUGHS, r"aliases repeat values [\d,]+ times", id="billion-laughs"),
    pytest.param("a: &x [1, *x]\n", r":1: recursive YAML alias", id="recursive-alias"),
    pytest.param("servers: !foo {}\n", r":1: unknown YAML tag '!foo'", id="unknown-tag-mapping"),
    pytest.param("version: !foo 1\n", r":1: unknown YAML tag '!foo'", id="unknown-tag-scalar"),
    pytest.param("a: " + "[" * 5000 + "]" * 5000 + "\n", r"nested more than 100", id="deep"),
]


@pytest.mark.parametrize(("text", "pattern"), YAML_CASES)
def test_hostile_yaml_is_refused_quickly(project: Path, text: str, pattern: str) -> None:
    (project / "suites.yaml").write_text(text)
    started = time.monotonic()

    code, output = run(project)

    assert time.monotonic() - started < 5
    assert_one_line_refusal(project, code, output, pattern)


def test_yaml_aliases_within_the_budget_are_fine(project: Path) -> None:
    path = project / "suites.yaml"
    text = _edit(
        path.read_text(),
        SERVER,
        '    command: &cmd ["{python}", "server.py", "--port", "{port}"]\n',
    )
    text = _edit(
        text, "  daemonising:\n", "  tiny_again:\n    command: *cmd\n" + READY + "  daemonising:\n"
    )
    path.write_text(text)

    code, output = run(project)

    assert code == 0, output


SERVER_CASES = [
    pytest.param(
        SERVER, SERVER.replace("{port}", "{prot}"), r"unknown placeholder '\{prot\}'", id="typo"
    ),
    pytest.param(
        SERVER, SERVER.replace('"{port}"', '"{port"'), r"'\{port': .*expected '\}'", id="unclosed"
    ),
    pytest.param(
        SERVER,
        SERVER.replace("{port}", "{port:>6}"),
        r"unknown placeholder '\{port\}'",
        id="format-spec",
    ),
    pytest.param(
        READY,
        READY.replace("{port}", "{prot}"),
        r"ready.http: unknown placeholder '\{prot\}'",
        id="url-typo",
    ),
    pytest.param(
        READY, READY.replace("http://", "https://"), r"ready.http: .*plain HTTP", id="https"
    ),
    pytest.param(
        SERVER,
        SERVER.replace('"{python}"', '"no-such-server-program"'),
        r"program 'no-such-server-program' not found",
        id="program",
    ),
    pytest.param(
        SERVER,
        SERVER.replace('"{python}"', '"./missing.sh"'),
        r"program './missing.sh' not found",
        id="program-path",
    ),
]


@pytest.mark.parametrize(("old", "new", "pattern"), SERVER_CASES)
def test_server_definitions_are_checked_up_front(
    project: Path, old: str, new: str, pattern: str
) -> None:
    path = project / "suites.yaml"
    path.write_text(_edit(path.read_text(), old, new))

    code, output = run(project)

    assert_one_line_refusal(project, code, output, rf"suites.yaml:\d+: server 'tiny'.*{pattern}")


def small_manifest(project: Path, suites: dict[str, str], plan: str = '"01"') -> Path:
    """A manifest of the fixture project with these suites (name -> server), on free ports."""
    body = "".join(
        f"""  {name}:
    requirement: FIX-01
    targets: ["checks/check_pass.py::test_server_answers"]
    expected: ["checks/check_pass.py::test_server_answers"]
    server: {server}
    port: {free_port()}
"""
        for name, server in suites.items()
    )
    script = project / "not_executable.sh"
    script.write_text("#!/bin/sh\nexit 0\n")
    script.chmod(0o644)  # exists (the manifest check passes) but cannot be executed
    path = project / "small.yaml"
    path.write_text(
        f"""servers:
  tiny:
{SERVER}{READY}  broken:
    command: ["./not_executable.sh", "{{port}}"]
{READY}plans:
  - phase: 90-fixture-checks
    plan: {plan}
    title: Fixture checks
    requirements: [FIX-01]
    suites: [{", ".join(suites)}]
suites:
{body}"""
    )
    return path


NAME_CASES = [
    pytest.param(
        {"pytest.log": "tiny"}, '"01"', r"'pytest.log' is the name of a file", id="pytest-log"
    ),
    pytest.param({"junit.xml": "tiny"}, '"01"', r"'junit.xml' is the name of a file", id="junit"),
    pytest.param({"context.json": "tiny"}, '"01"', r"'context.json' is the name", id="context"),
    pytest.param({"a..b": "tiny"}, '"01"', r"no '\.\.'", id="suite-dotdot"),
    pytest.param({"passing": "tiny"}, '"01/x"', r"plan: '01/x' does not match", id="plan-slash"),
    pytest.param({"passing": "tiny"}, '"0..1"', r"plan: '0..1' may not contain", id="plan-dotdot"),
]


@pytest.mark.parametrize(("suites", "plan", "pattern"), NAME_CASES)
def test_names_that_would_escape_or_collide_are_refused(
    project: Path, suites: dict[str, str], plan: str, pattern: str
) -> None:
    path = small_manifest(project, suites, plan)

    result = CliRunner().invoke(
        app, ["run", "--manifest", str(path), "--reports", str(project / "reports")]
    )

    assert_one_line_refusal(project, result.exit_code, result.output, pattern)


def test_a_server_that_cannot_be_started_is_that_suites_error_and_the_run_goes_on(
    project: Path,
) -> None:
    path = small_manifest(project, {"bad": "broken", "good": "tiny"})

    result = CliRunner().invoke(
        app,
        ["run", "--no-combined", "--manifest", str(path), "--reports", str(project / "reports")],
        env={"COLUMNS": "300"},
    )

    assert result.exit_code == 1, result.output
    record = load_record(project / "reports")
    statuses = {s.suite: s.status for s in record.passes[0].suites}
    assert statuses == {"bad": SuiteStatus.ERROR, "good": SuiteStatus.PASSED}
    assert "cannot start './not_executable.sh'" in record.passes[0].suites[0].reason
    assert record.exit_code == result.exit_code  # the record says what the process said


REPORTS_CASES = [
    pytest.param("file", r"reports is a file, not a folder", id="reports-is-a-file"),
    pytest.param("dot-regress-file", r"\.regress is a file, not a folder", id="dot-regress-file"),
    pytest.param("ledger-dir", r"ledger\.json is a folder, not a file", id="ledger-is-a-folder"),
    pytest.param("lock-dir", r"run\.lock is a folder, not a file", id="lock-is-a-folder"),
]


@pytest.mark.parametrize(("shape", "pattern"), REPORTS_CASES)
def test_an_unusable_reports_folder_is_one_line(project: Path, shape: str, pattern: str) -> None:
    reports = project / "reports"
    if shape == "file":
        reports.write_text("not a folder")
    elif shape == "dot-regress-file":
        reports.mkdir()
        (reports / ".regress").write_text("")
    else:
        name = "ledger.json" if shape == "ledger-dir" else "run.lock"
        (reports / ".regress" / name).mkdir(parents=True)

    code, output = run(project)

    lines = [line for line in output.splitlines() if line.strip()]
    assert code == 2 and len(lines) == 1, output
    assert re.search(pattern, lines[0]) and "--reports DIR" in lines[0], lines[0]


def test_a_reports_folder_that_cannot_be_written_is_one_line(project: Path) -> None:
    code, output = run(project, reports=Path("/sys/regress-reports"))

    lines = [line for line in output.splitlines() if line.strip()]
    assert code == 2 and len(lines) == 1, output
    assert "/sys/regress-reports" in lines[0] and "cannot write the reports folder" in lines[0]

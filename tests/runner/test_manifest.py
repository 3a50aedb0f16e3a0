"""Manifest loading: a valid file parses; every bad one gives one line naming file, line, key."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from regress.cli import app
from regress.errors import RegressError
from regress.manifest.load import load_manifest
from regress.manifest.model import ReadyKind, Scope
from regress.manifest.select import parse_param, select

VALID = """\
servers:
  web:
    command: ["{python}", "-m", "http.server", "{port}"]
    port: 7001
    ready: {http: "http://127.0.0.1:{port}/", timeout: 5}
plans:
  - phase: 73-network-regression-validation
    plan: "02"
    title: Network regression
    requirements: [REG-01, REG-02]
    suites: [alpha, beta]
  - phase: 73-production-bug-fixes
    plan: 2
    title: Bug fixes
    requirements: [PROD-01]
    suites: [gamma, alpha]
suites:
  alpha:
    requirement: REG-01
    targets: [t/test_a.py]
    expected: [test_one, "t/test_a.py::test_two[100]"]
    server: web
    params: {stagger: 0.5}
  beta:
    requirement: REG-02
    targets: [t/test_b.py]
    expected: [test_b]
    server: web
    port: 7002
    scope: test
  gamma:
    requirement: PROD-01
    targets: [t/test_c.py]
    expected: [test_c]
    server: web
    port: 7003
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "t").mkdir()
    for name in ("test_a.py", "test_b.py", "test_c.py"):
        (tmp_path / "t" / name).write_text("def test_x():\n    pass\n")
    return tmp_path


def write(project: Path, text: str) -> Path:
    path = project / "suites.yaml"
    path.write_text(text)
    return path


def test_valid_manifest_parses(project: Path) -> None:
    manifest = load_manifest(write(project, VALID))
    alpha = manifest.suite("alpha")
    assert alpha.port == 7001  # inherited from the server
    assert alpha.expected == ("t/test_a.py::test_one", "t/test_a.py::test_two[100]")
    assert alpha.param_dict == {"stagger": "0.5"}
    assert manifest.suite("beta").scope is Scope.TEST
    assert manifest.servers[0].ready.kind is ReadyKind.HTTP
    assert [p.key for p in manifest.plans] == [
        "73-network-regression-validation/02",
        "73-production-bug-fixes/02",
    ]
    assert [p.title for p in manifest.plans_of(alpha)] == ["Network regression", "Bug fixes"]


def test_phase_number_selects_every_plan_of_the_phase(project: Path) -> None:
    manifest = load_manifest(write(project, VALID))
    assert [s.name for s in select(manifest, phases=("73",)).suites] == ["alpha", "beta", "gamma"]
    by_slug = select(manifest, phases=("73-production-bug-fixes",))
    assert [s.name for s in by_slug.suites] == ["alpha", "gamma"]
    one = select(manifest, suites=("beta",))
    assert [p.key for p in one.plans] == ["73-network-regression-validation/02"]


def test_param_override_applies_only_where_declared(project: Path) -> None:
    manifest = load_manifest(write(project, VALID))
    chosen = select(manifest, params=(("stagger", "1.5"),))
    assert chosen.suites[0].param_dict == {"stagger": "1.5"}
    assert chosen.suites[1].param_dict == {}


BAD = [
    pytest.param(
        VALID.replace("  alpha:\n    requirement", "  alpha:\n    requirment", 1),
        r"suites.yaml:\d+: suite 'alpha': unknown key 'requirment' "
        r"\(did you mean 'requirement'\?\)",
        id="unknown-key",
    ),
    pytest.param(
        VALID.replace("    targets: [t/test_b.py]", "    targets: [t/test_b.py]\n    tragets: x"),
        r"suites.yaml:\d+: suite 'beta': unknown key 'tragets' \(did you mean 'targets'\?\)",
        id="unknown-key-typo",
    ),
    pytest.param(
        VALID.replace("port: 7002", "port: seven"),
        r"suites.yaml:\d+: suite 'beta'.port: expected an integer, got a string",
        id="wrong-type-port",
    ),
    pytest.param(
        VALID.replace("port: 7002", "port: 70000"),
        r"suite 'beta'.port: port 70000 is out of range",
        id="port-range",
    ),
    pytest.param(
        VALID.replace("port: 7002", "port: 7003"),
        r"suites.yaml:\d+: suite 'gamma'.port: port 7003 is also used by suite 'beta'",
        id="two-suites-one-port",
    ),
    pytest.param(
        VALID.replace("server: web\n    port: 7003", "server: db\n    port: 7003"),
        r"suites.yaml:\d+: suite 'gamma'.server: no server named 'db' \(defined: web\)",
        id="dangling-server",
    ),
    pytest.param(
        VALID.replace("suites: [gamma, alpha]", "suites: [gamma, delta]"),
        r"suites.yaml:\d+: plans\[1\].suites: no suite named 'delta'",
        id="dangling-suite",
    ),
    pytest.param(
        VALID.replace("  beta:\n", "  alpha:\n", 1),
        r"suites.yaml:\d+: duplicate key 'alpha' \(first on line \d+\)",
        id="duplicate-suite",
    ),
    pytest.param(
        VALID.replace("targets: [t/test_c.py]", "targets: [t/nope.py]"),
        r"suite 'gamma'.targets: 't/nope.py' does not exist",
        id="missing-target",
    ),
    pytest.param(
        VALID.replace("expected: [test_c]", "expected: [t/test_a.py::test_c]"),
        r"suite 'gamma'.expected: 't/test_a.py::test_c' is not under the suite's targets",
        id="expected-outside-targets",
    ),
    pytest.param(
        VALID.replace("scope: test", "scope: module"),
        r"suite 'beta'.scope: expected 'suite' or 'test'",
        id="bad-scope",
    ),
    pytest.param(
        VALID.replace("timeout: 5", "timeout: -1"),
        r"server 'web'.ready.timeout: must be greater than 0",
        id="negative-timeout",
    ),
    pytest.param(
        VALID.replace('"{port}"]', '"{prot}"]'),
        r"server 'web'.command: unknown placeholder '\{prot\}'",
        id="bad-placeholder",
    ),
    pytest.param(
        VALID.replace('ready: {http: "http://127.0.0.1:{port}/", timeout: 5}', "ready: {}"),
        r"server 'web'.ready: give exactly one of",
        id="no-readiness",
    ),
    pytest.param(
        VALID.replace("requirements: [PROD-01]", "requirements: [PROD-09]"),
        r"plans\[1\].requirements: no suite of this plan verifies PROD-09",
        id="requirement-without-suite",
    ),
    pytest.param(
        VALID.replace("    requirement: PROD-01\n", ""),
        r"suites.yaml:\d+: suite 'gamma': missing required key 'requirement'",
        id="missing-key",
    ),
    pytest.param("servers: [unclosed\n", r"suites.yaml:2: YAML syntax error", id="yaml-syntax"),
    pytest.param("", r"suites.yaml: the manifest is empty", id="empty"),
    pytest.param(
        "- just\n- a list\n",
        r"suites.yaml:1: top level: expected a mapping, got a list",
        id="not-a-mapping",
    ),
    pytest.param(
        VALID + "extra: 1\n",
        r"suites.yaml:\d+: top level: unknown key 'extra'",
        id="unknown-top-level",
    ),
]


@pytest.mark.parametrize(("text", "message"), BAD)
def test_bad_manifest_gives_one_clear_line(project: Path, text: str, message: str) -> None:
    path = write(project, text)
    with pytest.raises(RegressError) as caught:
        load_manifest(path)
    assert caught.value.exit_code == 2
    assert "\n" not in caught.value.message
    assert caught.value.message.startswith(str(path))
    assert re.search(message, caught.value.message), caught.value.message


SELECTION_ERRORS = [
    pytest.param(
        {"phases": ("74",)}, "--phase 74: no plan has that phase number or slug", id="phase"
    ),
    pytest.param({"suites": ("alhpa",)}, "--suite alhpa: no such suite in", id="suite"),
    pytest.param(
        {"params": (("speed", "2"),)},
        "--param speed: no selected suite has that parameter",
        id="param",
    ),
]


@pytest.mark.parametrize(("kwargs", "message"), SELECTION_ERRORS)
def test_bad_selection(project: Path, kwargs: dict[str, tuple[str, ...]], message: str) -> None:
    manifest = load_manifest(write(project, VALID))
    with pytest.raises(RegressError, match=message.replace("(", r"\(")):
        select(manifest, **kwargs)  # type: ignore[arg-type]


def test_parse_param() -> None:
    assert parse_param("stagger=0.5") == ("stagger", "0.5")
    with pytest.raises(RegressError, match="expected NAME=VALUE"):
        parse_param("stagger")


def test_cli_reports_manifest_error_without_traceback(project: Path) -> None:
    path = write(project, VALID.replace("port: 7002", "port: seven"))
    result = CliRunner().invoke(app, ["list", "--manifest", str(path)])
    assert result.exit_code == 2
    assert "expected an integer" in result.output
    assert "Traceback" not in result.output


def test_cli_debug_shows_traceback(project: Path) -> None:
    path = write(project, VALID.replace("port: 7002", "port: seven"))
    result = CliRunner().invoke(app, ["list", "--manifest", str(path), "--debug"])
    assert result.exit_code == 2
    assert "Traceback" in result.output


def test_cli_missing_manifest(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["list", "--manifest", str(tmp_path / "none.yaml")])
    assert result.exit_code == 2
    assert "manifest not found" in result.output


def test_list_shows_plans_suites_and_tests(project: Path) -> None:
    path = write(project, VALID)
    result = CliRunner().invoke(app, ["list", "--manifest", str(path), "--phase", "73"])
    assert result.exit_code == 0, result.output
    for text in ("73-network-regression-validation", "REG-01", "alpha", "test_two[100]", "7003"):
        assert text in result.output

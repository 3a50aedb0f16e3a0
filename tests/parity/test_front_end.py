"""`regress parity`'s two front ends: the Typer-free parser `regress.entry` uses first, and the
Typer command it falls back to. Same argv, same output and exit code; what the parser does not
take exactly is Typer's to answer."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer.main

from regress.cli import app
from regress.commands.parity import ParityArgs, parse
from tests.parity.conftest import HEADER, WriteCsv, game_rows
from tests.runner.fixture_projects import copy_fixture_project

ROOT = Path(__file__).resolve().parents[2]
FRONT_ENDS = {
    "entry": "from regress.entry import main; main()",  # the console script and python -m
    "typer": "from regress.cli import main; main()",
}


def test_the_parser_reads_what_the_typer_command_declares() -> None:
    command = typer.main.get_command(app).commands["parity"]  # type: ignore[attr-defined]
    params = {param.name: param for param in command.params}
    options = {opt for param in command.params for opt in param.opts if opt.startswith("-")}

    assert list(params) == list(ParityArgs._fields)
    for name, default in ParityArgs._field_defaults.items():
        assert params[name].default == default, name
    flags = {"--json", "--debug"}
    valued = {"--exclude", "--row-tolerance", "--manifest", "-m"}
    assert options == flags | valued
    for option in flags:
        assert parse(["a", "b", option]) is not None, option
    for option in valued:
        assert parse(["a", "b", option, "1"]) is not None, option


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["a", "b"], ParityArgs((Path("a"), Path("b")))),
        (
            ["--json", "a", "--exclude", "x", "--exclude=y", "b", "--row-tolerance=3"],
            ParityArgs((Path("a"), Path("b")), ("x", "y"), 3, as_json=True),
        ),
        (
            ["-m", "m.yaml", "--manifest", "n.yaml", "--debug", "dir"],
            ParityArgs((Path("dir"),), manifest=Path("n.yaml"), debug=True),
        ),
        (["--", "--json", "-x"], ParityArgs((Path("--json"), Path("-x")))),
        (["--exclude=", "a", "b"], ParityArgs((Path("a"), Path("b")), ("",))),
    ],
)
def test_parse_takes_what_it_understands(argv: list[str], expected: ParityArgs) -> None:
    assert parse(argv) == expected


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["--help"],
        ["a", "b", "--bogus"],
        ["a", "b", "-h"],
        ["a", "b", "--json=yes"],
        ["a", "b", "-m=x.yaml"],
        ["a", "b", "-mx.yaml"],
        ["a", "b", "--exclude"],
        ["a", "b", "--exclude", "--json"],
        ["a", "b", "--row-tolerance", "-1"],
        ["a", "b", "--row-tolerance", "+1"],
        ["a", "b", "--row-tolerance", "²"],
        ["a", "b", "--manifest", ""],
        ["a", "b", "--manifest", "."],
        ["-", "b"],
    ],
)
def test_parse_leaves_the_rest_to_typer(argv: list[str]) -> None:
    assert parse(argv) is None


@pytest.fixture
def inputs(write_csv: WriteCsv, tmp_path: Path) -> Path:
    """A folder with an identical pair, a divergent one, a data folder and a manifest."""
    write_csv("a.csv", game_rows(9))
    write_csv("b.csv", game_rows(9, clock=4))
    rows = game_rows(8)
    rows[3][HEADER.index("score")] = "999"
    rows[5][HEADER.index("p0.x")] = "-1"
    write_csv("c.csv", rows)
    write_csv("data/s1_ep0.csv", game_rows(5))
    write_csv("data/s2_ep0.csv", rows[:5])
    project = copy_fixture_project(tmp_path / "project")
    with (project / "suites.yaml").open("a") as manifest:
        manifest.write("parity:\n  exclude: [timestamp, score]\n")
    return tmp_path


CASES = [
    ["a.csv", "b.csv"],
    ["a.csv", "c.csv"],
    ["a.csv", "c.csv", "--json"],
    ["a.csv", "c.csv", "--exclude", "score", "--exclude=p0.x", "--exclude", "timestamp"],
    ["--row-tolerance", "1", "a.csv", "c.csv", "--json"],
    ["--json", "--", "a.csv", "c.csv"],
    ["data"],
    ["data", "--json"],
    ["a.csv", "c.csv", "-m", "project/suites.yaml"],
    ["a.csv", "c.csv", "--manifest=project/suites.yaml", "--json"],
    ["a.csv", "missing.csv"],
    ["a.csv"],
    ["a.csv", "c.csv", "-m", "project/none.yaml"],
    # left to Typer by the parser: the same answer either way
    ["a.csv", "c.csv", "--row-tolerance", "-1"],
    ["a.csv", "c.csv", "--bogus"],
    ["--help"],
]


@pytest.mark.parametrize("argv", CASES, ids=[" ".join(case) or "none" for case in CASES])
def test_both_front_ends_print_the_same(inputs: Path, argv: list[str]) -> None:
    done = {
        name: subprocess.run(
            [sys.executable, "-c", code, "parity", *argv],
            cwd=inputs,
            env={**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        for name, code in FRONT_ENDS.items()
    }
    entry, typer_run = done["entry"], done["typer"]

    assert (entry.returncode, entry.stdout, entry.stderr) == (
        typer_run.returncode,
        typer_run.stdout,
        typer_run.stderr,
    )
    assert entry.returncode in {0, 1, 2}
    assert entry.stdout or entry.stderr
    assert "Traceback" not in entry.stderr

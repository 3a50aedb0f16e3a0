"""`regress parity` through the CLI: exit codes 0 identical, 1 divergent, 2 unusable input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from regress.cli import app
from tests.parity.conftest import HEADER, WriteCsv, game_rows
from tests.runner.fixture_projects import copy_fixture_project

runner = CliRunner()


def test_identical_pair_exits_0(write_csv: WriteCsv) -> None:
    a, b = write_csv("a.csv", game_rows(9)), write_csv("b.csv", game_rows(9, clock=4))

    result = runner.invoke(app, ["parity", str(a), str(b)])

    assert result.exit_code == 0, result.output
    assert result.output.startswith("IDENTICAL")


def test_divergent_pair_exits_1_and_json_names_the_cell(write_csv: WriteCsv) -> None:
    rows = game_rows(9)
    a = write_csv("a.csv", rows)
    rows[6][HEADER.index("stateHash")] = "deadbeef"
    b = write_csv("b.csv", rows)

    result = runner.invoke(app, ["parity", str(a), str(b), "--json", "--row-tolerance", "1"])

    assert result.exit_code == 1, result.output
    expected = game_rows(9)[6][HEADER.index("stateHash")]
    examples = json.loads(result.output)["divergent"]["stateHash"]["examples"]
    assert examples == [{"row": 6, "a": expected, "b": "deadbeef"}]


def test_exclude_option_replaces_the_defaults(write_csv: WriteCsv) -> None:
    a, b = write_csv("a.csv", game_rows(9)), write_csv("b.csv", game_rows(9, clock=4))

    result = runner.invoke(app, ["parity", str(a), str(b), "--exclude", "score", "--json"])

    assert result.exit_code == 1, result.output
    assert list(json.loads(result.output)["divergent"]) == ["timestamp"]


def test_unusable_input_exits_2_with_one_line(write_csv: WriteCsv, tmp_path: Path) -> None:
    a = write_csv("a.csv", game_rows(2))

    result = runner.invoke(app, ["parity", str(a), str(tmp_path / "gone.csv")])

    assert result.exit_code == 2
    assert "gone.csv: no such file; check the path of the CSV export" in result.output
    assert "Traceback" not in result.output


def test_data_directory_argument(write_csv: WriteCsv, tmp_path: Path) -> None:
    write_csv("data/exp/scene/s1_ep0.csv", game_rows(5))
    write_csv("data/exp/scene/s2_ep0.csv", game_rows(5, clock=1))

    result = runner.invoke(app, ["parity", str(tmp_path / "data"), "--json"])

    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["total"] == {"pairs": 1, "divergent_pairs": 0, "problems": 0}


# --- the manifest's parity.exclude (--manifest/-m, or ./suites.yaml) -----------------------


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The fixture project, its manifest ignoring score as well as the timestamp."""
    root = copy_fixture_project(tmp_path)
    with (root / "suites.yaml").open("a") as manifest:
        manifest.write("parity:\n  exclude: [timestamp, score]\n")
    return root


def test_manifest_option_reads_parity_exclude(write_csv: WriteCsv, project: Path) -> None:
    rows = game_rows(9)
    a = write_csv("a.csv", rows)
    rows[3][HEADER.index("score")] = "999"
    b = write_csv("b.csv", rows)
    manifest = str(project / "suites.yaml")

    plain = runner.invoke(app, ["parity", str(a), str(b), "--json"])
    assert plain.exit_code == 1, plain.output  # the defaults compare score
    for option in ("--manifest", "-m"):
        result = runner.invoke(app, ["parity", str(a), str(b), option, manifest, "--json"])
        assert result.exit_code == 0, result.output
        assert json.loads(result.output)["columns"]["excluded"] == ["timestamp", "score"]
    given = runner.invoke(app, ["parity", str(a), str(b), "-m", manifest, "--exclude", "x"])
    assert given.exit_code == 1, given.output  # --exclude replaces the manifest's list


def test_suites_yaml_in_the_current_folder_applies(
    write_csv: WriteCsv, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = game_rows(9)
    a = write_csv("a.csv", rows)
    rows[3][HEADER.index("score")] = "999"
    b = write_csv("b.csv", rows)
    monkeypatch.chdir(project)

    result = runner.invoke(app, ["parity", str(a), str(b)])

    assert result.exit_code == 0, result.output


def test_unreadable_manifest_exits_2_with_one_line(write_csv: WriteCsv, tmp_path: Path) -> None:
    a = write_csv("a.csv", game_rows(2))

    result = runner.invoke(app, ["parity", str(a), str(a), "-m", str(tmp_path / "none.yaml")])

    assert result.exit_code == 2, result.output
    assert result.output.count("\n") == 1 and "none.yaml" in result.output, result.output

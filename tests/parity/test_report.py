"""Rendering (plain text, JSON) of regress parity, and `output`, what the command prints."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from regress.commands.parity import ParityArgs, output
from regress.errors import RegressError
from regress.parity import compare
from regress.parity.pairing import compare_dir
from regress.parity.report import render_dir_report, render_report, to_json
from tests.parity.conftest import HEADER, WriteCsv, game_rows

SCORE = HEADER.index("score")


@pytest.fixture
def divergent_pair(write_csv: WriteCsv) -> tuple[Path, Path]:
    """Two exports that differ in one score cell and one column name."""
    rows = game_rows(30)
    a = write_csv("a.csv", rows)
    rows[17][SCORE] = "[bold]999[/bold]"
    b = write_csv("b.csv", rows, [name.replace("p0.x", "p1.x") for name in HEADER])
    return a, b


def test_render_report_shows_verdict_reasons_and_examples(
    divergent_pair: tuple[Path, Path],
) -> None:
    text = render_report(compare(*divergent_pair))

    assert "DIVERGENT" in text
    assert "- 1 divergent cells in 1 columns" in text
    assert "row 17: '340' | '[bold]999[/bold]'" in text  # cell text is never markup
    assert "only in a  p0.x" in text


def test_render_report_of_identical_files_has_no_divergence_table(write_csv: WriteCsv) -> None:
    a, b = write_csv("a.csv", game_rows(3)), write_csv("b.csv", game_rows(3, clock=2))

    text = render_report(compare(a, b))

    assert text.startswith("IDENTICAL")
    assert "Divergent columns" not in text


def test_render_report_lines_up_the_divergent_columns(write_csv: WriteCsv) -> None:
    rows = game_rows(12)
    a = write_csv("a.csv", rows)
    for row in rows[:7]:
        row[SCORE] = "x"
    rows[3][HEADER.index("p0.x")] = "9"
    b = write_csv("b.csv", rows)

    lines = render_report(compare(a, b)).splitlines()

    table = lines[lines.index("Divergent columns") + 1 :]
    assert table[0].split() == ["Column", "Cells", "First", "divergent", "rows", "(a", "|", "b)"]
    assert set(table[1]) == {"-", " "}
    assert table[2].split()[:5] == ["p0.x", "1", "row", "3:", "'3'"]
    score = table.index(next(line for line in table if line.startswith("score")))
    assert table[score + 5].split() == ["...", "2", "more"]  # 5 examples, then the rest
    examples = table[2].index("row")
    assert all(line[examples:].startswith(("row", "...")) for line in table[2:]), table


def test_names_from_the_files_cannot_drive_the_terminal(write_csv: WriteCsv) -> None:
    header = [*HEADER[:-1], "evil\x1b[2J"]
    a = write_csv("a\x07.csv", game_rows(2), header)
    b = write_csv("b.csv", game_rows(2))

    text = render_report(compare(a, b))

    assert "\x1b" not in text and "\x07" not in text
    assert "only in a  evil\\x1b[2J" in text
    assert "a\\x07.csv  vs" in text


def test_colour_only_when_asked(divergent_pair: tuple[Path, Path], tmp_path: Path) -> None:
    report = compare(*divergent_pair)
    write = tmp_path / "same"
    write.mkdir()
    (write / "s1_ep0.csv").write_text("gameId,t\ng1,1\n")
    (write / "s2_ep0.csv").write_text("gameId,t\ng1,1\n")
    folder = compare_dir(write)

    assert "\x1b" not in render_report(report) + render_dir_report(folder)
    assert render_report(report, colour=True).startswith("\x1b[1;31mDIVERGENT\x1b[0m  ")
    total = render_dir_report(folder, colour=True).splitlines()[-1]
    assert total.startswith("Total") and total.endswith("\x1b[1;32mIDENTICAL\x1b[0m")


def test_to_json_of_a_pair(divergent_pair: tuple[Path, Path]) -> None:
    data = json.loads(json.dumps(to_json(compare(*divergent_pair))))

    assert data["verdict"] == "divergent"
    assert data["rows"] == {"a": 30, "b": 30, "compared": 30, "tolerance": 0}
    assert data["columns"]["only_in_a"] == ["p0.x"]
    assert data["divergent"] == {
        "score": {"count": 1, "examples": [{"row": 17, "a": "340", "b": "[bold]999[/bold]"}]}
    }


def test_dir_report_as_table_and_json(write_csv: WriteCsv, tmp_path: Path) -> None:
    rows = game_rows(5, "g1")
    write_csv("data/s1_ep0.csv", rows)
    rows[2][SCORE] = "1"
    write_csv("data/s2_ep0.csv", rows)
    write_csv("data/s3_ep0.csv", game_rows(5, "g2"))
    report = compare_dir(tmp_path / "data")

    text = render_dir_report(report)
    data = to_json(report)

    assert "0 identical, 1 divergent" in text
    assert "orphan" in text
    assert "s3_ep0.csv" in text
    assert (data["verdict"], data["total"]) == (
        "divergent",
        {"pairs": 1, "divergent_pairs": 1, "problems": 1},
    )
    assert data["pairs"][0]["game_id"] == "g1"
    assert data["pairs"][0]["divergent"]["score"]["count"] == 1


def _run(
    paths: list[Path], exclude: list[str] | None = None, *, as_json: bool = False
) -> tuple[int, str]:
    args = ParityArgs(tuple(paths), None if exclude is None else tuple(exclude), as_json=as_json)
    text, code = output(args, io.StringIO())
    return code, text


def test_command_exit_codes(write_csv: WriteCsv, divergent_pair: tuple[Path, Path]) -> None:
    same = [write_csv("c.csv", game_rows(30)), write_csv("d.csv", game_rows(30, clock=3))]

    assert _run(same)[0] == 0
    assert _run(list(divergent_pair))[0] == 1


def test_command_exclude_replaces_the_defaults(write_csv: WriteCsv) -> None:
    rows = game_rows(4)
    a = write_csv("a.csv", rows)
    rows[1][SCORE] = "0.0"
    b = write_csv("b.csv", rows)

    assert _run([a, b], ["score"])[0] == 0
    assert _run([a, b], [])[0] == 1


def test_command_json_output_parses(divergent_pair: tuple[Path, Path]) -> None:
    code, output = _run(list(divergent_pair), as_json=True)

    assert code == 1
    assert json.loads(output)["divergent"]["score"]["count"] == 1


def test_command_on_a_directory(write_csv: WriteCsv, tmp_path: Path) -> None:
    write_csv("data/x/s1_ep0.csv", game_rows(5, "g1"))
    write_csv("data/x/s2_ep0.csv", game_rows(5, "g1", clock=1))

    code, output = _run([tmp_path / "data"])

    assert code == 0
    assert "1 identical, 0 divergent" in output


@pytest.mark.parametrize(
    ("names", "message"),
    [
        pytest.param([], "got nothing", id="none"),
        pytest.param(["a.csv"], "got {tmp}/a.csv", id="one-file"),
        pytest.param(
            ["a.csv", "a.csv", "a.csv"], "two export files or one data directory", id="three"
        ),
    ],
)
def test_command_needs_two_files_or_one_directory(
    write_csv: WriteCsv, tmp_path: Path, names: list[str], message: str
) -> None:
    write_csv("a.csv", game_rows(1))

    with pytest.raises(RegressError) as raised:
        _run([tmp_path / name for name in names])

    assert message.format(tmp=tmp_path) in raised.value.message
    assert raised.value.exit_code == 2

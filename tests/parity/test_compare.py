"""compare(): cell-by-cell parity of two exports, with both readers."""

from __future__ import annotations

import csv
import random
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from regress.errors import RegressError
from regress.parity import (
    DEFAULT_EXCLUDE,
    Divergence,
    Reader,
    Verdict,
    compare,
    compare_frames,
    csv_bytes,
    csv_small,
)
from tests.parity.conftest import HEADER, WriteCsv, game_rows

SCORE = HEADER.index("score")


@pytest.fixture(params=["small", "bytes", "pandas"])
def reader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Reader:
    """Every semantic test runs with each reader: the byte reader in plain Python (these
    files are small), the byte reader with numpy, and pandas."""
    if request.param == "bytes":
        monkeypatch.setattr(csv_small, "SMALL_BYTES", 0)  # numpy, however small the files
    return Reader.PANDAS if request.param == "pandas" else Reader.BYTES


def test_identical_files_differ_only_in_client_local_columns(
    write_csv: WriteCsv, reader: Reader
) -> None:
    a = write_csv("a.csv", game_rows(30))
    b = write_csv("b.csv", game_rows(30, clock=5))

    report = compare(a, b, reader=reader)

    assert report.verdict is Verdict.IDENTICAL
    assert report.reader is reader  # plain files stay on the byte reader
    assert (report.rows_a, report.rows_b, report.divergent, report.reasons) == (30, 30, (), ())
    assert report.compared == ("gameId", "episode", "t", "p0.x", "score", "stateHash")


def test_single_divergent_cell_reports_row_and_both_values(
    write_csv: WriteCsv, reader: Reader
) -> None:
    rows = game_rows(30)
    a = write_csv("a.csv", rows)
    rows[17][SCORE] = "999"
    b = write_csv("b.csv", rows)

    report = compare(a, b, reader=reader)

    assert report.verdict is Verdict.DIVERGENT
    assert [(c.column, c.count) for c in report.divergent] == [("score", 1)]
    assert report.divergent[0].examples == (Divergence(row=17, a="340", b="999"),)
    assert report.reasons == ("1 divergent cells in 1 columns",)


def test_values_are_compared_as_text(write_csv: WriteCsv, reader: Reader) -> None:
    rows = game_rows(3)
    a = write_csv("a.csv", rows)
    rows[1][SCORE] = "20.0"
    b = write_csv("b.csv", rows)

    report = compare(a, b, reader=reader)

    assert report.divergent[0].examples == (Divergence(row=1, a="20", b="20.0"),)


def test_empty_cell_equals_only_an_empty_cell(write_csv: WriteCsv, reader: Reader) -> None:
    rows = game_rows(4)
    for row in rows:
        row[SCORE] = ""
    a = write_csv("a.csv", rows)
    rows[2][SCORE] = "0"
    b = write_csv("b.csv", rows)

    report = compare(a, b, reader=reader)

    assert [(c.column, c.count) for c in report.divergent] == [("score", 1)]
    assert report.divergent[0].examples == (Divergence(row=2, a="", b="0"),)


def test_row_counts_within_tolerance_compare_the_common_prefix(
    write_csv: WriteCsv, reader: Reader
) -> None:
    a = write_csv("a.csv", game_rows(30))
    b = write_csv("b.csv", game_rows(28))

    report = compare(a, b, row_tolerance=2, reader=reader)

    assert report.verdict is Verdict.IDENTICAL
    assert (report.rows_a, report.rows_b, report.rows_compared) == (30, 28, 28)


def test_row_counts_beyond_tolerance_are_divergent_and_prefix_still_compared(
    write_csv: WriteCsv, reader: Reader
) -> None:
    rows = game_rows(30)
    a = write_csv("a.csv", rows)
    rows[0][SCORE] = "5"
    b = write_csv("b.csv", rows[:27])

    report = compare(a, b, row_tolerance=2, reader=reader)

    assert report.verdict is Verdict.DIVERGENT
    assert report.reasons[0] == "row counts differ by 3 (a 30, b 27; tolerance 2)"
    assert [(c.column, c.count) for c in report.divergent] == [("score", 1)]


def test_column_set_mismatch_lists_columns_and_compares_the_rest(
    write_csv: WriteCsv, reader: Reader
) -> None:
    rows = game_rows(5)
    a = write_csv("a.csv", rows)
    header_b = [*HEADER[:3], "p1.x", *HEADER[4:]]  # p0.x renamed
    rows[3][SCORE] = "1"
    b = write_csv("b.csv", rows, header_b)

    report = compare(a, b, reader=reader)

    assert report.verdict is Verdict.DIVERGENT
    assert (report.only_in_a, report.only_in_b) == (("p0.x",), ("p1.x",))
    assert "column sets differ" in report.reasons
    assert [(c.column, c.count) for c in report.divergent] == [("score", 1)]


def test_columns_in_another_order_are_matched_by_name(write_csv: WriteCsv, reader: Reader) -> None:
    rows = game_rows(5)
    a = write_csv("a.csv", rows)
    order = [HEADER.index(name) for name in reversed(HEADER)]
    rows[4][SCORE] = "7"
    b = write_csv("b.csv", [[row[i] for i in order] for row in rows], list(reversed(HEADER)))

    report = compare(a, b, reader=reader)

    assert report.divergent[0].examples == (Divergence(row=4, a="80", b="7"),)


def test_default_exclusions_ignore_client_local_columns(
    write_csv: WriteCsv, reader: Reader
) -> None:
    header = [*HEADER, "rollbackEvents", "wasSpeculative", "isFocused.1"]
    assert set(DEFAULT_EXCLUDE) <= set(header)
    a = write_csv("a.csv", [[*row, "0", "0", "true"] for row in game_rows(5)], header)
    rows_b = [[*row[:-1], "false", "2", "1", "false"] for row in game_rows(5, clock=9)]
    b = write_csv("b.csv", rows_b, header)

    assert compare(a, b, reader=reader).verdict is Verdict.IDENTICAL
    everything = compare(a, b, exclude=(), reader=reader)
    assert {c.column for c in everything.divergent} == set(DEFAULT_EXCLUDE)


def test_custom_exclusions_replace_the_defaults(write_csv: WriteCsv, reader: Reader) -> None:
    rows = game_rows(5)
    a = write_csv("a.csv", rows)
    for row in rows:
        row[SCORE] = "x"
    b = write_csv("b.csv", rows)  # same timestamps: only score differs

    assert compare(a, b, exclude=["score"], reader=reader).verdict is Verdict.IDENTICAL
    assert compare(a, b, exclude=["timestamp"], reader=reader).divergent[0].count == 5
    shifted = write_csv("c.csv", game_rows(5, clock=1))
    report = compare(a, shifted, exclude=["score"], reader=reader)
    assert [c.column for c in report.divergent] == ["timestamp"]


def test_examples_are_the_first_rows_up_to_max_examples(
    write_csv: WriteCsv, reader: Reader
) -> None:
    rows = game_rows(40)
    a = write_csv("a.csv", rows)
    for t in (3, 9, 10, 21, 22, 30, 39):
        rows[t][SCORE] += "0"
    b = write_csv("b.csv", rows)

    report = compare(a, b, max_examples=5, reader=reader)

    assert report.divergent[0].count == 7
    assert [e.row for e in report.divergent[0].examples] == [3, 9, 10, 21, 22]


def test_crlf_and_lf_exports_of_the_same_rows_are_identical(write_csv: WriteCsv) -> None:
    a = write_csv("a.csv", game_rows(10), line_end="\r\n")
    b = write_csv("b.csv", game_rows(10))

    report = compare(a, b)

    assert (report.verdict, report.reader) == (Verdict.IDENTICAL, Reader.BYTES)


def test_quoted_fields_fall_back_to_the_pandas_reader(write_csv: WriteCsv) -> None:
    rows = game_rows(6)
    a = write_csv("a.csv", rows)
    rows[2][SCORE] = '"40"'  # the same text, quoted
    rows[5][SCORE] = '"1,5"'
    b = write_csv("b.csv", rows)

    report = compare(a, b)

    assert report.reader is Reader.PANDAS
    assert report.divergent[0].examples == (Divergence(row=5, a="100", b="1,5"),)


def test_compare_frames_matches_compare(write_csv: WriteCsv) -> None:
    rows = game_rows(12)
    a = write_csv("a.csv", rows)
    rows[11][0] = "g2"
    b = write_csv("b.csv", [*rows[:11], rows[11], rows[0]])
    frame_a = pd.read_csv(a, dtype=str, keep_default_na=False, na_filter=False)
    frame_b = pd.read_csv(b, dtype=str, keep_default_na=False, na_filter=False)

    loaded = compare_frames(frame_a, frame_b)

    from_files = compare(a, b)
    assert (loaded.divergent, loaded.rows_a, loaded.rows_b) == (
        from_files.divergent,
        12,
        13,
    )
    assert loaded.divergent[0].examples == (Divergence(row=11, a="g1", b="g2"),)


def test_negative_row_tolerance_is_a_usage_error(write_csv: WriteCsv) -> None:
    a = write_csv("a.csv", game_rows(1))
    with pytest.raises(RegressError, match="row tolerance must be 0 or more, got -1"):
        compare(a, a, row_tolerance=-1)


def _missing(tmp: Path) -> Path:
    return tmp / "absent.csv"


def _directory(tmp: Path) -> Path:
    (tmp / "exports").mkdir()
    return tmp / "exports"


def _empty(tmp: Path) -> Path:
    (tmp / "empty.csv").write_bytes(b"")
    return tmp / "empty.csv"


def _blank_lines(tmp: Path) -> Path:
    (tmp / "blank.csv").write_bytes(b"\n\n\n")
    return tmp / "blank.csv"


def _prose(tmp: Path) -> Path:
    (tmp / "notes.csv").write_text("Session notes\nThe pair played, then left, early.\n")
    return tmp / "notes.csv"


def _ragged(tmp: Path) -> Path:
    (tmp / "ragged.csv").write_text("gameId,t\ng1,0\ng1,1,x,y\n")
    return tmp / "ragged.csv"


def _binary(tmp: Path) -> Path:
    (tmp / "image.csv").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe")
    return tmp / "image.csv"


def _latin1(tmp: Path) -> Path:
    (tmp / "latin1.csv").write_bytes("gameId,name\ng1,Jos\xe9\n".encode("latin-1"))
    return tmp / "latin1.csv"


def _extra_fields(tmp: Path) -> Path:
    (tmp / "wide.csv").write_text("gameId,t\ng1,0,x\ng1,1,y\n")
    return tmp / "wide.csv"


@pytest.mark.parametrize(
    ("make_bad", "message"),
    [
        pytest.param(_missing, "absent.csv: no such file; check the path", id="missing"),
        pytest.param(_directory, "exports: is a directory; pass a CSV export", id="directory"),
        pytest.param(_empty, "empty.csv: file is empty; re-export the episode", id="empty"),
        pytest.param(_blank_lines, "blank.csv: no header row (only blank lines)", id="blank"),
        pytest.param(_prose, "notes.csv: rows have more fields than the header", id="not-csv"),
        pytest.param(_ragged, "ragged.csv: not a CSV export (Error tokenizing data.", id="ragged"),
        pytest.param(_binary, "image.csv: not UTF-8 text (invalid start byte", id="binary"),
        pytest.param(_latin1, "latin1.csv: not UTF-8 text (", id="latin1"),
        pytest.param(_extra_fields, "wide.csv: rows have more fields than the header", id="wide"),
    ],
)
@pytest.mark.parametrize("bad_side", ["a", "b"])
def test_unusable_input_is_a_one_line_error_naming_the_file(
    tmp_path: Path, reader: Reader, make_bad: Callable[[Path], Path], message: str, bad_side: str
) -> None:
    good = tmp_path / "good.csv"
    good.write_text("".join(",".join(row) + "\n" for row in [HEADER, *game_rows(3)]))
    bad = make_bad(tmp_path)
    a, b = (bad, good) if bad_side == "a" else (good, bad)

    with pytest.raises(RegressError) as raised:
        compare(a, b, reader=reader)

    assert message in raised.value.message
    assert str(bad) in raised.value.message
    assert "\n" not in raised.value.message
    assert raised.value.exit_code == 2


def _random_export(rng: random.Random, columns: list[str], rows: int) -> list[list[str]]:
    values = ["", "0", "1", "1.0", "10", "01", "ab", "é", "a b", "ffffffff", "-3"]
    return [[rng.choice(values) for _ in columns] for _ in range(rows)]


def _reference(a: Path, b: Path, exclude: tuple[str, ...]) -> dict[str, list[int]]:
    """Divergent rows per column, the slow obvious way."""
    with (
        a.open(newline="", encoding="utf-8") as file_a,
        b.open(newline="", encoding="utf-8") as file_b,
    ):
        rows_a, rows_b = list(csv.reader(file_a)), list(csv.reader(file_b))
    header_a, header_b = rows_a.pop(0), rows_b.pop(0)
    result: dict[str, list[int]] = {}
    for name in header_a:
        if name in header_b and name not in exclude:
            i, j = header_a.index(name), header_b.index(name)
            rows = [n for n, (x, y) in enumerate(zip(rows_a, rows_b, strict=False)) if x[i] != y[j]]
            if rows:
                result[name] = rows
    return result


@pytest.mark.parametrize("with_numpy", [True, False], ids=["numpy", "plain-python"])
@pytest.mark.parametrize("seed", range(6))
def test_byte_reader_agrees_with_pandas_and_a_reference(
    monkeypatch: pytest.MonkeyPatch, write_csv: WriteCsv, seed: int, with_numpy: bool
) -> None:
    monkeypatch.setattr(csv_bytes, "BLOCK_BYTES", 50)  # many blocks, rows split across reads
    if with_numpy:
        monkeypatch.setattr(csv_small, "SMALL_BYTES", 0)
    rng = random.Random(seed)
    checked = fast_runs = 0
    for case in range(40):
        columns = [f"c{i}" for i in range(rng.randint(2, 9))]
        columns_b = [c for c in columns if rng.random() > 0.1]
        columns_b += ["extra"] * (len(columns_b) < 2 or rng.random() < 0.2)  # no blank lines
        rows = _random_export(rng, columns, rng.randint(0, 25))
        rows_b = [
            [
                row[columns.index(c)] if c in columns and rng.random() > 0.1 else "9"
                for c in columns_b
            ]
            for row in rows[: len(rows) - rng.randint(0, 2)]
        ]
        a = write_csv(f"{case}a.csv", rows, columns, line_end=rng.choice(["\n", "\r\n"]))
        b = write_csv(f"{case}b.csv", rows_b, columns_b)
        exclude = tuple(rng.sample(columns, rng.randint(0, 2)))

        fast = compare(a, b, exclude=exclude, max_examples=30)
        slow = compare(a, b, exclude=exclude, max_examples=30, reader=Reader.PANDAS)

        fast_runs += fast.reader is Reader.BYTES
        assert (fast.divergent, fast.rows_a, fast.rows_b) == (
            slow.divergent,
            slow.rows_a,
            slow.rows_b,
        )
        expected = _reference(a, b, exclude)
        assert {c.column: [e.row for e in c.examples] for c in fast.divergent} == expected
        checked += bool(expected)
    assert checked > 20  # most cases had divergences to find
    assert fast_runs > 30  # and most stayed on the byte reader (a blank line falls back)

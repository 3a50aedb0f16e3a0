"""Export parity: are two players' exports of one episode identical in every game-state column?

Cells are compared as the text in the file, so ``1`` and ``1.0`` differ and an empty cell
equals only an empty cell. Two readers give the same answer:

- ``Reader.BYTES`` (default, ``regress.parity.csv_bytes``) splits unquoted UTF-8 CSV with numpy and
  compares the bytes of the wanted fields, block by block, without making a Python string per
  cell. A file it cannot read exactly (quoted fields, blank or ragged lines, lone CR, NUL
  bytes, header names pandas would rename, columns in a different order) is handed to the
  pandas reader.
- ``Reader.PANDAS`` reads with ``pandas.read_csv(dtype=str, keep_default_na=False,
  na_filter=False, engine="c")`` in chunks and compares column arrays. As pandas does, a
  row with fewer fields than the header reads as empty cells and blank lines are skipped;
  a row with more fields is an error.

Both read a block of rows at a time, so memory does not grow with the file. Rows are
compared by position (row 0 is the first data row); columns by name. Pairing the files of a
whole data directory is ``regress.parity.pairing``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from regress.errors import RegressError
from regress.parity.csv_bytes import (
    CellText,
    Mask,
    NotPlainError,
    NotUtf8Error,
    PlainCsv,
    count_rest,
    diff_rows,
)

if TYPE_CHECKING:
    import pandas as pd

DEFAULT_EXCLUDE: tuple[str, ...] = (
    "timestamp",
    "rollbackEvents",
    "wasSpeculative",
    "isFocused.0",
    "isFocused.1",
)

_PANDAS_CHUNK_ROWS = 20_000

Text = npt.NDArray[np.object_]
_READ_OPTIONS: dict[str, Any] = {
    "dtype": str,
    "keep_default_na": False,
    "na_filter": False,
    "engine": "c",
    "encoding": "utf-8",
}


class Verdict(Enum):
    """Outcome of a parity check."""

    IDENTICAL = "identical"
    DIVERGENT = "divergent"


class Reader(Enum):
    """How the files are read (see the module docstring)."""

    BYTES = "bytes"
    PANDAS = "pandas"


@dataclass(frozen=True)
class Divergence:
    """One divergent cell: 0-based data row index and the text in each file."""

    row: int
    a: str
    b: str


@dataclass(frozen=True)
class ColumnDivergence:
    """A column with divergent cells: how many, and the first few."""

    column: str
    count: int
    examples: tuple[Divergence, ...]


@dataclass(frozen=True)
class ParityReport:
    """Result of comparing two exports of one episode."""

    a: str
    b: str
    rows_a: int
    rows_b: int
    row_tolerance: int
    compared: tuple[str, ...]
    only_in_a: tuple[str, ...]
    only_in_b: tuple[str, ...]
    excluded: tuple[str, ...]
    divergent: tuple[ColumnDivergence, ...]
    reader: Reader
    verdict: Verdict

    @property
    def rows_compared(self) -> int:
        """Rows in the common prefix that were compared."""
        return min(self.rows_a, self.rows_b)

    @property
    def divergent_cells(self) -> int:
        """Divergent cells over all compared columns."""
        return sum(column.count for column in self.divergent)

    @property
    def reasons(self) -> tuple[str, ...]:
        """Why the verdict is DIVERGENT (empty when IDENTICAL)."""
        reasons: list[str] = []
        difference = abs(self.rows_a - self.rows_b)
        if difference > self.row_tolerance:
            reasons.append(
                f"row counts differ by {difference} (a {self.rows_a}, b {self.rows_b}; "
                f"tolerance {self.row_tolerance})"
            )
        if self.only_in_a or self.only_in_b:
            reasons.append("column sets differ")
        if self.divergent:
            reasons.append(
                f"{self.divergent_cells} divergent cells in {len(self.divergent)} columns"
            )
        return tuple(reasons)


def unusable(path: Path | str, problem: str, remedy: str) -> RegressError:
    """The one-line error for an input file that cannot be compared."""
    detail = " ".join(problem.split())
    return RegressError(f"{path}: {detail}; {remedy}")


def compare(
    a: Path | str,
    b: Path | str,
    *,
    exclude: Sequence[str] = DEFAULT_EXCLUDE,
    row_tolerance: int = 0,
    max_examples: int = 5,
    reader: Reader = Reader.BYTES,
) -> ParityReport:
    """Compare two CSV exports of one episode cell by cell, as text.

    Args:
        a: First export.
        b: Second export.
        exclude: Columns to ignore entirely (client-local columns).
        row_tolerance: Row-count difference still accepted; the common prefix is compared.
        max_examples: Divergent cells kept per column.
        reader: ``Reader.BYTES`` (falls back to pandas when needed) or ``Reader.PANDAS``.

    Returns:
        The report; ``report.reader`` says which reader did the work.

    Raises:
        RegressError: An input is missing, a directory, empty, not UTF-8 or not CSV.
    """
    check_limits(row_tolerance, max_examples)
    path_a, path_b = _input_file(a), _input_file(b)
    options = (tuple(exclude), row_tolerance, max_examples)
    try:
        if reader is Reader.BYTES:
            try:
                return _compare_plain(path_a, path_b, *options)
            except NotPlainError:
                pass
            except NotUtf8Error as error:
                raise undecodable(error.path, error.error, error.offset) from None
        return _compare_pandas(path_a, path_b, *options)
    except OSError as error:
        where = error.filename or f"{path_a} or {path_b}"
        raise unusable(where, f"cannot read ({error.strerror})", "check the file") from None


def compare_frames(
    a: pd.DataFrame,
    b: pd.DataFrame,
    *,
    exclude: Sequence[str] = DEFAULT_EXCLUDE,
    row_tolerance: int = 0,
    max_examples: int = 5,
    labels: tuple[str, str] = ("a", "b"),
) -> ParityReport:
    """Compare two already-loaded exports by position, like ``compare``.

    Frames read with ``dtype=str, keep_default_na=False, na_filter=False`` are compared
    exactly as ``compare`` would; other column dtypes are compared as ``str(value)``.
    """
    check_limits(row_tolerance, max_examples)
    plan = _Plan.build(list(map(str, a.columns)), list(map(str, b.columns)), tuple(exclude))
    tally = _Tally(plan, max_examples)
    rows = min(len(a), len(b))
    _tally_columns(
        tally,
        0,
        [_column_text(a.iloc[:rows, i]) for i in plan.index_a],
        [_column_text(b.iloc[:rows, i]) for i in plan.index_b],
    )
    return tally.report(labels, (len(a), len(b)), row_tolerance, Reader.PANDAS)


def check_limits(row_tolerance: int, max_examples: int) -> None:
    """Reject a negative row tolerance or example count."""
    if row_tolerance < 0:
        raise RegressError(f"row tolerance must be 0 or more, got {row_tolerance}")
    if max_examples < 0:
        raise RegressError(f"max examples must be 0 or more, got {max_examples}")


def _input_file(path: Path | str) -> Path:
    file = Path(path)
    if file.is_dir():
        raise unusable(
            file,
            "is a directory",
            "pass a CSV export, or pass the directory alone to compare every episode in it",
        )
    if not file.exists():
        raise unusable(file, "no such file", "check the path of the CSV export")
    if file.stat().st_size == 0:
        raise unusable(file, "file is empty", "re-export the episode")
    return file


def undecodable(path: Path, error: UnicodeDecodeError, offset: int | None = 0) -> RegressError:
    """The one-line error for a file that is not UTF-8 (offset: where the read began)."""
    where = "" if offset is None else f" at byte {offset + error.start}"
    return unusable(
        path,
        f"not UTF-8 text ({error.reason}{where})",
        "pass the CSV export itself, not a binary or re-encoded file",
    )


@dataclass(frozen=True)
class _Plan:
    """Which columns are compared and where they sit in each file."""

    compared: tuple[str, ...]
    only_in_a: tuple[str, ...]
    only_in_b: tuple[str, ...]
    excluded: tuple[str, ...]
    index_a: tuple[int, ...]
    index_b: tuple[int, ...]

    @classmethod
    def build(cls, names_a: list[str], names_b: list[str], exclude: tuple[str, ...]) -> _Plan:
        skip, in_a, in_b = set(exclude), set(names_a), set(names_b)
        compared = tuple(n for n in names_a if n in in_b and n not in skip)
        return cls(
            compared=compared,
            only_in_a=tuple(n for n in names_a if n not in in_b and n not in skip),
            only_in_b=tuple(n for n in names_b if n not in in_a and n not in skip),
            excluded=exclude,
            index_a=tuple(names_a.index(n) for n in compared),
            index_b=tuple(names_b.index(n) for n in compared),
        )


class _Tally:
    """Accumulates per-column divergence counts and the first examples, chunk by chunk."""

    def __init__(self, plan: _Plan, max_examples: int) -> None:
        self.plan = plan
        self.max_examples = max_examples
        self.counts = np.zeros(len(plan.compared), np.int64)
        self.examples: list[list[Divergence]] = [[] for _ in plan.compared]

    def add(self, offset: int, divergent: Mask, text_a: CellText, text_b: CellText) -> None:
        counts = divergent.sum(axis=0)
        self.counts += counts
        for column in map(int, np.flatnonzero(counts)):
            kept = self.examples[column]
            need = self.max_examples - len(kept)
            if need > 0:
                for row in map(int, np.flatnonzero(divergent[:, column])[:need]):
                    kept.append(Divergence(offset + row, text_a(row, column), text_b(row, column)))

    def report(
        self, labels: tuple[str, str], rows: tuple[int, int], tolerance: int, reader: Reader
    ) -> ParityReport:
        plan = self.plan
        divergent = tuple(
            ColumnDivergence(name, int(count), tuple(examples))
            for name, count, examples in zip(plan.compared, self.counts, self.examples, strict=True)
            if count
        )
        same = abs(rows[0] - rows[1]) <= tolerance and not (plan.only_in_a or plan.only_in_b)
        verdict = Verdict.IDENTICAL if same and not divergent else Verdict.DIVERGENT
        return ParityReport(
            a=labels[0],
            b=labels[1],
            rows_a=rows[0],
            rows_b=rows[1],
            row_tolerance=tolerance,
            compared=plan.compared,
            only_in_a=plan.only_in_a,
            only_in_b=plan.only_in_b,
            excluded=plan.excluded,
            divergent=divergent,
            reader=reader,
            verdict=verdict,
        )


# --- byte reader (regress.parity.csv_bytes) -----------------------------------------------------


def _compare_plain(
    path_a: Path, path_b: Path, exclude: tuple[str, ...], tolerance: int, max_examples: int
) -> ParityReport:
    with path_a.open("rb") as handle_a, path_b.open("rb") as handle_b:
        file_a, file_b = PlainCsv(path_a, handle_a), PlainCsv(path_b, handle_b)
        plan = _Plan.build(file_a.names, file_b.names, exclude)
        if any(np.diff(plan.index_b) < 0):
            raise NotPlainError  # the byte comparison needs one column order
        tally = _Tally(plan, max_examples)
        done = 0
        while count := min(file_a.available(), file_b.available()):
            rows_a, rows_b = file_a.take(count), file_b.take(count)
            tally.add(
                done,
                diff_rows(rows_a, rows_b, plan.index_a, plan.index_b),
                rows_a.cell_text(plan.index_a),
                rows_b.cell_text(plan.index_b),
            )
            done += count
        total_a, total_b = done + count_rest(file_a), done + count_rest(file_b)
    labels = (str(path_a), str(path_b))
    return tally.report(labels, (total_a, total_b), tolerance, Reader.BYTES)


# --- pandas reader -----------------------------------------------------------------------


def _compare_pandas(
    path_a: Path, path_b: Path, exclude: tuple[str, ...], tolerance: int, max_examples: int
) -> ParityReport:
    plan = _Plan.build(_read_header(path_a), _read_header(path_b), exclude)
    tally = _Tally(plan, max_examples)
    chunks_a, chunks_b = _read_chunks(path_a), _read_chunks(path_b)
    pending_a, pending_b = next(chunks_a, None), next(chunks_b, None)
    done = 0
    while pending_a is not None and pending_b is not None:
        rows = min(len(pending_a), len(pending_b))
        head_a, head_b = pending_a.iloc[:rows], pending_b.iloc[:rows]
        _tally_columns(
            tally,
            done,
            [_column_text(head_a[name]) for name in plan.compared],
            [_column_text(head_b[name]) for name in plan.compared],
        )
        done += rows
        pending_a = pending_a.iloc[rows:] if rows < len(pending_a) else next(chunks_a, None)
        pending_b = pending_b.iloc[rows:] if rows < len(pending_b) else next(chunks_b, None)
    rows_a = done + _count_frames(pending_a, chunks_a)
    rows_b = done + _count_frames(pending_b, chunks_b)
    labels = (str(path_a), str(path_b))
    return tally.report(labels, (rows_a, rows_b), tolerance, Reader.PANDAS)


def _count_frames(pending: pd.DataFrame | None, chunks: Iterator[pd.DataFrame]) -> int:
    if pending is None:
        return 0
    return len(pending) + sum(len(chunk) for chunk in chunks)


def _tally_columns(
    tally: _Tally, offset: int, columns_a: list[Text], columns_b: list[Text]
) -> None:
    rows = len(columns_a[0]) if columns_a else 0
    divergent = np.zeros((rows, len(columns_a)), np.bool_)
    for column, (values_a, values_b) in enumerate(zip(columns_a, columns_b, strict=True)):
        divergent[:, column] = values_a != values_b
    tally.add(
        offset,
        divergent,
        lambda row, column: str(columns_a[column][row]),
        lambda row, column: str(columns_b[column][row]),
    )


def _column_text(column: pd.Series[Any]) -> Text:
    import pandas as pd  # noqa: PLC0415 - pandas costs ~0.2 s to import; only this path needs it

    if not pd.api.types.is_string_dtype(column.dtype):
        column = column.astype(str)
    return column.to_numpy(dtype=object)


def _read_header(path: Path) -> list[str]:
    import pandas as pd  # noqa: PLC0415 - see _column_text

    try:
        header = pd.read_csv(path, nrows=0, **_READ_OPTIONS)
    except (ValueError, UnicodeDecodeError) as error:
        raise _parse_error(path, error) from None
    return [str(name) for name in header.columns]


def _read_chunks(path: Path) -> Iterator[pd.DataFrame]:
    import pandas as pd  # noqa: PLC0415 - see _column_text

    # Every column is read (no usecols): pandas then checks every row's fields and bytes.
    try:
        with pd.read_csv(path, chunksize=_PANDAS_CHUNK_ROWS, **_READ_OPTIONS) as reader:
            for chunk in reader:
                if not isinstance(chunk.index, pd.RangeIndex):  # pandas took extra fields
                    raise unusable(path, "rows have more fields than the header", "fix the export")
                yield chunk
    except (ValueError, UnicodeDecodeError) as error:
        raise _parse_error(path, error) from None


def _parse_error(path: Path, error: Exception) -> RegressError:
    import pandas as pd  # noqa: PLC0415 - see _column_text

    if isinstance(error, UnicodeDecodeError):
        return undecodable(path, error, None)  # pandas' offset is into its own buffer
    if isinstance(error, pd.errors.EmptyDataError):
        return unusable(path, "no header row (only blank lines)", "re-export the episode")
    detail = str(error).strip()
    return unusable(
        path, f"not a CSV export ({detail})", "check it is a CSV export, one header row"
    )

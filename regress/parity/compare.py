"""Export parity: are two players' exports of one episode identical in every game-state column?

Cells are compared as the text in the file, so ``1`` and ``1.0`` differ and an empty cell
equals only an empty cell. Two readers give the same answer:

- ``Reader.BYTES`` (default, ``regress.parity.csv_bytes``) splits unquoted UTF-8 CSV with numpy and
  compares the bytes of the wanted fields, block by block, without making a Python string per
  cell. A file it cannot read exactly (quoted fields, blank or ragged lines, lone CR, NUL
  bytes, header names pandas would rename, columns in a different order) is handed to the
  pandas reader. Small files (under 1 MiB together) are read the same way in plain Python by
  ``regress.parity.csv_small``, which accepts columns in any order: numpy takes longer to
  import than such a comparison takes.
- ``Reader.PANDAS`` reads with ``pandas.read_csv(dtype=str, keep_default_na=False,
  na_filter=False, engine="c")`` in chunks and compares column arrays. As pandas does, a
  row with fewer fields than the header reads as empty cells and blank lines are skipped;
  a row with more fields is an error.

Both read a block of rows at a time (small files at once), so memory does not grow with the
file. Rows are compared by position (row 0 is the first data row); columns by name. Pairing
the files of a whole data directory is ``regress.parity.pairing``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from regress.parity.columns import ColumnPlan
from regress.parity.csv_small import compare_small, is_small
from regress.parity.model import (
    DEFAULT_EXCLUDE,
    NotPlainError,
    NotUtf8Error,
    ParityReport,
    Reader,
    check_limits,
    undecodable,
    unusable,
)

if TYPE_CHECKING:
    from regress.parity.pandas_reader import compare_frames

__all__ = ["compare", "compare_frames"]


def __getattr__(name: str) -> object:
    """compare_frames, imported when asked for: numpy and pandas load only when needed."""
    if name == "compare_frames":
        from regress.parity.pandas_reader import compare_frames  # noqa: PLC0415

        return compare_frames
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
                if is_small(path_a, path_b):
                    return compare_small(path_a, path_b, *options)
                return _compare_plain(path_a, path_b, *options)
            except NotPlainError:
                pass
            except NotUtf8Error as error:
                raise undecodable(error.path, error.error, error.offset) from None
        from regress.parity.pandas_reader import compare_pandas  # noqa: PLC0415 - big or odd files

        return compare_pandas(path_a, path_b, *options)
    except OSError as error:
        where = error.filename or f"{path_a} or {path_b}"
        raise unusable(where, f"cannot read ({error.strerror})", "check the file") from None


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


# --- byte reader (regress.parity.csv_bytes) -----------------------------------------------------


def _compare_plain(
    path_a: Path, path_b: Path, exclude: tuple[str, ...], tolerance: int, max_examples: int
) -> ParityReport:
    # numpy loads here, for files big enough to need it
    from regress.parity.csv_bytes import PlainCsv, count_rest, diff_rows  # noqa: PLC0415
    from regress.parity.tally import Tally  # noqa: PLC0415

    with path_a.open("rb") as handle_a, path_b.open("rb") as handle_b:
        file_a, file_b = PlainCsv(path_a, handle_a), PlainCsv(path_b, handle_b)
        plan = ColumnPlan.build(file_a.names, file_b.names, exclude)
        if any(b < a for a, b in zip(plan.index_b, plan.index_b[1:], strict=False)):
            raise NotPlainError  # the byte comparison needs one column order
        tally = Tally(plan, max_examples)
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

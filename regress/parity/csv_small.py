"""The byte reader's comparison for small files, in plain Python: no numpy, no pandas.

An episode export of a few hundred rows is compared faster than numpy takes to import. The
file must be what ``regress.parity.csv_bytes`` reads exactly (unquoted UTF-8 CSV: no quotes,
NUL bytes, lone CR, blank or ragged lines, nor header names pandas would rename); anything
else raises the same ``NotPlainError`` or ``NotUtf8Error`` as the byte reader, so the caller
takes the same way out. Cells are compared as text; the report says ``Reader.BYTES``, as the
answer is the byte reader's.
"""

from __future__ import annotations

from pathlib import Path

from regress.parity.columns import ColumnPlan, build_report
from regress.parity.model import Divergence, NotPlainError, NotUtf8Error, ParityReport, Reader

SMALL_BYTES = 1 << 20  # both files together: below this, plain Python beats importing numpy
_BOM = b"\xef\xbb\xbf"


def is_small(path_a: Path, path_b: Path) -> bool:
    """Whether two exports are small enough for this reader."""
    return path_a.stat().st_size + path_b.stat().st_size < SMALL_BYTES


def compare_small(
    path_a: Path, path_b: Path, exclude: tuple[str, ...], tolerance: int, max_examples: int
) -> ParityReport:
    """Compare two small plain exports cell by cell (rows by position, columns by name).

    Each file is read into one flat list of cells; a column is a slice of it, and two equal
    columns are told equal in C, so only a divergent column is walked row by row.
    """
    names_a, cells_a, rows_a = _read(path_a)
    names_b, cells_b, rows_b = _read(path_b)
    plan = ColumnPlan.build(names_a, names_b, exclude)
    rows = min(rows_a, rows_b)
    width_a, width_b = len(names_a), len(names_b)
    counts: list[int] = []
    examples: list[list[Divergence]] = []
    for index_a, index_b in zip(plan.index_a, plan.index_b, strict=True):
        column_a = cells_a[index_a : rows * width_a : width_a]
        column_b = cells_b[index_b : rows * width_b : width_b]
        if column_a == column_b:
            counts.append(0)
            examples.append([])
            continue
        pairs = enumerate(zip(column_a, column_b, strict=True))
        divergent = [row for row, (cell_a, cell_b) in pairs if cell_a != cell_b]
        counts.append(len(divergent))
        kept = divergent[:max_examples]
        examples.append(
            [Divergence(row, column_a[row].decode(), column_b[row].decode()) for row in kept]
        )
    return build_report(
        plan,
        counts,
        examples,
        labels=(str(path_a), str(path_b)),
        rows=(rows_a, rows_b),
        tolerance=tolerance,
        reader=Reader.BYTES,
    )


def _read(path: Path) -> tuple[list[str], list[bytes], int]:
    """Header names, every cell's bytes in one flat list (row after row), and the number of
    rows; checked as the byte reader checks a file. Cells stay bytes (the file is UTF-8, so
    equal text is equal bytes); only the examples a report keeps are decoded."""
    data = path.read_bytes()
    if not data.endswith(b"\n"):
        data += b"\n"  # as the byte reader ends the last line at the end of the file
    line, _, body = data.partition(b"\n")
    header = line.removeprefix(_BOM).removesuffix(b"\r")
    if b'"' in header or b"\0" in header or b"\r" in header:
        raise NotPlainError
    try:
        names = header.decode("utf-8").split(",")
    except UnicodeDecodeError as error:
        raise NotUtf8Error(path, error, 0) from None
    if "" in names or len(set(names)) != len(names):
        raise NotPlainError  # pandas renames these ("Unnamed: 2", "x.1")
    if b'"' in body or b"\0" in body or body.count(b"\r") != body.count(b"\r\n"):
        raise NotPlainError  # quoted fields, NUL bytes, a lone CR (pandas ends a line there)
    if not body.isascii():
        try:
            body.decode("utf-8")
        except UnicodeDecodeError as error:
            raise NotUtf8Error(path, error, len(line) + 1) from None
    lines = body.replace(b"\r\n", b"\n").split(b"\n")[:-1]  # the body ends with a newline
    commas = len(names) - 1
    if any(text_line.count(b",") != commas for text_line in lines) or (not commas and b"" in lines):
        raise NotPlainError  # a ragged or blank line
    cells = b",".join(lines).split(b",") if lines else []
    return names, cells, len(lines)

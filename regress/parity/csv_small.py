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
    """Compare two small plain exports cell by cell (rows by position, columns by name)."""
    names_a, rows_a = _read(path_a)
    names_b, rows_b = _read(path_b)
    plan = ColumnPlan.build(names_a, names_b, exclude)
    pairs = list(zip(plan.index_a, plan.index_b, strict=True))
    counts = [0] * len(pairs)
    examples: list[list[Divergence]] = [[] for _ in pairs]
    for row, (cells_a, cells_b) in enumerate(zip(rows_a, rows_b, strict=False)):
        if cells_a == cells_b and plan.index_a == plan.index_b:
            continue  # the same line: no compared cell differs
        for column, (index_a, index_b) in enumerate(pairs):
            if cells_a[index_a] != cells_b[index_b]:
                counts[column] += 1
                if len(examples[column]) < max_examples:
                    examples[column].append(Divergence(row, cells_a[index_a], cells_b[index_b]))
    labels = (str(path_a), str(path_b))
    rows = (len(rows_a), len(rows_b))
    return build_report(
        plan,
        counts,
        examples,
        labels=labels,
        rows=rows,
        tolerance=tolerance,
        reader=Reader.BYTES,
    )


def _read(path: Path) -> tuple[list[str], list[list[str]]]:
    """Header names and rows of cells, checked as the byte reader checks them."""
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
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise NotUtf8Error(path, error, len(line) + 1) from None
    lines = text.split("\n")[:-1]  # the text ends with a newline
    width = len(names)
    rows = []
    for text_line in lines:
        cells = text_line.removesuffix("\r").split(",")
        if len(cells) != width or cells == [""]:
            raise NotPlainError  # a ragged or blank line
        rows.append(cells)
    return names, rows

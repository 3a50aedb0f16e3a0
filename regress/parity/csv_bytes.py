"""Byte-level reader of unquoted UTF-8 CSV: fields split and compared with numpy, no per-cell str.

``PlainCsv`` reads a file a block of whole rows at a time and records where each field ends.
It raises ``NotPlainError`` for anything it cannot read exactly as
``pandas.read_csv(dtype=str, keep_default_na=False, na_filter=False)`` would (quoted fields,
blank or ragged lines, lone CR, NUL bytes, header names pandas would rename), so that the
caller can hand the file to pandas, and ``NotUtf8Error`` for bytes that are not UTF-8.
``diff_rows`` compares the bytes of chosen columns of two blocks of rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np
import numpy.typing as npt

from regress.parity.model import NotPlainError, NotUtf8Error

BLOCK_BYTES = 1 << 18  # small blocks: less memory, fewer page faults, same speed
_COMMA, _NEWLINE, _CR = 44, 10, 13
_BOM = b"\xef\xbb\xbf"

Mask = npt.NDArray[np.bool_]
Positions = npt.NDArray[np.intp]
CellText = Callable[[int, int], str]


@dataclass(frozen=True)
class Rows:
    """Whole rows of one file: its bytes, each line's start and each field's end offset."""

    data: npt.NDArray[np.uint8]
    line_starts: Positions
    ends: Positions

    def __len__(self) -> int:
        return len(self.line_starts)

    def slice(self, start: int, stop: int) -> Rows:
        """Rows ``start`` to ``stop``."""
        return Rows(self.data, self.line_starts[start:stop], self.ends[start:stop])

    def select(self, rows: Positions) -> Rows:
        """The rows at some indexes."""
        return Rows(self.data, self.line_starts[rows], self.ends[rows])

    def columns(self, columns: Positions) -> Positions:
        """End offsets of some columns (row-major, unlike ``ends[:, columns]``)."""
        return np.take(self.ends, columns, axis=1)

    def starts(self, columns: Positions) -> Positions:
        """Start offsets of some columns."""
        starts = self.columns(columns - 1) + 1
        starts[:, columns == 0] = self.line_starts[:, np.newaxis]
        return starts

    def cell_text(self, columns: tuple[int, ...]) -> CellText:
        """Text of (row, i), where i indexes ``columns``."""
        return lambda row, i: self.text(row, columns[i])

    def text(self, row: int, column: int) -> str:
        """Text of one field."""
        end = self.ends[row, column]
        start = self.ends[row, column - 1] + 1 if column else self.line_starts[row]
        return self.data[start:end].tobytes().decode("utf-8")


class PlainCsv:
    """An unquoted UTF-8 CSV file, split into fields a block of whole rows at a time."""

    def __init__(self, path: Path, handle: BinaryIO) -> None:
        self.path = path
        self._handle = handle
        self._buffer = b""
        self._offset = 0
        self._eof = False
        self._rows = Rows(np.empty(0, np.uint8), np.empty(0, np.intp), np.empty((0, 0), np.intp))
        while b"\n" not in self._buffer and not self._eof:
            self._read()
        header, _, self._buffer = self._buffer.partition(b"\n")
        self._offset = len(header) + 1
        header = header.removeprefix(_BOM).removesuffix(b"\r")
        if b'"' in header or b"\0" in header or b"\r" in header:
            raise NotPlainError
        try:
            self.names = header.decode("utf-8").split(",")
        except UnicodeDecodeError as error:
            raise NotUtf8Error(path, error, 0) from None
        if "" in self.names or len(set(self.names)) != len(self.names):
            raise NotPlainError  # pandas renames these ("Unnamed: 2", "x.1")

    def _read(self) -> None:
        """Append the next block of the file to the buffer; end it with a newline at EOF."""
        block = self._handle.read(BLOCK_BYTES)
        self._buffer += block
        if not block:
            self._eof = True
            if self._buffer and not self._buffer.endswith(b"\n"):
                self._buffer += b"\n"

    def available(self) -> int:
        """Rows split and not yet taken; splits the next block when none are left."""
        while not len(self._rows) and (self._buffer or not self._eof):
            while not self._eof and (len(self._buffer) < BLOCK_BYTES or b"\n" not in self._buffer):
                self._read()  # a block, or more if one line is longer
            size = self._buffer.rfind(b"\n") + 1
            data, self._buffer = self._buffer[:size], self._buffer[size:]
            self._rows = self._split(data)
            self._offset += size
        return len(self._rows)

    def take(self, count: int) -> Rows:
        """The next ``count`` rows (at most ``available()``)."""
        rows, self._rows = self._rows.slice(0, count), self._rows.slice(count, len(self._rows))
        return rows

    def _split(self, data: bytes) -> Rows:
        """Fields of whole lines, checked to be what pandas would read."""
        if b'"' in data or b"\0" in data:
            raise NotPlainError
        if not data.isascii():
            try:
                data.decode("utf-8")
            except UnicodeDecodeError as error:
                raise NotUtf8Error(self.path, error, self._offset) from None
        array = np.frombuffer(data, np.uint8)
        carriage_return = b"\r" in data
        if carriage_return and not (array[np.flatnonzero(array == _CR) + 1] == _NEWLINE).all():
            raise NotPlainError  # pandas ends a line at a lone CR
        newline = array == _NEWLINE
        separators = np.flatnonzero(newline | (array == _COMMA))
        rows, width = int(np.count_nonzero(newline)), len(self.names)
        if len(separators) != rows * width:
            raise NotPlainError  # a ragged or blank line
        ends = separators.reshape(rows, width)
        if not newline[ends[:, -1]].all():
            raise NotPlainError
        line_starts = np.zeros(rows, np.intp)
        line_starts[1:] = ends[:-1, -1] + 1
        if carriage_return:
            ends[:, -1] -= array[ends[:, -1] - 1] == _CR
        if width == 1 and (ends[:, 0] == line_starts).any():
            raise NotPlainError  # pandas skips blank lines
        return Rows(array, line_starts, ends)


def count_rest(file: PlainCsv) -> int:
    """Take every row left in a file and count them."""
    total = 0
    while count := file.available():  # splitting checks the rows, as pandas would
        file.take(count)
        total += count
    return total


def diff_rows(a: Rows, b: Rows, index_a: tuple[int, ...], index_b: tuple[int, ...]) -> Mask:
    """Divergent cells of rows, shape (rows, compared columns); column i is index_a[i] in a."""
    # Unquoted fields hold no comma, so equal text of a run of columns adjacent in both files
    # means equal fields; only rows where a run differs are looked at field by field.
    if not index_a:
        return np.zeros((len(a), 0), np.bool_)
    columns_a, columns_b = np.array(index_a, np.intp), np.array(index_b, np.intp)
    opens = _run_starts(columns_a, columns_b)
    first, last = np.flatnonzero(opens), np.flatnonzero(np.append(opens[1:], True))
    start_a, end_a = a.starts(columns_a[first]), a.columns(columns_a[last])
    start_b, end_b = b.starts(columns_b[first]), b.columns(columns_b[last])
    size = end_a - start_a
    suspect = (size != end_b - start_b).any(axis=1)
    good = np.flatnonzero(~suspect)
    if good.size < len(suspect):
        start_a, start_b, size = start_a[good], start_b[good], size[good]
    hits, offsets = _diff_runs(a.data, start_a, b.data, start_b, size)
    suspect[good[(np.searchsorted(offsets, hits, side="right") - 1) // len(first)]] = True
    divergent = np.zeros((len(suspect), len(columns_a)), np.bool_)
    rows = np.flatnonzero(suspect)
    if rows.size:
        divergent[rows] = _diff_fields(a.select(rows), b.select(rows), columns_a, columns_b, opens)
    return divergent


def _run_starts(columns_a: Positions, columns_b: Positions) -> Mask:
    """True for each compared column that is not adjacent, in both files, to the previous."""
    starts = np.ones(len(columns_a), np.bool_)
    starts[1:] = (np.diff(columns_a) != 1) | (np.diff(columns_b) != 1)
    return starts


def _diff_fields(a: Rows, b: Rows, columns_a: Positions, columns_b: Positions, opens: Mask) -> Mask:
    """Divergent cells, field by field."""
    # Fields of different lengths differ. The others are compared in segments of columns that
    # are adjacent in both files and have equal lengths, so their commas line up.
    start_a, start_b = a.starts(columns_a), b.starts(columns_b)
    end_a = a.columns(columns_a)
    size = end_a - start_a
    divergent: Mask = size != b.columns(columns_b) - start_b
    same = ~divergent
    first, last = same.copy(), same.copy()
    first[:, 1:] &= divergent[:, :-1] | opens[1:]
    last[:, :-1] &= divergent[:, 1:] | opens[1:]
    first_fields, last_fields = np.flatnonzero(first), np.flatnonzero(last)
    segment_a = start_a.reshape(-1)[first_fields]
    segment_b = start_b.reshape(-1)[first_fields]
    segment_size = end_a.reshape(-1)[last_fields] - segment_a
    hits, _ = _diff_runs(a.data, segment_a, b.data, segment_b, segment_size)
    if hits.size:
        fields = np.flatnonzero(same)
        field_sizes = size.reshape(-1)[fields] + ~last.reshape(-1)[fields]  # + comma
        field_offsets = np.cumsum(field_sizes) - field_sizes
        divergent.flat[fields[np.searchsorted(field_offsets, hits, side="right") - 1]] = True
    return divergent


def _diff_runs(
    data_a: npt.NDArray[np.uint8],
    starts_a: Positions,
    data_b: npt.NDArray[np.uint8],
    starts_b: Positions,
    sizes: Positions,
) -> tuple[Positions, Positions]:
    """Where runs of differing bytes start in the concatenated spans, and the spans' offsets."""
    # The spans of each file are sorted and do not overlap; a span has the same size in both.
    # A run never continues into the next span.
    sizes = sizes.reshape(-1)
    offsets = np.cumsum(sizes) - sizes
    differ = _gather(data_a, starts_a, sizes) != _gather(data_b, starts_b, sizes)
    if not differ.any():
        return np.empty(0, np.intp), offsets
    run_starts = differ.copy()
    run_starts[1:] &= ~differ[:-1]
    span_starts = offsets[sizes > 0]
    run_starts[span_starts] = differ[span_starts]
    return np.flatnonzero(run_starts), offsets


def _gather(
    data: npt.NDArray[np.uint8], starts: Positions, sizes: Positions
) -> npt.NDArray[np.uint8]:
    """Concatenate data[start:start + size] for sorted, non-overlapping spans."""
    edges = np.empty(2 * sizes.size + 2, np.intp)
    edges[0], edges[-1] = 0, data.size
    edges[1:-1:2] = starts.ravel()
    edges[2:-1:2] = edges[1:-1:2] + sizes
    keep = np.zeros(edges.size - 1, np.bool_)
    keep[1::2] = True
    return data[np.repeat(keep, np.diff(edges))]

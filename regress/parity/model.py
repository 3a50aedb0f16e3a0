"""What a parity check reports: the verdict, divergent columns with examples, and input errors.

The records are NamedTuples, not dataclasses: `regress parity` must start as fast as a plain
csv script, and importing dataclasses (with inspect) costs more than comparing 450 rows.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import NamedTuple

from regress.errors import RegressError

DEFAULT_EXCLUDE: tuple[str, ...] = (
    "timestamp",
    "rollbackEvents",
    "wasSpeculative",
    "isFocused.0",
    "isFocused.1",
)


class Verdict(Enum):
    """Outcome of a parity check."""

    IDENTICAL = "identical"
    DIVERGENT = "divergent"


class Reader(Enum):
    """How the files are read (see the module docstring)."""

    BYTES = "bytes"
    PANDAS = "pandas"


class Divergence(NamedTuple):
    """One divergent cell: 0-based data row index and the text in each file."""

    row: int
    a: str
    b: str


class ColumnDivergence(NamedTuple):
    """A column with divergent cells: how many, and the first few."""

    column: str
    count: int  # type: ignore[assignment]  # shadows tuple.count, which nothing calls
    examples: tuple[Divergence, ...]


class ParityReport(NamedTuple):
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


class NotPlainError(Exception):
    """The byte reader cannot read a file exactly; the pandas reader takes over."""


class NotUtf8Error(Exception):
    """Bytes of a file are not UTF-8; ``offset`` is where the decoded bytes start in the file."""

    def __init__(self, path: Path, error: UnicodeDecodeError, offset: int) -> None:
        super().__init__(path, error, offset)
        self.path = path
        self.error = error
        self.offset = offset


def unusable(path: Path | str, problem: str, remedy: str) -> RegressError:
    """The one-line error for an input file that cannot be compared."""
    detail = " ".join(problem.split())
    return RegressError(f"{path}: {detail}; {remedy}")


def check_limits(row_tolerance: int, max_examples: int) -> None:
    """Reject a negative row tolerance or example count."""
    if row_tolerance < 0:
        raise RegressError(f"row tolerance must be 0 or more, got {row_tolerance}")
    if max_examples < 0:
        raise RegressError(f"max examples must be 0 or more, got {max_examples}")


def undecodable(path: Path, error: UnicodeDecodeError, offset: int | None = 0) -> RegressError:
    """The one-line error for a file that is not UTF-8 (offset: where the read began)."""
    where = "" if offset is None else f" at byte {offset + error.start}"
    return unusable(
        path,
        f"not UTF-8 text ({error.reason}{where})",
        "pass the CSV export itself, not a binary or re-encoded file",
    )

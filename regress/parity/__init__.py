"""Export parity: compare two players' CSV exports, pair a data folder's files, report the result.

May import: regress.errors only; public API: regress.parity.compare and friends (stable).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from regress.parity.compare import compare
from regress.parity.model import (
    DEFAULT_EXCLUDE,
    ColumnDivergence,
    Divergence,
    ParityReport,
    Reader,
    Verdict,
)

if TYPE_CHECKING:
    from regress.parity.pandas_reader import compare_frames

__all__ = [
    "DEFAULT_EXCLUDE",
    "ColumnDivergence",
    "Divergence",
    "ParityReport",
    "Reader",
    "Verdict",
    "compare",
    "compare_frames",
]


def __getattr__(name: str) -> object:
    """compare_frames, imported when asked for: numpy and pandas load only when needed."""
    if name == "compare_frames":
        from regress.parity.pandas_reader import compare_frames  # noqa: PLC0415

        return compare_frames
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

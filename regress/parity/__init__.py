"""Export parity: compare two players' CSV exports, pair a data folder's files, report the result.

May import: regress.errors only; public API: regress.parity.compare and friends (stable).
"""

from __future__ import annotations

from regress.parity.compare import compare, compare_frames
from regress.parity.model import (
    DEFAULT_EXCLUDE,
    ColumnDivergence,
    Divergence,
    ParityReport,
    Reader,
    Verdict,
)

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

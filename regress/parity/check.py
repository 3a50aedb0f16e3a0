"""`regress parity`'s work without rendering: two exports or a data folder compared, and the
result as JSON (so `--json` needs no rendering library)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from regress.errors import RegressError
from regress.parity.compare import compare
from regress.parity.model import DEFAULT_EXCLUDE, ParityReport, Verdict

if TYPE_CHECKING:
    from regress.parity.pairing import DirParityReport


def check_paths(
    paths: Sequence[Path], exclude: Sequence[str] | None, row_tolerance: int
) -> ParityReport | DirParityReport:
    """Compare two exports, or every pair of a data folder.

    Args:
        paths: Two export files, or one data directory.
        exclude: Columns to ignore; ``None`` means ``DEFAULT_EXCLUDE``. A list replaces
            the defaults rather than adding to them.
        row_tolerance: Row-count difference still accepted.

    Raises:
        RegressError: Wrong number of paths or an unusable input (exit code 2).
    """
    columns = DEFAULT_EXCLUDE if exclude is None else tuple(exclude)
    if len(paths) == 2:
        return compare(paths[0], paths[1], exclude=columns, row_tolerance=row_tolerance)
    if len(paths) == 1 and paths[0].is_dir():
        from regress.parity.pairing import compare_dir  # noqa: PLC0415 - folders only

        return compare_dir(paths[0], exclude=columns, row_tolerance=row_tolerance)
    given = " ".join(map(str, paths)) or "nothing"
    raise RegressError(f"parity takes two export files or one data directory, got {given}")


def exit_code(report: ParityReport | DirParityReport) -> int:
    """0 identical, 1 divergent (or, for a directory, any export unpaired)."""
    return 0 if report.verdict is Verdict.IDENTICAL else 1


def to_json(report: ParityReport | DirParityReport) -> dict[str, Any]:
    """A JSON-ready dict of a pair report or a directory report."""
    if not isinstance(report, ParityReport):  # pairing loads only for folders
        return {
            "data_dir": report.data_dir,
            "verdict": report.verdict.value,
            "pairs": [
                {
                    "scene": pair.key.scene,
                    "game_id": pair.key.game_id,
                    "episode": pair.key.episode,
                    **to_json(pair.report),
                }
                for pair in report.pairs
            ],
            "problems": [
                {"kind": p.kind.value, "files": list(p.files), "message": p.message}
                for p in report.problems
            ],
            "total": {
                "pairs": len(report.pairs),
                "divergent_pairs": report.divergent_pairs,
                "problems": len(report.problems),
            },
        }
    return {
        "a": report.a,
        "b": report.b,
        "verdict": report.verdict.value,
        "reasons": list(report.reasons),
        "rows": {
            "a": report.rows_a,
            "b": report.rows_b,
            "compared": report.rows_compared,
            "tolerance": report.row_tolerance,
        },
        "columns": {
            "compared": list(report.compared),
            "only_in_a": list(report.only_in_a),
            "only_in_b": list(report.only_in_b),
            "excluded": list(report.excluded),
        },
        "divergent_cells": report.divergent_cells,
        "divergent": {
            column.column: {
                "count": column.count,
                "examples": [{"row": e.row, "a": e.a, "b": e.b} for e in column.examples],
            }
            for column in report.divergent
        },
        "reader": report.reader.value,
    }

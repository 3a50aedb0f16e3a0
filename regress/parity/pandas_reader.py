"""The pandas reader of a parity check: quoted or irregular CSV, and already-loaded frames."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from regress.errors import RegressError
from regress.parity.columns import ColumnPlan
from regress.parity.model import (
    DEFAULT_EXCLUDE,
    ParityReport,
    Reader,
    check_limits,
    undecodable,
    unusable,
)
from regress.parity.tally import Tally

if TYPE_CHECKING:
    import pandas as pd

_PANDAS_CHUNK_ROWS = 20_000

Text = npt.NDArray[np.object_]
_READ_OPTIONS: dict[str, Any] = {
    "dtype": str,
    "keep_default_na": False,
    "na_filter": False,
    "engine": "c",
    "encoding": "utf-8",
}


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
    plan = ColumnPlan.build(list(map(str, a.columns)), list(map(str, b.columns)), tuple(exclude))
    tally = Tally(plan, max_examples)
    rows = min(len(a), len(b))
    _tally_columns(
        tally,
        0,
        [_column_text(a.iloc[:rows, i]) for i in plan.index_a],
        [_column_text(b.iloc[:rows, i]) for i in plan.index_b],
    )
    return tally.report(labels, (len(a), len(b)), row_tolerance, Reader.PANDAS)


def compare_pandas(
    path_a: Path, path_b: Path, exclude: tuple[str, ...], tolerance: int, max_examples: int
) -> ParityReport:
    plan = ColumnPlan.build(_read_header(path_a), _read_header(path_b), exclude)
    tally = Tally(plan, max_examples)
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


def _tally_columns(tally: Tally, offset: int, columns_a: list[Text], columns_b: list[Text]) -> None:
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

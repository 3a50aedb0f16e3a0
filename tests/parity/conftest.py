"""Fixtures for the parity tests: small exports written to a temporary directory."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

WriteCsv = Callable[..., Path]

HEADER = ("gameId", "episode", "t", "p0.x", "score", "stateHash", "timestamp", "isFocused.0")


def game_rows(count: int, game_id: str = "g1", clock: int = 0) -> list[list[str]]:
    """Rows shaped like the testbed's exports; ``clock`` shifts the client-local timestamp."""
    return [
        [
            game_id,
            "0",
            str(t),
            str(t % 7),
            str(t * 20),
            f"{t * 2654435761 % 2**32:08x}",
            str(1_731_000_000_000 + 33 * t + clock),
            "true",
        ]
        for t in range(count)
    ]


@pytest.fixture
def write_csv(tmp_path: Path) -> WriteCsv:
    """Write a header and rows as CSV under tmp_path; returns the file's path."""

    def write(
        name: str,
        rows: Sequence[Sequence[str]],
        header: Sequence[str] = HEADER,
        *,
        line_end: str = "\n",
    ) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        lines = [",".join(header), *(",".join(row) for row in rows)]
        path.write_bytes("".join(line + line_end for line in lines).encode())
        return path

    return write

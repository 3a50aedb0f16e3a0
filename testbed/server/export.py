"""Episode exports: validate one client's upload and write it as CSV, atomically."""

from __future__ import annotations

import contextlib
import csv
import json
import math
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from testbed.server.config import is_safe_id

REQUIRED_COLUMNS = ("gameId", "episode", "frame", "t")
_ID_FIELDS = ("experimentId", "sceneId", "subjectId", "gameId")
_MAX_EPISODE = 1_000_000

Cell = str | int | float | bool | None


class ExportError(Exception):
    """An upload the server refuses; status is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 400) -> None:
        """Keep the message for the JSON answer."""
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class EpisodeExport:
    """One validated episode of one client."""

    experiment_id: str
    scene_id: str
    subject_id: str
    game_id: str
    episode: int
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]

    def relative_path(self) -> Path:
        """{experiment}/{scene}/{subject}_ep{n}.csv below the data directory."""
        return Path(self.experiment_id) / self.scene_id / f"{self.subject_id}_ep{self.episode}.csv"


def _reject_constant(name: str) -> Any:
    raise ExportError(f"{name} is not a valid JSON number")


def parse_export(body: bytes, experiment_id: str) -> EpisodeExport:
    """Validate a raw upload body; raise ExportError saying what is wrong."""
    try:
        payload = json.loads(body.decode("utf-8"), parse_constant=_reject_constant)
    except UnicodeDecodeError as error:
        raise ExportError(f"body is not UTF-8: {error.reason}") from error
    except ValueError as error:
        raise ExportError(f"body is not JSON: {error}") from error
    except RecursionError:
        raise ExportError("body is nested too deeply to be an export") from None
    if not isinstance(payload, dict):
        raise ExportError("body must be a JSON object")
    for name in _ID_FIELDS:
        if name not in payload:
            raise ExportError(f"missing field {name!r}")
        if not is_safe_id(payload[name]):
            raise ExportError(
                f"{name} {payload[name]!r} is not a safe id: "
                "use letters, digits, '.', '-', '_' (no '..', no slashes)"
            )
    if payload["experimentId"] != experiment_id:
        raise ExportError(
            f"experimentId {payload['experimentId']!r} is not this server's {experiment_id!r}"
        )
    episode = payload.get("episode")
    if (
        not isinstance(episode, int)
        or isinstance(episode, bool)
        or not 0 <= episode <= _MAX_EPISODE
    ):
        raise ExportError(f"episode must be an integer >= 0, got {episode!r}")
    columns = _parse_columns(payload.get("columns"))
    rows = _parse_rows(payload.get("rows"), columns, payload["gameId"])
    return EpisodeExport(
        experiment_id=payload["experimentId"],
        scene_id=payload["sceneId"],
        subject_id=payload["subjectId"],
        game_id=payload["gameId"],
        episode=episode,
        columns=columns,
        rows=rows,
    )


def _parse_columns(columns: object) -> tuple[str, ...]:
    if not isinstance(columns, list) or not columns:
        raise ExportError("columns must be a non-empty list of names")
    if not all(isinstance(name, str) and name for name in columns):
        raise ExportError("every column name must be a non-empty string")
    if len(set(columns)) != len(columns):
        raise ExportError("column names must be unique")
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        raise ExportError(f"missing required column(s): {', '.join(missing)}")
    return tuple(columns)


def _parse_rows(
    rows: object, columns: tuple[str, ...], game_id: str
) -> tuple[tuple[Cell, ...], ...]:
    if not isinstance(rows, list) or not rows:
        raise ExportError("rows must be a non-empty list of lists")
    game_col = columns.index("gameId")
    parsed: list[tuple[Cell, ...]] = []
    for number, row in enumerate(rows):
        if not isinstance(row, list):
            raise ExportError(f"row {number} is not a list")
        if len(row) != len(columns):
            raise ExportError(f"row {number} has {len(row)} cells, expected {len(columns)}")
        for cell, name in zip(row, columns, strict=True):
            if cell is not None and not isinstance(cell, str | int | float | bool):
                raise ExportError(f"row {number} column {name!r}: cells must be scalars")
            if isinstance(cell, float) and not math.isfinite(cell):
                raise ExportError(f"row {number} column {name!r}: number is not finite")
        if row[game_col] != game_id:
            raise ExportError(f"row {number} has gameId {row[game_col]!r}, expected {game_id!r}")
        parsed.append(tuple(row))
    return tuple(parsed)


def _text(cell: Cell) -> Cell:
    """Booleans as JSON spells them, so a CSV cell reads the same as the browser's value."""
    if isinstance(cell, bool):
        return "true" if cell else "false"
    return cell


def write_export(data_dir: Path, export: EpisodeExport) -> Path:
    """Write the CSV via a temporary file in the target directory and an atomic rename."""
    root = data_dir.resolve()
    target = (root / export.relative_path()).resolve()
    if not target.is_relative_to(root):  # ids are checked; this guards the guard
        raise ExportError("export path escapes the data directory")
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(export.columns)
            writer.writerows([_text(cell) for cell in row] for row in export.rows)
            handle.flush()
            os.fsync(handle.fileno())
        Path(temp_name).chmod(0o644)  # mkstemp makes it private; exports are plain data
        Path(temp_name).replace(target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            Path(temp_name).unlink()
        raise
    return target

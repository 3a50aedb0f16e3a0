"""Run records on disk: reports/<run-id>/run.json, written atomically, plus a `latest` pointer."""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from regress.errors import RegressError
from regress.judging.results import SCHEMA_VERSION, RunRecord, from_jsonable, to_jsonable

RUN_FILE = "run.json"
LATEST_LINK = "latest"  # symlink to the newest run directory
LATEST_FILE = "LATEST"  # the newest run id as text, for platforms without symlinks

_RUN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_RECENT = 3  # runs named in a "no such run" message


def new_run_id(now: datetime) -> str:
    """A sortable, practically unique run id such as `20261121-104512-ab12`.

    Args:
        now: the run's start time; ids sort by it.

    Returns:
        The id, safe to use as a directory name.
    """
    return f"{now:%Y%m%d-%H%M%S}-{secrets.token_hex(2)}"


def run_dir(reports: Path, run_id: str) -> Path:
    """The directory of one run.

    Args:
        reports: the reports directory.
        run_id: a run id (one path component, no separators).

    Returns:
        `reports/<run_id>`.
    """
    if not _RUN_ID.fullmatch(run_id) or run_id in {LATEST_LINK, LATEST_FILE}:
        raise RegressError(
            f"{run_id!r} is not a run id: use one like 20261121-104512-ab12 "
            f"(recorded runs are the directories under {reports})"
        )
    return reports / run_id


def write_text_atomic(path: Path, text: str) -> None:
    """Replace path with text so that readers see the old file or the new one, never a mix.

    Args:
        path: the file to write; its directory must exist.
        text: the whole new content (UTF-8).
    """
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        tmp.chmod(0o644)  # mkstemp creates 0600; reports are meant to be read
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def write_record(reports: Path, record: RunRecord) -> Path:
    """Write `reports/<run-id>/run.json` atomically and point `latest` at it.

    Args:
        reports: the reports directory (created if missing).
        record: the run, complete or partial.

    Returns:
        The path of run.json.
    """
    directory = run_dir(reports, record.run_id)
    try:
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / RUN_FILE
        text = json.dumps(to_jsonable(record), indent=2, ensure_ascii=False) + "\n"
        write_text_atomic(path, text)
        write_text_atomic(reports / LATEST_FILE, record.run_id + "\n")
    except OSError as exc:
        raise RegressError(
            f"cannot write the run record under {directory}: {exc.strerror or exc}; "
            "check that the reports directory is writable"
        ) from exc
    _point_latest(reports, record.run_id)
    return path


def latest_run_id(reports: Path) -> str | None:
    """The newest run's id from the `latest` symlink, else the LATEST file, else None."""
    link = reports / LATEST_LINK
    if link.is_symlink():
        return link.readlink().name
    with contextlib.suppress(FileNotFoundError):
        return (reports / LATEST_FILE).read_text(encoding="utf-8").strip() or None
    return None


def list_runs(reports: Path) -> tuple[str, ...]:
    """Ids of the recorded runs (directories holding run.json), oldest first."""
    if not reports.is_dir():
        return ()
    return tuple(
        sorted(
            entry.name
            for entry in reports.iterdir()
            if not entry.is_symlink() and (entry / RUN_FILE).is_file()
        )
    )


@dataclass(frozen=True)
class StoredRun:
    """One run folder under reports/: its record, or why its run.json cannot be read."""

    run_id: str
    record: RunRecord | None
    problem: str = ""  # one line when record is None


def stored_runs(reports: Path, last: int | None = None) -> tuple[StoredRun, ...]:
    """The recorded runs (the newest `last` of them, or all), newest first; a broken or
    unreadable run.json is kept with the reason instead of stopping the listing."""
    found = []
    for run_id in tuple(reversed(list_runs(reports)))[:last]:
        try:
            found.append(StoredRun(run_id, load_record(reports, run_id)))
        except RegressError as exc:
            path = str(reports / run_id / RUN_FILE)
            problem = exc.message.removeprefix(path).strip()
            found.append(StoredRun(run_id, None, f"{RUN_FILE} {problem}"))
    return tuple(found)


def load_record(reports: Path, run_id: str | None = None) -> RunRecord:
    """Read a run record back.

    Args:
        reports: the reports directory.
        run_id: the run to read; None (or "latest") reads the latest.

    Returns:
        The record as written.

    Raises:
        RegressError: the run does not exist, or its run.json is unreadable, broken or of
            another schema version. The message is one line naming the path.
    """
    if run_id is None or run_id == LATEST_LINK:
        run_id = latest_run_id(reports)
        if run_id is None:
            raise RegressError(f"no run recorded in {reports}: run `regress run` first")
    path = run_dir(reports, run_id) / RUN_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RegressError(_missing_message(reports, path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RegressError(f"cannot read {path}: {exc}") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RegressError(
            f"{path} is not valid JSON ({exc.msg} at line {exc.lineno}): the run was cut short "
            "or the file was edited; run `regress run` again"
        ) from None
    if not isinstance(data, dict):
        raise RegressError(f"{path} is not a regress run record: run `regress run` again")
    _check_schema(path, data.get("schema"))
    try:
        return from_jsonable(RunRecord, data)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise RegressError(
            f"{path} is not a valid regress run record ({type(exc).__name__}: {exc}): "
            "run `regress run` again"
        ) from None


def _check_schema(path: Path, schema: object) -> None:
    if schema == SCHEMA_VERSION:
        return
    if isinstance(schema, int) and not isinstance(schema, bool) and schema > SCHEMA_VERSION:
        raise RegressError(
            f"{path} has schema version {schema} but this regress reads version "
            f"{SCHEMA_VERSION}: upgrade regress to read it"
        )
    raise RegressError(
        f"{path} has schema version {schema!r} but this regress reads version "
        f"{SCHEMA_VERSION}: run `regress run` again to record it in the current format"
    )


def _missing_message(reports: Path, path: Path) -> str:
    recent = list_runs(reports)[-_RECENT:]
    known = f" (recent runs: {', '.join(reversed(recent))})" if recent else ""
    return f"{path} does not exist: run `regress run` first{known}"


def _point_latest(reports: Path, run_id: str) -> None:
    """Swap the `latest` symlink atomically; platforms without symlinks keep LATEST only."""
    link = reports / LATEST_LINK
    if link.exists() and not link.is_symlink():
        return  # a real file or directory of that name is the user's; leave it alone
    tmp = reports / f".{LATEST_LINK}.{secrets.token_hex(4)}.tmp"
    try:
        tmp.symlink_to(run_id, target_is_directory=True)
        tmp.replace(link)
    except (OSError, NotImplementedError):
        tmp.unlink(missing_ok=True)


def _fsync_dir(directory: Path) -> None:
    """Make a rename durable where the platform allows opening directories."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)

"""The run lock of a reports folder: one `regress run` at a time per reports/.regress/run.lock.

The lock is an flock held on an open file for the whole run (the kernel drops it when the run's
process dies, even by SIGKILL); the file names the holder (pid, create time, start, command)
so a second run can say who holds it, and the next run can say whose lock it took over.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import psutil

from regress.errors import RegressError
from regress.proc.ledger import LEDGER_FILE, Ledger
from regress.proc.popen import running

LOCK_FILE = Path(".regress") / "run.lock"  # relative to the reports directory


def check_reports_folder(reports: Path) -> None:
    """Make sure the reports folder and its .regress files can be used; one-line errors.

    Raises:
        RegressError: the folder (or .regress, the ledger, the lock) is of the wrong kind, or
            cannot be created or written.
    """
    hint = "or pass --reports DIR"
    for path, kind in (
        (reports, "folder"),
        (reports / ".regress", "folder"),
        (reports / LEDGER_FILE, "file"),
        (reports / LOCK_FILE, "file"),
    ):
        if kind == "folder" and path.exists() and not path.is_dir():
            raise RegressError(f"{path} is a file, not a folder: move it away {hint}")
        if kind == "file" and path.is_dir():
            raise RegressError(f"{path} is a folder, not a file: remove it {hint}")
    try:
        (reports / ".regress").mkdir(parents=True, exist_ok=True)
        probe = reports / ".regress" / f".probe-{os.getpid()}"
        probe.write_text("")
        probe.unlink()
        if not os.access(reports, os.W_OK | os.X_OK):
            raise PermissionError(13, "Permission denied", str(reports))
    except OSError as exc:
        where = exc.filename or reports
        raise RegressError(
            f"{where}: cannot write the reports folder ({exc.strerror or exc}): "
            f"make it writable {hint}"
        ) from None


def runs_in_progress(reports: Path) -> frozenset[str]:
    """Ids of the runs of this reports folder still in progress: the live holder of the run
    lock, and every run in the ledger whose regress process is still alive."""
    live = {run.run_id for run in Ledger.in_reports(reports).runs() if run.alive()}
    try:
        with (reports / LOCK_FILE).open(encoding="utf-8") as handle:
            holder = _read(handle)
    except (FileNotFoundError, IsADirectoryError):
        holder = {}
    if _alive(holder) and isinstance(holder.get("run_id"), str):
        live.add(holder["run_id"])
    return frozenset(live)


class RunLock:
    """Hold reports/.regress/run.lock for one run."""

    def __init__(self, reports: Path) -> None:
        self.path = reports / LOCK_FILE
        self._handle: IO[str] | None = None

    def acquire(self, run_id: str, argv: list[str]) -> str:
        """Take the lock or raise; returns a note when the previous holder died holding it.

        Raises:
            RegressError: another live run holds it (exit code 2), naming its pid, start
                time and command.
        """
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read(handle)
            handle.close()
            raise RegressError(
                f"{self.path}: another regress run is using this reports folder: "
                f"{_describe(holder)}; wait for it to finish, or pass --reports DIR"
            ) from None
        previous = _read(handle)
        me = psutil.Process()
        data = {
            "pid": me.pid,
            "create_time": me.create_time(),
            "started": datetime.now(UTC).astimezone().isoformat(timespec="seconds"),
            "run_id": run_id,
            "argv": argv,
        }
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps(data) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
        self._handle = handle
        if previous and not _alive(previous):
            return f"took over the run lock of run {_describe(previous)}, whose process is gone"
        return ""

    def release(self) -> None:
        """Clear and unlock (a clean end leaves nothing to take over)."""
        if self._handle is None:
            return
        with contextlib.suppress(OSError):
            self._handle.seek(0)
            self._handle.truncate()
            self._handle.flush()
        fcntl.flock(self._handle, fcntl.LOCK_UN)
        self._handle.close()
        self._handle = None


def _read(handle: IO[str]) -> dict[str, Any]:
    handle.seek(0)
    try:
        data = json.loads(handle.read() or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _alive(holder: dict[str, Any]) -> bool:
    pid, create_time = holder.get("pid"), holder.get("create_time")
    if not isinstance(pid, int) or not isinstance(create_time, int | float):
        return False
    return running(pid, float(create_time))


def _describe(holder: dict[str, Any]) -> str:
    command = " ".join(str(a) for a in holder.get("argv", [])) or "?"
    return (
        f"{holder.get('run_id', '?')} (pid {holder.get('pid', '?')}, "
        f"started {holder.get('started', '?')}, command: {command})"
    )

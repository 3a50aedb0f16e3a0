"""The ledger of processes regress started: how a later run proves a port holder is its own."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import psutil

from regress.proc.popen import ProcessRef, running, same_time, stop_processes

TOKEN_ENV = "REGRESS_RUN_TOKEN"  # set in every server's environment; identifies the run
LEDGER_FILE = Path(".regress") / "ledger.json"  # relative to the reports directory
_VERSION = 1


@dataclass(frozen=True)
class LedgerEntry:
    """One process regress started, and the regress process (owner) that started it."""

    pid: int
    create_time: float
    port: int
    run_id: str
    token: str
    argv: tuple[str, ...]
    owner_pid: int
    owner_create_time: float


class Ledger:
    """A JSON file of started processes, written atomically, tolerant of a corrupt file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.recovered: Path | None = None  # where a corrupt file was moved aside, if it was

    @classmethod
    def in_reports(cls, reports: Path) -> Ledger:
        """The ledger of a reports directory: reports/.regress/ledger.json."""
        return cls(reports / LEDGER_FILE)

    def entries(self) -> tuple[LedgerEntry, ...]:
        """All recorded processes, oldest first (reading never creates the ledger's folder)."""
        if not self.path.parent.is_dir():
            return ()
        with self._lock():
            return tuple(self._load())

    def record(
        self,
        *,
        pid: int,
        create_time: float,
        port: int,
        run_id: str,
        token: str,
        argv: Sequence[str],
    ) -> LedgerEntry:
        """Record a process started by this regress process (replaces an entry for the same pid).

        Returns:
            The entry written.
        """
        owner = psutil.Process()
        entry = LedgerEntry(
            pid, create_time, port, run_id, token, tuple(argv), owner.pid, owner.create_time()
        )
        self._update(lambda entries: [*(e for e in entries if e.pid != pid), entry])
        return entry

    def forget(self, pid: int) -> None:
        """Drop the entry for pid, if any."""
        self._update(lambda entries: [e for e in entries if e.pid != pid])

    def known_tokens(self) -> frozenset[str]:
        """Run tokens of all recorded processes."""
        return frozenset(e.token for e in self.entries())

    def entry_for(self, pid: int, create_time: float) -> LedgerEntry | None:
        """The entry recording exactly this process (same pid and create time), if any."""
        for entry in self.entries():
            if entry.pid == pid and same_time(entry.create_time, create_time):
                return entry
        return None

    def owns(self, pid: int, create_time: float) -> bool:
        """Whether this exact process (not just its pid) was recorded."""
        return self.entry_for(pid, create_time) is not None

    def cleanup_stale(self, grace: float) -> list[LedgerEntry]:
        """Stop processes left by runs whose regress process is gone; drop their entries.

        A process whose pid now names another process (create time differs) is never signalled,
        and entries of a regress process that is still running are left alone.

        Args:
            grace: seconds between SIGTERM and SIGKILL of each stale process group.

        Returns:
            The entries whose process was still alive and has been stopped.
        """
        stale = [e for e in self.entries() if not running(e.owner_pid, e.owner_create_time)]
        alive = [e for e in stale if running(e.pid, e.create_time)]
        refs = [ProcessRef(e.pid, e.create_time, group=True) for e in alive]
        results = stop_processes(refs, grace)
        self._update(lambda entries: [e for e in entries if e not in stale])
        return [entry for entry, result in zip(alive, results, strict=True) if result is not None]

    def _update(self, change: Callable[[list[LedgerEntry]], list[LedgerEntry]]) -> None:
        with self._lock():
            self._write(change(self._load()))

    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        """Serialise read-modify-write between regress processes sharing a reports directory."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.with_name(self.path.name + ".lock").open("a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _load(self) -> list[LedgerEntry]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        try:
            return _parse(json.loads(text))
        except (ValueError, TypeError, KeyError):
            corrupt = self.path.with_name(self.path.name + ".corrupt")
            self.path.replace(corrupt)
            self.recovered = corrupt
            return []

    def _write(self, entries: list[LedgerEntry]) -> None:
        data = {"version": _VERSION, "entries": [asdict(e) for e in entries]}
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".ledger-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle, indent=2)
                handle.write("\n")
            Path(tmp).replace(self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def _parse(data: Any) -> list[LedgerEntry]:
    """Entries from decoded JSON; ValueError/TypeError/KeyError on any deviation."""
    if not isinstance(data, dict) or data.get("version") != _VERSION:
        raise ValueError("not a regress ledger")
    return [_entry(raw) for raw in data["entries"]]


def _entry(raw: Any) -> LedgerEntry:
    argv = raw["argv"]
    if not isinstance(argv, list) or not all(isinstance(a, str) for a in argv):
        raise TypeError("argv")
    entry = LedgerEntry(
        pid=raw["pid"],
        create_time=raw["create_time"],
        port=raw["port"],
        run_id=raw["run_id"],
        token=raw["token"],
        argv=tuple(argv),
        owner_pid=raw["owner_pid"],
        owner_create_time=raw["owner_create_time"],
    )
    ints = (entry.pid, entry.port, entry.owner_pid)
    times = (entry.create_time, entry.owner_create_time)
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in ints):
        raise TypeError("pid/port")
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in times):
        raise TypeError("create_time")
    if not isinstance(entry.run_id, str) or not isinstance(entry.token, str):
        raise TypeError("run_id/token")
    return entry

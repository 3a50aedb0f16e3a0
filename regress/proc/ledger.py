"""The ledger of runs and the processes they started: how a later run proves a process is its own.

Each `regress run` registers itself (run id, run token, its own pid and create time) before it
starts anything, and every process it starts (servers, pytest, Xvfb) is recorded with its role.
A process is regress's own when the ledger has it by pid and create time, or when its
environment carries the token of a registered run. A run whose owner is still alive is never
touched by anyone else; a run whose owner is gone is stale, and so is everything it left.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import psutil

from regress.proc.popen import ProcessRef, running, same_time, stop_processes

TOKEN_ENV = "REGRESS_RUN_TOKEN"  # set in every process regress starts; identifies the run
ROLE_ENV = "REGRESS_ROLE"  # who started the process chain: "server:<pass>:<suite>", "pytest:..."
LEDGER_FILE = Path(".regress") / "ledger.json"  # relative to the reports directory
_VERSION = 2


@dataclass(frozen=True)
class RunEntry:
    """A regress process that started a run (the owner of everything carrying its token)."""

    run_id: str
    token: str
    owner_pid: int
    owner_create_time: float
    argv: tuple[str, ...] = ()

    def alive(self) -> bool:
        """Whether the owning regress process still runs."""
        return running(self.owner_pid, self.owner_create_time)


@dataclass(frozen=True)
class LedgerEntry:
    """One process regress started, and the regress process (owner) that started it."""

    pid: int
    create_time: float
    port: int  # 0 for processes without a port (pytest, Xvfb)
    run_id: str
    token: str
    argv: tuple[str, ...]
    owner_pid: int
    owner_create_time: float
    role: str = "server"

    def owner_alive(self) -> bool:
        """Whether the regress (or pytest) process that recorded it still runs."""
        return running(self.owner_pid, self.owner_create_time)


@dataclass
class _State:
    runs: list[RunEntry] = field(default_factory=list)
    entries: list[LedgerEntry] = field(default_factory=list)


def is_me(pid: int, create_time: float) -> bool:
    """Whether pid and create time name this very process."""
    me = psutil.Process()
    return pid == me.pid and same_time(create_time, me.create_time())


class Ledger:
    """A JSON file of runs and started processes, written atomically, tolerant of corruption."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.recovered: Path | None = None  # where a corrupt file was moved aside, if it was

    @classmethod
    def in_reports(cls, reports: Path) -> Ledger:
        """The ledger of a reports directory: reports/.regress/ledger.json."""
        return cls(reports / LEDGER_FILE)

    # --- reading ----------------------------------------------------------------------------

    def entries(self) -> tuple[LedgerEntry, ...]:
        """All recorded processes, oldest first (reading never creates the ledger's folder)."""
        return tuple(self._read().entries)

    def runs(self) -> tuple[RunEntry, ...]:
        """All registered runs, oldest first."""
        return tuple(self._read().runs)

    def known_tokens(self) -> frozenset[str]:
        """Run tokens of all registered runs and recorded processes."""
        state = self._read()
        return frozenset(r.token for r in state.runs) | frozenset(e.token for e in state.entries)

    def run_for_token(self, token: str) -> RunEntry | None:
        """The registered run with this token, or one built from a recorded process's entry."""
        state = self._read()
        for run in state.runs:
            if run.token == token:
                return run
        for entry in state.entries:
            if entry.token == token:
                return RunEntry(entry.run_id, token, entry.owner_pid, entry.owner_create_time)
        return None

    def entry_for(self, pid: int, create_time: float) -> LedgerEntry | None:
        """The entry recording exactly this process (same pid and create time), if any."""
        for entry in self.entries():
            if entry.pid == pid and same_time(entry.create_time, create_time):
                return entry
        return None

    def owns(self, pid: int, create_time: float) -> bool:
        """Whether this exact process (not just its pid) was recorded."""
        return self.entry_for(pid, create_time) is not None

    def stale_tokens(self) -> dict[str, str]:
        """token -> run id of every run (or recorded process) whose owner is gone."""
        state = self._read()
        stale = {r.token: r.run_id for r in state.runs if not r.alive()}
        stale.update({e.token: e.run_id for e in state.entries if not e.owner_alive()})
        return stale

    # --- writing ----------------------------------------------------------------------------

    def register_run(self, run_id: str, token: str, argv: Sequence[str]) -> RunEntry:
        """Register this process as the owner of a run (before it starts anything)."""
        me = psutil.Process()
        run = RunEntry(run_id, token, me.pid, me.create_time(), tuple(argv))
        self._update(lambda s: _State([*(r for r in s.runs if r.token != token), run], s.entries))
        return run

    def unregister_run(self, token: str) -> None:
        """Drop a run that ended cleanly, with any entries it left."""
        self._update(
            lambda s: _State(
                [r for r in s.runs if r.token != token],
                [e for e in s.entries if e.token != token],
            )
        )

    def record(
        self,
        *,
        pid: int,
        create_time: float,
        port: int,
        run_id: str,
        token: str,
        argv: Sequence[str],
        role: str = "server",
    ) -> LedgerEntry:
        """Record a process started by this process (replaces an entry for the same pid).

        Returns:
            The entry written.
        """
        owner = psutil.Process()
        entry = LedgerEntry(
            pid,
            create_time,
            port,
            run_id,
            token,
            tuple(argv),
            owner.pid,
            owner.create_time(),
            role,
        )
        self._update(lambda s: _State(s.runs, [*(e for e in s.entries if e.pid != pid), entry]))
        return entry

    def forget(self, pid: int) -> None:
        """Drop the entry for pid, if any."""
        self._update(lambda s: _State(s.runs, [e for e in s.entries if e.pid != pid]))

    def cleanup_stale(self, grace: float) -> list[LedgerEntry]:
        """Stop recorded processes of runs whose owner is gone; drop those runs and entries.

        A process whose pid now names another process (create time differs) is never signalled,
        and runs and entries of an owner that is still running are left alone.

        Args:
            grace: seconds between SIGTERM and SIGKILL of each stale process group.

        Returns:
            The entries whose process was still alive and has been stopped.
        """
        state = self._read()
        stale = [e for e in state.entries if not e.owner_alive()]
        dead_runs = {r.token for r in state.runs if not r.alive()}
        alive = [e for e in stale if running(e.pid, e.create_time)]
        refs = [ProcessRef(e.pid, e.create_time, group=True) for e in alive]
        results = stop_processes(refs, grace)
        self._update(
            lambda s: _State(
                [r for r in s.runs if r.token not in dead_runs],
                [e for e in s.entries if e not in stale],
            )
        )
        return [entry for entry, result in zip(alive, results, strict=True) if result is not None]

    # --- the file -----------------------------------------------------------------------------

    def _read(self) -> _State:
        if not self.path.parent.is_dir():
            return _State()
        with self._lock():
            return self._load()

    def _update(self, change: Callable[[_State], _State]) -> None:
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

    def _load(self) -> _State:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return _State()
        try:
            return _parse(json.loads(text))
        except (ValueError, TypeError, KeyError):
            corrupt = self.path.with_name(self.path.name + ".corrupt")
            self.path.replace(corrupt)
            self.recovered = corrupt
            return _State()

    def _write(self, state: _State) -> None:
        data = {
            "version": _VERSION,
            "runs": [asdict(r) for r in state.runs],
            "entries": [asdict(e) for e in state.entries],
        }
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".ledger-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle, indent=2)
                handle.write("\n")
            Path(tmp).replace(self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def _parse(data: Any) -> _State:
    """The state from decoded JSON (version 1 had entries only); ValueError/TypeError/KeyError
    on any deviation."""
    if not isinstance(data, dict) or data.get("version") not in (1, _VERSION):
        raise ValueError("not a regress ledger")
    runs = [_run(raw) for raw in data.get("runs", [])]
    return _State(runs, [_entry(raw) for raw in data["entries"]])


def _strings(value: Any, what: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(a, str) for a in value):
        raise TypeError(what)
    return tuple(value)


def _check(ints: tuple[Any, ...], times: tuple[Any, ...], texts: tuple[Any, ...]) -> None:
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in ints):
        raise TypeError("pid/port")
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in times):
        raise TypeError("create_time")
    if not all(isinstance(v, str) for v in texts):
        raise TypeError("run_id/token/role")


def _run(raw: Any) -> RunEntry:
    run = RunEntry(
        run_id=raw["run_id"],
        token=raw["token"],
        owner_pid=raw["owner_pid"],
        owner_create_time=raw["owner_create_time"],
        argv=_strings(raw.get("argv", []), "argv"),
    )
    _check((run.owner_pid,), (run.owner_create_time,), (run.run_id, run.token))
    return run


def _entry(raw: Any) -> LedgerEntry:
    entry = LedgerEntry(
        pid=raw["pid"],
        create_time=raw["create_time"],
        port=raw["port"],
        run_id=raw["run_id"],
        token=raw["token"],
        argv=_strings(raw["argv"], "argv"),
        owner_pid=raw["owner_pid"],
        owner_create_time=raw["owner_create_time"],
        role=raw.get("role", "server"),
    )
    _check(
        (entry.pid, entry.port, entry.owner_pid),
        (entry.create_time, entry.owner_create_time),
        (entry.run_id, entry.token, entry.role),
    )
    return entry

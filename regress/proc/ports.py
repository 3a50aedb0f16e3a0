"""Who listens on a suite's ports, and freeing them of servers regress can prove are its own."""

from __future__ import annotations

import contextlib
import socket
import time
from collections.abc import Iterable
from dataclasses import dataclass

import psutil

from regress.errors import RegressError
from regress.proc.ledger import TOKEN_ENV, Ledger, is_me
from regress.proc.popen import POLL_INTERVAL, ProcessRef, running, stop_processes
from regress.proc.sweep import owner_alive, token_owner

PORT_WAIT = 5.0  # seconds to wait for a port to be free after its holder was stopped


@dataclass(frozen=True)
class Holder:
    """A process with a LISTEN socket on a port, and whether regress may stop it."""

    port: int
    pid: int | None  # None: the socket's owner is not visible to this user
    user: str
    cmdline: tuple[str, ...]
    create_time: float | None
    ours: bool
    reason: str  # why it is (not) ours: "in ledger of run X", "not started by regress", ...
    live_run: bool = False  # started by another regress run that is still running: never stop

    def describe(self) -> str:
        """One line for messages: port, pid, user and command line."""
        if self.pid is None:
            return f"port {self.port}: unknown process ({self.reason})"
        command = " ".join(self.cmdline) or "?"
        return f"port {self.port}: pid {self.pid} ({self.user}) {command} [{self.reason}]"


@dataclass(frozen=True)
class PortsOutcome:
    """What free_ports did: holders stopped, holders left alone, ports still not free."""

    freed: tuple[Holder, ...]
    refused: tuple[Holder, ...]
    busy: tuple[int, ...] = ()  # stopped holders' ports still not bindable after the deadline

    @property
    def blocked(self) -> bool:
        """Whether the suite cannot run on its ports."""
        return bool(self.refused or self.busy)


def listeners(ports: Iterable[int], *, ledger: Ledger | None = None) -> tuple[Holder, ...]:
    """Processes with a LISTEN socket on any of ports (clients connected to them are not listed).

    Args:
        ports: TCP ports to look at.
        ledger: the ledger that proves which processes are regress's own; None: none are.

    Returns:
        One holder per (port, pid), sorted by port then pid.
    """
    wanted = set(ports)
    try:
        connections = psutil.net_connections(kind="inet")
    except psutil.AccessDenied as exc:
        raise RegressError(
            "cannot list listening sockets (access denied); run as the user that starts the "
            "servers, or pass --force-ports to skip the check"
        ) from exc
    seen: set[tuple[int, int | None]] = set()
    holders: list[Holder] = []
    for conn in connections:
        if conn.status != psutil.CONN_LISTEN or not conn.laddr:
            continue
        key = (conn.laddr.port, conn.pid)
        if key[0] not in wanted or key in seen:
            continue
        seen.add(key)
        holder = _holder(key[0], conn.pid, ledger)
        if holder is not None:
            holders.append(holder)
    return tuple(sorted(holders, key=lambda h: (h.port, h.pid or 0)))


def free_ports(
    ports: Iterable[int], *, ledger: Ledger, force: bool, grace: float, timeout: float = PORT_WAIT
) -> PortsOutcome:
    """Stop the listeners on ports that are regress's own (all of them with force), then wait.

    Foreign listeners are never signalled without force, nor are processes merely connected.

    Args:
        ports: TCP ports the suite needs.
        ledger: ledger of processes regress started; stopped entries are forgotten.
        force: also stop listeners regress cannot prove are its own.
        grace: seconds between SIGTERM and SIGKILL.
        timeout: seconds to wait for each freed port to become bindable.

    Returns:
        Holders stopped, holders refused, and ports still busy.
    """
    holders = listeners(ports, ledger=ledger)
    chosen: list[Holder] = []
    refs: dict[int, ProcessRef] = {}  # one process may listen on several ports
    for holder in holders:
        allowed = holder.ours or (force and not holder.live_run)
        if allowed and holder.pid is not None and holder.create_time is not None:
            chosen.append(holder)
            refs[holder.pid] = ProcessRef(holder.pid, holder.create_time, group=holder.ours)
    refused = tuple(h for h in holders if h not in chosen)
    stop_processes(list(refs.values()), grace)
    for holder in chosen:
        if holder.ours and holder.pid is not None:
            ledger.forget(holder.pid)
    busy = tuple(port for port in sorted({h.port for h in chosen}) if not wait_free(port, timeout))
    return PortsOutcome(tuple(chosen), refused, busy)


def is_free(port: int, host: str = "127.0.0.1") -> bool:
    """Whether a server could bind host:port now (with SO_REUSEADDR, as servers do)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def wait_free(port: int, timeout: float, host: str = "127.0.0.1") -> bool:
    """Wait up to timeout seconds for host:port to be free; whether it is."""
    deadline = time.monotonic() + timeout
    while not is_free(port, host):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        time.sleep(min(POLL_INTERVAL, remaining))
    return True


def free_port(host: str = "127.0.0.1") -> int:
    """A port the OS reports unused right now (bind to port 0); for tests and benchmarks."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
    return port


def _holder(port: int, pid: int | None, ledger: Ledger | None) -> Holder | None:
    """Describe the listener pid; None if it exited meanwhile."""
    if pid is None:
        return Holder(port, None, "?", (), None, ours=False, reason="unknown process")
    try:
        proc = psutil.Process(pid)
        create_time = proc.create_time()
    except psutil.NoSuchProcess:
        return None
    except psutil.AccessDenied:
        return Holder(port, pid, "?", (), None, ours=False, reason="unknown process")
    user = "?"
    cmdline: tuple[str, ...] = ()
    with contextlib.suppress(psutil.AccessDenied, psutil.NoSuchProcess):
        user = proc.username()
    with contextlib.suppress(psutil.AccessDenied, psutil.NoSuchProcess):
        cmdline = tuple(proc.cmdline())
    ours, live, reason = _ownership(proc, create_time, ledger)
    return Holder(port, pid, user, cmdline, create_time, ours=ours, reason=reason, live_run=live)


def _ownership(
    proc: psutil.Process, create_time: float, ledger: Ledger | None
) -> tuple[bool, bool, str]:
    """(ours, started by another live run, why): by the ledger entry of this exact process,
    else by the run token in its environment."""
    entry = ledger.entry_for(proc.pid, create_time) if ledger is not None else None
    if entry is not None:
        return _judge_owner(
            entry.owner_pid,
            entry.owner_create_time,
            entry.run_id,
            f"in ledger of run {entry.run_id}",
        )
    try:
        token = proc.environ().get(TOKEN_ENV)
    except (psutil.AccessDenied, psutil.NoSuchProcess):
        return False, False, "not started by regress (environment not readable)"
    if token is None:
        return False, False, "not started by regress"
    run = ledger.run_for_token(token) if ledger is not None else None
    if run is not None:
        return _judge_owner(
            run.owner_pid,
            run.owner_create_time,
            run.run_id,
            f"carries run token of run {run.run_id}",
        )
    owner = token_owner(token)
    if owner is not None and owner_alive(token):
        run_id, pid, _ = owner
        return (
            False,
            True,
            f"in use by live regress run {run_id} (pid {pid}) of another reports folder",
        )
    if owner is not None:
        return False, False, f"left by dead regress run {owner[0]}, other reports"
    return False, False, "not started by regress"


def _judge_owner(pid: int, create_time: float, run_id: str, why: str) -> tuple[bool, bool, str]:
    """Ours when the owner is this process or gone; another live run's otherwise."""
    if is_me(pid, create_time) or not running(pid, create_time):
        return True, False, why
    return False, True, f"in use by live regress run {run_id} (pid {pid})"

"""Who listens on a suite's ports, and freeing them of servers regress can prove are its own."""

from __future__ import annotations

import contextlib
import socket
import time
from collections.abc import Iterable
from dataclasses import dataclass

import psutil

from regress.errors import RegressError
from regress.proc.ledger import TOKEN_ENV, Ledger, LedgerEntry
from regress.proc.popen import POLL_INTERVAL, ProcessRef, same_time, stop_processes

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
    entries = ledger.entries() if ledger is not None else ()
    seen: set[tuple[int, int | None]] = set()
    holders: list[Holder] = []
    for conn in connections:
        if conn.status != psutil.CONN_LISTEN or not conn.laddr:
            continue
        key = (conn.laddr.port, conn.pid)
        if key[0] not in wanted or key in seen:
            continue
        seen.add(key)
        holder = _holder(key[0], conn.pid, entries)
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
        if (holder.ours or force) and holder.pid is not None and holder.create_time is not None:
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


def _holder(port: int, pid: int | None, entries: tuple[LedgerEntry, ...]) -> Holder | None:
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
    ours, reason = _ownership(proc, create_time, entries)
    return Holder(port, pid, user, cmdline, create_time, ours=ours, reason=reason)


def _ownership(
    proc: psutil.Process, create_time: float, entries: tuple[LedgerEntry, ...]
) -> tuple[bool, str]:
    for entry in entries:
        if entry.pid == proc.pid and same_time(entry.create_time, create_time):
            return True, f"in ledger of run {entry.run_id}"
    try:
        token = proc.environ().get(TOKEN_ENV)
    except (psutil.AccessDenied, psutil.NoSuchProcess):
        return False, "not started by regress (environment not readable)"
    for entry in entries:
        if token is not None and token == entry.token:
            return True, f"carries run token of run {entry.run_id}"
    return False, "not started by regress"

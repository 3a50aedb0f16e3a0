"""Finding processes by the run token in their environment, and stopping them.

Every process regress starts carries REGRESS_RUN_TOKEN (and REGRESS_ROLE, naming the server or
pytest process that began its chain); children inherit both, so a daemonised server, an orphaned
browser or a test's background helper is found again even after it left its process group.
"""

from __future__ import annotations

import re
import time
from collections.abc import Collection
from dataclasses import dataclass

import psutil

from regress.proc.ledger import ROLE_ENV, TOKEN_ENV
from regress.proc.popen import Child, ProcessRef, leftovers, running, stop_processes

_TOKEN = re.compile(r"^regress-(?P<run>.+)-p(?P<pid>\d+)t(?P<ctime>\d+)-[0-9a-f]+$")


@dataclass(frozen=True)
class Found:
    """A live process carrying a run token."""

    pid: int
    create_time: float
    token: str
    role: str
    cmdline: tuple[str, ...]

    def describe(self) -> str:
        """`pid 123 (python -m x)`, the command cut to 120 characters."""
        command = " ".join(self.cmdline) or "?"
        if len(command) > 120:
            command = command[:119] + "…"
        return f"pid {self.pid} ({command})"


@dataclass(frozen=True)
class Sweep:
    """What a sweep stopped, and how long looking and stopping took."""

    stopped: tuple[Found, ...]
    seconds: float
    scanned: int  # processes looked at


def make_token(run_id: str, owner_pid: int, owner_create_time: float, salt: str) -> str:
    """A run token that names its owner, so any regress can tell whether the owner lives."""
    return f"regress-{run_id}-p{owner_pid}t{round(owner_create_time * 100)}-{salt}"


def token_owner(token: str) -> tuple[str, int, float] | None:
    """(run id, owner pid, owner create time) from a token made by make_token, else None."""
    match = _TOKEN.match(token)
    if match is None:
        return None
    return match["run"], int(match["pid"]), int(match["ctime"]) / 100


def owner_alive(token: str) -> bool | None:
    """Whether the regress process named in the token runs; None if the token names none."""
    owner = token_owner(token)
    if owner is None:
        return None
    _, pid, create_time = owner
    try:
        proc = psutil.Process(pid)
        return abs(proc.create_time() - create_time) < 0.02 and running(pid, proc.create_time())
    except psutil.Error:
        return False


def carrying(tokens: Collection[str], *, role: str | None = None) -> tuple[tuple[Found, ...], int]:
    """Live processes whose environment carries one of tokens (and, with role, whose
    REGRESS_ROLE is that role); never this process or its ancestors.

    Returns:
        The processes found and how many processes were looked at.
    """
    wanted = set(tokens)
    if not wanted:
        return (), 0
    me = psutil.Process()
    skip = {me.pid, *(p.pid for p in me.parents())}
    found: list[Found] = []
    scanned = 0
    for proc in psutil.process_iter():
        if proc.pid in skip:
            continue
        scanned += 1
        try:
            env = proc.environ()
            token = env.get(TOKEN_ENV)
            if token not in wanted or (role is not None and env.get(ROLE_ENV) != role):
                continue
            if proc.status() == psutil.STATUS_ZOMBIE:
                continue
            found.append(
                Found(
                    proc.pid,
                    proc.create_time(),
                    token or "",
                    env.get(ROLE_ENV, ""),
                    tuple(proc.cmdline()),
                )
            )
        except (psutil.Error, OSError):
            continue  # gone, a zombie, or not ours to read
    return tuple(found), scanned


def sweep(tokens: Collection[str], *, role: str | None = None, grace: float = 2.0) -> Sweep:
    """Stop every process carrying one of tokens (with role, only that role's chain)."""
    started = time.monotonic()
    found, scanned = carrying(tokens, role=role)
    refs = [ProcessRef(f.pid, f.create_time, group=False) for f in found]
    results = stop_processes(refs, grace) if refs else ()
    stopped = tuple(f for f, result in zip(found, results, strict=True) if result is not None)
    return Sweep(stopped, time.monotonic() - started, scanned)


def carries_token(pid: int | None, token: str) -> bool:
    """Whether process pid carries run token `token` in its environment (started under it)."""
    if pid is None or not token:
        return False
    try:
        return bool(psutil.Process(pid).environ().get(TOKEN_ENV) == token)
    except psutil.Error:
        return False


def stop_leftovers(child: Child, token: str, role: str, grace: float = 2.0) -> tuple[str, ...]:
    """After a process chain should have ended: stop its process group's leftovers and every
    process carrying its token and role (daemonised or orphaned children); describe each."""
    found, _ = carrying({token}, role=role)
    refs = {ref.pid: ref for ref in leftovers(child)}
    refs.update({f.pid: ProcessRef(f.pid, f.create_time, group=False) for f in found})
    if not refs:
        return ()
    described = {f.pid: f.describe() for f in found}
    for pid in refs:
        if pid not in described:
            described[pid] = _describe_pid(pid)
    results = stop_processes(list(refs.values()), grace)
    return tuple(
        described[ref.pid] for ref, result in zip(refs.values(), results, strict=True) if result
    )


def _describe_pid(pid: int) -> str:
    try:
        command = " ".join(psutil.Process(pid).cmdline()) or "?"
    except psutil.Error:
        command = "?"
    return f"pid {pid} ({command[:119] + '…' if len(command) > 120 else command})"

"""The one place that starts processes: own process group, log file, escalating shutdown."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from regress.errors import RegressError

POLL_INTERVAL = 0.02  # seconds between checks while waiting for processes
KILL_WAIT = 5.0  # seconds to wait for SIGKILLed processes to disappear
_SAME_TIME = 0.01  # create times closer than this are the same process (clock tick is 10 ms)


@dataclass(frozen=True)
class StopResult:
    """How a stop went: seconds taken, exit code (None if not ours to reap), SIGKILL needed."""

    duration: float
    returncode: int | None
    killed: bool


@dataclass(frozen=True, eq=False)
class Child:
    """A process started by spawn: leader of its own process group, output appended to a log."""

    argv: tuple[str, ...]
    log_path: Path
    log_offset: int  # size of the log before this child wrote to it
    create_time: float
    _process: subprocess.Popen[bytes] = field(repr=False)

    @property
    def pid(self) -> int:
        """Process id, also the id of the child's process group."""
        return self._process.pid

    @property
    def returncode(self) -> int | None:
        """Exit code once reaped (negative: killed by that signal), else None."""
        return self._process.returncode

    def poll(self) -> int | None:
        """Reap the child if it has exited; its exit code, or None while it runs."""
        code = self._process.poll()
        if code is not None:
            _LIVE.pop(self.pid, None)
        return code

    def wait(self, timeout: float) -> int | None:
        """Wait up to timeout seconds for the child to exit; its exit code, or None."""
        try:
            code = self._process.wait(timeout)
        except subprocess.TimeoutExpired:
            return None
        _LIVE.pop(self.pid, None)
        return code


@dataclass(frozen=True)
class ProcessRef:
    """A process regress did not spawn in this run, named by pid and create time."""

    pid: int
    create_time: float
    group: bool  # also signal its process group, if it leads one (regress-started servers)


_LIVE: dict[int, Child] = {}  # children not yet reaped; plain dict ops are safe in signal handlers


def spawn(
    argv: Sequence[str],
    *,
    cwd: Path,
    env: Mapping[str, str],
    log_path: Path,
    pass_fds: Sequence[int] = (),
) -> Child:
    """Start argv in a new session (own process group), stdout and stderr appended to log_path.

    Args:
        argv: program and arguments; never run through a shell.
        cwd: working directory of the child.
        env: the child's complete environment.
        log_path: file the child's output is appended to (parent directories are created).
        pass_fds: file descriptors the child keeps (all others are closed in the child).

    Returns:
        The running child, registered until it is reaped.
    """
    if not argv:
        raise RegressError(f"cannot start an empty command (log {log_path})")
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as log:
        offset = log.tell()
        try:
            process = subprocess.Popen(
                list(argv),
                cwd=cwd,
                env=dict(env),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                pass_fds=tuple(pass_fds),
            )
        except OSError as exc:
            raise RegressError(
                f"cannot start {argv[0]!r} in {cwd}: {exc.strerror or exc}"
                f"{f' ({exc.filename})' if exc.filename else ''}"
            ) from exc
    try:
        create_time = psutil.Process(process.pid).create_time()
    except psutil.Error:  # unreachable while unreaped; keep a usable value anyway
        create_time = time.time()
    child = Child(tuple(argv), log_path, offset, create_time, process)
    _LIVE[child.pid] = child
    return child


def live_children() -> tuple[Child, ...]:
    """Children spawned and not yet reaped."""
    return tuple(_LIVE.values())


def stop(child: Child, grace: float) -> StopResult:
    """SIGTERM the child's group, wait up to grace, then SIGKILL the group and escaped descendants.

    Args:
        child: a child from spawn (already exited is fine: leftovers in its group are swept).
        grace: seconds between SIGTERM and SIGKILL.

    Returns:
        Duration, exit code and whether SIGKILL was needed.
    """
    return _stop([_Target.of_child(child)], grace)[0]


def kill_tree(child: Child) -> StopResult:
    """SIGKILL the child's group and descendants at once (timeouts)."""
    return _stop([_Target.of_child(child)], 0.0)[0]


def leftovers(child: Child) -> tuple[ProcessRef, ...]:
    """Live members of the child's process group and descendants, once the child has exited
    (what it left behind when it ended normally)."""
    return tuple(
        ProcessRef(p.pid, p.create_time(), group=False)
        for p in _collect(child.pid, child.create_time, group=True)
        if _alive(p)
    )


def stop_all(grace: float) -> tuple[StopResult, ...]:
    """Stop every live child in parallel (Ctrl-C, crash); each one stopped leaves the registry.

    A child spawned meanwhile (by another thread) stays registered, for the next call to stop.
    """
    targets = [_Target.of_child(child) for child in live_children()]
    results = _stop(targets, grace)
    for target in targets:
        if _LIVE.get(target.pid) is target.child:
            _LIVE.pop(target.pid, None)  # the child may have just been reaped by its thread
    return results


def stop_processes(refs: Sequence[ProcessRef], grace: float) -> tuple[StopResult | None, ...]:
    """Stop processes by reference in parallel; None for one that is gone or whose pid was reused.

    Args:
        refs: processes to stop; only a ref with group=True that leads its group has the group
            signalled, otherwise the process and its descendants.
        grace: seconds between SIGTERM and SIGKILL.

    Returns:
        One result per ref, in order.
    """
    targets: list[_Target | None] = [_Target.of_ref(ref) for ref in refs]
    results = iter(_stop([t for t in targets if t is not None], grace))
    return tuple(None if t is None else next(results) for t in targets)


def running(pid: int, create_time: float) -> bool:
    """Whether pid is a live (not zombie) process started at create_time."""
    try:
        proc = psutil.Process(pid)
        return same_time(proc.create_time(), create_time) and _alive(proc)
    except psutil.Error:
        return False


def same_time(a: float, b: float) -> bool:
    """Whether two process create times denote the same process."""
    return abs(a - b) < _SAME_TIME


@dataclass(eq=False)
class _Target:
    """Bookkeeping for one process being stopped (internal, mutable)."""

    pid: int
    create_time: float
    group: bool
    child: Child | None
    proc: psutil.Process | None
    others: list[psutil.Process]  # descendants and group members, collected before signalling
    done_at: float | None = None
    killed: bool = False

    @classmethod
    def of_child(cls, child: Child) -> _Target:
        others = _collect(child.pid, child.create_time, group=True)
        return cls(child.pid, child.create_time, True, child, None, others)

    @classmethod
    def of_ref(cls, ref: ProcessRef) -> _Target | None:
        try:
            proc = psutil.Process(ref.pid)
            if not same_time(proc.create_time(), ref.create_time) or not _alive(proc):
                return None
            group = ref.group and os.getpgid(ref.pid) == ref.pid
        except (psutil.Error, ProcessLookupError):
            return None
        others = _collect(ref.pid, ref.create_time, group=group)
        return cls(ref.pid, ref.create_time, group, None, proc, others)

    def leader_done(self) -> bool:
        if self.child is not None:
            return self.child.poll() is not None or not running(self.pid, self.create_time)
        return self.proc is None or not _alive(self.proc)

    def done(self) -> bool:
        return self.leader_done() and not any(_alive(p) for p in self.others)

    def signal(self, sig: signal.Signals) -> None:
        if self.group:
            _killpg(self.pid, self.create_time, sig)
        elif self.proc is not None:
            with contextlib.suppress(psutil.Error):
                self.proc.send_signal(sig)
        for other in self.others:
            if self.group and sig != signal.SIGKILL and _pgid(other.pid) == self.pid:
                continue  # already signalled through the group; do not signal twice
            with contextlib.suppress(psutil.Error):
                other.send_signal(sig)  # psutil refuses if the pid was reused


def _stop(targets: list[_Target], grace: float) -> tuple[StopResult, ...]:
    started = time.monotonic()
    if grace > 0:
        for target in targets:
            target.signal(signal.SIGTERM)
        _wait_done(targets, started + grace)
    for target in targets:
        if target.done_at is None and not target.done():
            target.killed = True
        target.signal(signal.SIGKILL)  # also sweeps group members that appeared late
    _wait_done(targets, time.monotonic() + KILL_WAIT)
    results = []
    for target in targets:
        code = target.child.poll() if target.child is not None else None
        finished = target.done_at if target.done_at is not None else time.monotonic()
        results.append(StopResult(finished - started, code, target.killed))
    return tuple(results)


def _wait_done(targets: Sequence[_Target], deadline: float) -> None:
    pause = 0.001  # most processes exit within milliseconds of SIGTERM: poll fast, then back off
    while True:
        now = time.monotonic()
        pending = [t for t in targets if t.done_at is None]
        for target in pending:
            if target.done():
                target.done_at = now
        if all(t.done_at is not None for t in pending) or now >= deadline:
            return
        time.sleep(min(pause, max(deadline - now, 0.0)))
        pause = min(pause * 2, POLL_INTERVAL)


def _collect(pid: int, create_time: float, *, group: bool) -> list[psutil.Process]:
    """Live descendants of pid plus (with group) the other members of its process group."""
    found: dict[int, psutil.Process] = {}
    try:
        leader = psutil.Process(pid)
        if not same_time(leader.create_time(), create_time):
            return []  # pid reused by another process: nothing reachable through it is ours
        for proc in leader.children(recursive=True):
            found[proc.pid] = proc
    except psutil.Error:
        pass  # leader gone; members left in its group still hold its pid as their group id
    if group:
        for proc in psutil.process_iter():
            if proc.pid != pid and proc.pid not in found and _pgid(proc.pid) == pid:
                found[proc.pid] = proc
    return [proc for proc in found.values() if _alive(proc)]


def _killpg(pgid: int, create_time: float, sig: signal.Signals) -> None:
    """Signal a group we created, unless its leader's pid now belongs to another process."""
    try:
        leader_time = psutil.Process(pgid).create_time()
    except psutil.Error:
        leader_time = None  # leader reaped: the group, if any is left, is ours
    if leader_time is not None and not same_time(leader_time, create_time):
        return
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def _pgid(pid: int) -> int | None:
    try:
        return os.getpgid(pid)
    except OSError:
        return None


def _alive(proc: psutil.Process) -> bool:
    try:
        return proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
    except psutil.AccessDenied:
        return True


@dataclass(frozen=True)
class Captured:
    """A short query's outcome: exit code (None if it could not run or timed out) and text."""

    returncode: int | None
    stdout: str
    error: str = ""  # why it could not run, or its stderr when it exited non-zero
    stderr: str = ""


def capture(
    argv: Sequence[str],
    *,
    cwd: Path | None = None,
    timeout: float,
    env: Mapping[str, str] | None = None,
) -> Captured:
    """Run a short query (git, chromium --version) to completion and collect its stdout
    (stderr too when it fails)."""
    try:
        done = subprocess.run(  # noqa: PLW1510 - the exit code is reported, not raised
            list(argv),
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=timeout,
            env=None if env is None else dict(env),
        )
    except (OSError, subprocess.SubprocessError) as exc:
        return Captured(None, "", str(exc))
    failed = done.stderr if done.returncode else ""
    return Captured(done.returncode, done.stdout, failed, stderr=done.stderr)

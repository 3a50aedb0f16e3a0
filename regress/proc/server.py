"""Starting a suite's server, waiting until it is ready, and tearing it down."""

from __future__ import annotations

import http.client
import os
import socket
import string
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from regress.errors import RegressError
from regress.manifest.model import ReadyKind, ServerSpec
from regress.proc.interpreter import with_interpreter
from regress.proc.ledger import ROLE_ENV, TOKEN_ENV, Ledger
from regress.proc.popen import POLL_INTERVAL, Child, spawn, stop
from regress.proc.ports import PORT_WAIT, wait_free

PLACEHOLDERS = ("python", "port", "host", "data_dir", "suite_dir")
LOG_TAIL_LINES = 30
_PROBE_TIMEOUT = 1.0  # seconds one readiness probe may take
_TAIL_BYTES = 64 * 1024  # enough for 30 lines of any sane log


class ServerStartError(RegressError):
    """A server exited while starting or was not ready by its deadline."""

    def __init__(
        self,
        message: str,
        *,
        server: str,
        port: int,
        returncode: int | None,
        log_tail: tuple[str, ...],
    ) -> None:
        super().__init__(message)
        self.server = server
        self.port = port
        self.returncode = returncode  # None: it was still running at the deadline
        self.log_tail = log_tail


@dataclass(frozen=True)
class RunningServer:
    """A server that answered its readiness probe."""

    name: str
    pid: int
    host: str
    port: int
    url: str  # http://host:port
    log_path: Path
    ready_seconds: float  # from spawn to the first successful probe
    child: Child


@dataclass(frozen=True)
class Teardown:
    """How a server stopped: seconds (including the wait for its port), SIGKILL, port free."""

    seconds: float
    killed: bool
    port_freed: bool
    returncode: int | None


def render_command(
    spec: ServerSpec, *, port: int, python: str, data_dir: Path, suite_dir: Path
) -> list[str]:
    """The server's argument list with {python} {port} {host} {data_dir} {suite_dir} filled in.

    Returns:
        One string per command argument.

    Raises:
        RegressError: an argument uses an unknown placeholder or broken brace syntax.
    """
    values = {
        "python": python,
        "port": str(port),
        "host": spec.host,
        "data_dir": str(data_dir),
        "suite_dir": str(suite_dir),
    }
    return [_fill(arg, values, spec.name) for arg in spec.command]


def ready_url(spec: ServerSpec, *, port: int) -> str:
    """The URL an HTTP readiness check requests (the server root if the manifest names none)."""
    template = spec.ready.url or "http://{host}:{port}/"
    url = _fill(template, {"host": spec.host, "port": str(port)}, spec.name)
    if urlsplit(url).scheme != "http":
        raise RegressError(f"server {spec.name!r}: ready url {url!r} must start with http://")
    return url


def ready_target(spec: ServerSpec, *, port: int) -> str:
    """What a readiness wait waits for, for people: the probe URL, or `tcp HOST:PORT`."""
    if spec.ready.kind is ReadyKind.HTTP:
        return ready_url(spec, port=port)
    return f"tcp {spec.host}:{port}"


def start_server(
    spec: ServerSpec,
    *,
    port: int,
    log_path: Path,
    env: Mapping[str, str],
    run_id: str,
    token: str,
    ledger: Ledger,
    data_dir: Path,
    suite_dir: Path,
    python: str = sys.executable,
    role: str | None = None,
) -> RunningServer:
    """Start spec's server in its own process group and wait until its readiness probe passes.

    Args:
        spec: the server to start; its command, env, cwd, ready check and grace are used.
        port: the port it must serve on.
        log_path: file receiving the server's stdout and stderr.
        env: extra environment (over os.environ and spec.env); REGRESS_RUN_TOKEN is added.
        run_id: the run recorded in the ledger.
        token: the run token recorded in the ledger and given to the server.
        ledger: where the server is recorded while it runs.
        data_dir: value of {data_dir}.
        suite_dir: value of {suite_dir}.
        python: value of {python}.
        role: REGRESS_ROLE for the server's process chain (None: keep the caller's), so the
            processes it leaves behind can be found after it stopped.

    Returns:
        The ready server.

    Raises:
        ServerStartError: the server exited while starting or was not ready in time; it has
            been stopped and forgotten.
        RegressError: the command cannot be rendered or started.
    """
    argv = render_command(spec, port=port, python=python, data_dir=data_dir, suite_dir=suite_dir)
    url = ready_url(spec, port=port) if spec.ready.kind is ReadyKind.HTTP else ""
    full_env = with_interpreter({**os.environ, **dict(spec.env), **env, TOKEN_ENV: token})
    if role is not None:
        full_env[ROLE_ENV] = role
    started = time.monotonic()
    child = spawn(argv, cwd=spec.cwd, env=full_env, log_path=log_path)
    try:
        ledger.record(
            pid=child.pid,
            create_time=child.create_time,
            port=port,
            run_id=run_id,
            token=token,
            argv=argv,
        )
        _await_ready(spec, child, port, url, started)
    except BaseException:
        stop(child, spec.grace)
        ledger.forget(child.pid)
        raise
    return RunningServer(
        name=spec.name,
        pid=child.pid,
        host=spec.host,
        port=port,
        url=f"http://{spec.host}:{port}",
        log_path=log_path,
        ready_seconds=time.monotonic() - started,
        child=child,
    )


def stop_server(
    server: RunningServer, ledger: Ledger, grace: float, *, port_timeout: float = PORT_WAIT
) -> Teardown:
    """SIGTERM the server's group, SIGKILL after grace, wait for its port, forget it.

    Returns:
        Seconds taken, whether SIGKILL was needed, whether the port is free, exit code.
    """
    started = time.monotonic()
    result = stop(server.child, grace)
    freed = wait_free(server.port, port_timeout, host=server.host)
    ledger.forget(server.pid)
    return Teardown(time.monotonic() - started, result.killed, freed, result.returncode)


def log_tail(path: Path, offset: int = 0, lines: int = LOG_TAIL_LINES) -> tuple[str, ...]:
    """The last lines of a log written from offset on (empty if there is no log)."""
    try:
        with path.open("rb") as handle:
            size = handle.seek(0, os.SEEK_END)
            handle.seek(max(offset, size - _TAIL_BYTES))
            data = handle.read()
    except OSError:
        return ()
    return tuple(data.decode("utf-8", errors="replace").splitlines()[-lines:])


def _fill(template: str, values: Mapping[str, str], server: str) -> str:
    known = " ".join(f"{{{name}}}" for name in values)
    try:
        for _, name, _, _ in string.Formatter().parse(template):
            if name is not None and name not in values:
                raise RegressError(
                    f"server {server!r}: unknown placeholder {{{name}}} in {template!r}; "
                    f"use one of {known} (write {{{{ and }}}} for literal braces)"
                )
        return template.format_map(values)
    except ValueError as exc:
        raise RegressError(
            f"server {server!r}: cannot fill {template!r}: {exc}; placeholders are {known}"
        ) from exc


def _await_ready(spec: ServerSpec, child: Child, port: int, url: str, started: float) -> None:
    """Probe every POLL_INTERVAL until ready; raise ServerStartError on exit or deadline."""
    deadline = started + spec.ready.timeout
    detail = "no probe yet"
    while True:
        tick = time.monotonic()
        code = child.poll()
        if code is None:
            ready, detail = _probe(spec, port, url, min(_PROBE_TIMEOUT, max(deadline - tick, 0.05)))
            code = child.poll()  # a probe answered by another process does not count
            if ready and code is None:
                return
        if code is not None:
            raise _start_error(
                spec,
                child,
                port,
                f"exited with code {code} while starting "
                f"({time.monotonic() - started:.1f}s after launch)",
            )
        now = time.monotonic()
        if now >= deadline:
            raise _start_error(
                spec, child, port, f"not ready after {spec.ready.timeout:g}s (last probe: {detail})"
            )
        time.sleep(max(0.0, min(tick + POLL_INTERVAL, deadline) - now))


def _probe(spec: ServerSpec, port: int, url: str, timeout: float) -> tuple[bool, str]:
    if spec.ready.kind is ReadyKind.TCP:
        try:
            with socket.create_connection((spec.host, port), timeout=timeout):
                return True, "connected"
        except OSError as exc:
            return False, f"TCP {spec.host}:{port}: {exc.strerror or exc}"
    parts = urlsplit(url)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    conn = http.client.HTTPConnection(
        parts.hostname or spec.host, parts.port or 80, timeout=timeout
    )
    try:
        conn.request("GET", target)
        with conn.getresponse() as response:
            status = response.status
    except (OSError, http.client.HTTPException) as exc:
        return False, f"GET {url}: {getattr(exc, 'strerror', None) or exc or type(exc).__name__}"
    finally:
        conn.close()
    return status < 500, f"GET {url}: HTTP {status}"


def _start_error(spec: ServerSpec, child: Child, port: int, what: str) -> ServerStartError:
    tail = log_tail(child.log_path, child.log_offset)
    shown = "\n".join(f"  | {line}" for line in tail) or "  (no output)"
    return ServerStartError(
        f"server {spec.name!r} on port {port} {what}; "
        f"last {len(tail)} lines of {child.log_path}:\n{shown}",
        server=spec.name,
        port=port,
        returncode=child.returncode,
        log_tail=tail,
    )

"""Steps "start servers" and "stop servers": the suite-scoped servers of one pass, around pytest.

Suites with `scope: test` start a fresh server per test from the pytest plugin instead.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from regress.errors import RegressError
from regress.judging.results import PassKind
from regress.manifest.model import Scope, Suite
from regress.proc.ports import is_free, wait_free
from regress.proc.server import RunningServer, ready_target, start_server, stop_server
from regress.proc.sweep import stop_leftovers
from regress.running.events import waiting_for
from regress.running.evidence import ServerTimes
from regress.running.recorder import Recorder
from regress.running.setup import RunSetup

PORT_WAIT_SECONDS = 15.0


@dataclass
class ServerSet:
    """The servers of one pass: those running, those that failed to start, teardown times."""

    running: dict[str, RunningServer] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)  # suite -> why its server did not start
    teardowns: dict[str, float] = field(default_factory=dict)  # suite -> seconds, after the block
    leaks: dict[str, tuple[str, ...]] = field(default_factory=dict)  # suite -> left behind
    times: dict[str, ServerTimes] = field(default_factory=dict)  # suite -> epoch seconds
    takeovers: dict[str, str] = field(default_factory=dict)  # suite -> whose server was used

    def check_takeovers(self) -> None:
        """After pytest: a regress server that died while the tests ran was replaced (the
        tests' own fixtures kill the port holder and start their own), so its log and data
        are of a server nobody used."""
        for name, server in self.running.items():
            code = server.child.poll()
            if code is not None and name not in self.takeovers:
                self.takeovers[name] = (
                    f"port {server.port} taken over: regress's server '{server.name}' "
                    f"(pid {server.pid}) exited with {code} while the tests ran; their own "
                    "fixtures start a server there - declare the suite with 'ports: "
                    f"[{server.port}]' and no 'server'"
                )

    def url(self, suite: str) -> str | None:
        """The suite's server URL, if regress started one for it."""
        server = self.running.get(suite)
        return server.url if server else None

    def ready_seconds(self, suite: str) -> float | None:
        """Seconds from spawn to ready of the suite's server, if it has one."""
        server = self.running.get(suite)
        return server.ready_seconds if server else None


@contextlib.contextmanager
def suite_servers(
    setup: RunSetup,
    recorder: Recorder,
    suites: Sequence[Suite],
    directory: Path,
    kind: PassKind,
) -> Iterator[ServerSet]:
    """Start the suite-scoped servers of these suites under directory/<suite>/, yield them, then
    stop them, and whatever they left (a daemonised server is found by its run token and
    role), and wait until every suite's port is free (a note when one stays busy)."""
    servers = ServerSet()
    try:
        for suite in suites:
            if suite.scope is Scope.SUITE and suite.server is not None:
                _start(setup, servers, suite, directory / suite.name, kind)
        yield servers
    finally:
        servers.check_takeovers()
        for name, server in servers.running.items():
            grace = setup.selection.manifest.suite(name).grace
            with waiting_for(setup.sink, f"server '{server.name}' of suite {name} to stop"):
                servers.teardowns[name] = stop_server(server, setup.ledger, grace).seconds
            if name in servers.times:
                servers.times[name] = replace(servers.times[name], stopped=time.time())
            left = stop_leftovers(server.child, setup.token, server_role(kind, name))
            if left:
                servers.leaks[name] = left
        for suite in suites:
            for port in suite.ports:
                if is_free(port):
                    continue
                with waiting_for(setup.sink, f"port {port} to be free (suite {suite.name})"):
                    freed = wait_free(port, PORT_WAIT_SECONDS)
                if not freed:
                    recorder.note(
                        f"port {port} still busy {PORT_WAIT_SECONDS:.0f}s after suite {suite.name}"
                    )


def server_role(kind: PassKind, suite: str) -> str:
    """REGRESS_ROLE of a suite's server and everything it starts."""
    return f"server:{kind.value}:{suite}"


def pytest_role(kind: PassKind, suite: str) -> str:
    """REGRESS_ROLE of a pytest process (suite "all" in the combined pass)."""
    return f"pytest:{kind.value}:{suite}"


def _start(
    setup: RunSetup, servers: ServerSet, suite: Suite, suite_dir: Path, kind: PassKind
) -> None:
    suite_dir.mkdir(parents=True, exist_ok=True)
    assert suite.server is not None  # only suites with a server are started
    try:
        target = ready_target(suite.server, port=suite.port)
        with waiting_for(setup.sink, f"{target} (suite {suite.name})"):
            server = start_server(
                suite.server,
                port=suite.port,
                log_path=suite_dir / "server.log",
                env={},
                run_id=setup.run_id,
                token=setup.token,
                ledger=setup.ledger,
                data_dir=suite_dir / "data",
                suite_dir=suite_dir,
                role=server_role(kind, suite.name),
            )
    except RegressError as exc:  # did not start, or its command cannot be started at all
        servers.errors[suite.name] = exc.message
        return
    servers.running[suite.name] = server
    ready = time.time()
    servers.times[suite.name] = ServerTimes(started=ready - server.ready_seconds, ready=ready)
    setup.sink.message(
        f"{suite.name}: server '{suite.server.name}' ready on port {suite.port} "
        f"in {server.ready_seconds * 1000:.0f} ms"
    )

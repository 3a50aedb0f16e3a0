"""ports and ledger: who holds a port, which holders regress may stop, stale ledger cleanup."""

from __future__ import annotations

import json
import os
import socket
import sys
from collections.abc import Callable
from pathlib import Path

import psutil
import pytest

from regress.proc import popen
from regress.proc.ledger import TOKEN_ENV, Ledger
from regress.proc.ports import free_port, free_ports, is_free, listeners, wait_free

Launch = Callable[..., popen.Child]  # the conftest fixture
ROOT = Path(__file__).resolve().parents[2]


def _record(ledger: Ledger, child: popen.Child, port: int, run_id: str = "r1") -> None:
    ledger.record(
        pid=child.pid,
        create_time=child.create_time,
        port=port,
        run_id=run_id,
        token=f"token-{run_id}",
        argv=child.argv,
    )


def _record_by_crashed_run(ledger: Ledger, tmp_path: Path, **entry: object) -> None:
    """Record an entry from another regress process that then ends, as a crashed run would."""
    code = (
        "import json, sys; from pathlib import Path; from regress.proc.ledger import Ledger; "
        "Ledger(Path(sys.argv[1])).record(**json.loads(sys.argv[2]))"
    )
    child = popen.spawn(
        [sys.executable, "-c", code, str(ledger.path), json.dumps(entry)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        log_path=tmp_path / "crashed-run.log",
    )
    assert child.wait(20) == 0, child.log_path.read_text()


def test_free_port_is_free_and_listeners_empty() -> None:
    port = free_port()

    assert is_free(port)
    assert wait_free(port, 0.1)
    assert listeners([port]) == ()


def test_recorded_holder_is_freed(launch: Launch, ledger: Ledger) -> None:
    port = free_port()
    squatter = launch("squatter.py", str(port))
    _record(ledger, squatter, port, run_id="r7")
    assert not is_free(port)

    outcome = free_ports([port], ledger=ledger, force=False, grace=1.0)

    assert [(h.pid, h.ours, h.reason) for h in outcome.freed] == [
        (squatter.pid, True, "in ledger of run r7")
    ]
    assert (outcome.refused, outcome.busy) == ((), ())
    assert not outcome.blocked
    assert squatter.wait(5) == -15
    assert is_free(port)
    assert ledger.entries() == ()


def test_holder_carrying_known_token_is_freed(launch: Launch, ledger: Ledger) -> None:
    port = free_port()
    # The recorded server forks a worker that listens: the worker is not in the ledger by pid.
    server = launch("squatter.py", str(port), "--fork", env={TOKEN_ENV: "token-r2"})
    _record(ledger, server, port + 1, run_id="r2")
    (holder,) = listeners([port], ledger=ledger)
    assert holder.pid != server.pid
    assert (holder.ours, holder.reason) == (True, "carries run token of run r2")

    outcome = free_ports([port], ledger=ledger, force=False, grace=1.0)

    assert outcome.freed == (holder,)
    assert is_free(port)
    assert server.poll() is None  # only the listener was stopped, not its parent's group


def test_foreign_holder_is_refused_and_named(launch: Launch, ledger: Ledger) -> None:
    port = free_port()
    squatter = launch("squatter.py", str(port))
    ledger.record(pid=1, create_time=0.0, port=port, run_id="x", token="token-x", argv=["a"])

    outcome = free_ports([port], ledger=ledger, force=False, grace=1.0)

    (holder,) = outcome.refused
    assert outcome.freed == ()
    assert outcome.blocked
    assert holder.pid == squatter.pid
    assert holder.user == psutil.Process().username()
    assert holder.cmdline == squatter.argv
    assert (holder.ours, holder.reason) == (False, "not started by regress")
    assert f"pid {squatter.pid} ({holder.user}) {sys.executable}" in holder.describe()
    assert squatter.poll() is None
    assert not is_free(port)


def test_foreign_holder_is_freed_with_force(launch: Launch, ledger: Ledger) -> None:
    port = free_port()
    squatter = launch("squatter.py", str(port), "--ignore-term")

    outcome = free_ports([port], ledger=ledger, force=True, grace=0.3)

    assert [(h.pid, h.ours) for h in outcome.freed] == [(squatter.pid, False)]
    assert squatter.wait(5) == -9
    assert is_free(port)


def test_connected_client_is_never_touched(launch: Launch, ledger: Ledger) -> None:
    port = free_port()
    server = launch("squatter.py", str(port))
    client = launch("squatter.py", str(port), "--connect", ready="connected")
    _record(ledger, server, port)

    (holder,) = listeners([port], ledger=ledger)
    outcome = free_ports([port], ledger=ledger, force=True, grace=1.0)

    assert holder.pid == server.pid
    assert outcome.freed == (holder,)
    assert server.wait(5) is not None
    assert client.poll() is None


def test_port_held_by_this_process_is_listed() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        (holder,) = listeners([port, port + 1])
        assert not is_free(port)
        assert not wait_free(port, 0.05)

    assert (holder.port, holder.pid, holder.ours) == (port, os.getpid(), False)
    assert is_free(port)


def test_cleanup_stops_alive_process_of_crashed_run(
    launch: Launch, ledger: Ledger, tmp_path: Path
) -> None:
    squatter = launch("squatter.py", str(free_port()), "--ignore-term")
    _record_by_crashed_run(
        ledger,
        tmp_path,
        pid=squatter.pid,
        create_time=squatter.create_time,
        port=1,
        run_id="old",
        token="t-old",
        argv=list(squatter.argv),
    )

    stopped = ledger.cleanup_stale(grace=0.2)

    assert [(e.pid, e.run_id) for e in stopped] == [(squatter.pid, "old")]
    assert squatter.wait(5) == -9
    assert ledger.entries() == ()


def test_cleanup_never_kills_a_reused_pid(launch: Launch, ledger: Ledger, tmp_path: Path) -> None:
    squatter = launch("squatter.py", str(free_port()))
    _record_by_crashed_run(
        ledger,
        tmp_path,
        pid=squatter.pid,
        create_time=squatter.create_time - 50.0,
        port=1,
        run_id="old",
        token="t-old",
        argv=["something-else"],
    )

    assert ledger.cleanup_stale(grace=0.2) == []
    assert squatter.poll() is None
    assert ledger.entries() == ()


def test_cleanup_keeps_entries_of_a_live_run(launch: Launch, ledger: Ledger) -> None:
    squatter = launch("squatter.py", str(free_port()))
    _record(ledger, squatter, 1)  # recorded by this (live) process

    assert ledger.cleanup_stale(grace=0.2) == []
    assert squatter.poll() is None
    assert [e.pid for e in ledger.entries()] == [squatter.pid]
    assert ledger.owns(squatter.pid, squatter.create_time)
    assert not ledger.owns(squatter.pid, squatter.create_time + 1.0)


@pytest.mark.parametrize(
    "content",
    [
        pytest.param("{not json", id="not-json"),
        pytest.param('{"version": 1, "entries": [{"pid": "7"}]}', id="bad-entry"),
        pytest.param("[]", id="not-a-ledger"),
    ],
)
def test_corrupt_ledger_is_set_aside(ledger: Ledger, content: str) -> None:
    ledger.path.parent.mkdir(parents=True)
    ledger.path.write_text(content)

    assert ledger.entries() == ()
    corrupt = ledger.path.with_name("ledger.json.corrupt")
    assert ledger.recovered == corrupt
    assert corrupt.read_text() == content
    ledger.record(pid=5, create_time=1.0, port=2, run_id="r", token="t", argv=["a"])
    assert [e.pid for e in ledger.entries()] == [5]
    assert ledger.known_tokens() == frozenset({"t"})
    assert sorted(p.name for p in ledger.path.parent.iterdir()) == [
        "ledger.json",
        "ledger.json.corrupt",
        "ledger.json.lock",
    ]

"""server: command rendering, readiness over HTTP and TCP, start failures, teardown."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from regress.errors import RegressError
from regress.manifest.model import ReadyCheck, ReadyKind, ServerSpec
from regress.proc.ledger import Ledger
from regress.proc.ports import free_port, is_free
from regress.proc.server import (
    RunningServer,
    ServerStartError,
    render_command,
    start_server,
    stop_server,
)

HTTP_SERVER = str(Path(__file__).with_name("http_server.py"))


def _spec(
    *args: str, kind: ReadyKind = ReadyKind.HTTP, timeout: float = 10.0, url: str = ""
) -> ServerSpec:
    return ServerSpec(
        name="game",
        command=("{python}", HTTP_SERVER, "{port}", *args),
        port=0,
        ready=ReadyCheck(kind, url=url, timeout=timeout),
        grace=1.0,
    )


def _start(spec: ServerSpec, tmp_path: Path, ledger: Ledger, port: int = 0) -> RunningServer:
    return start_server(
        spec,
        port=port or free_port(),
        log_path=tmp_path / "reports" / "run1" / "suite" / "server.log",
        env={"GAME_MODE": "test"},
        run_id="run1",
        token="tok-1",
        ledger=ledger,
        data_dir=tmp_path / "data",
        suite_dir=tmp_path / "suite",
    )


def test_render_command_fills_placeholders(tmp_path: Path) -> None:
    spec = ServerSpec(
        name="game",
        command=(
            "{python}",
            "-m",
            "srv",
            "--bind={host}:{port}",
            "{data_dir}/x",
            "{suite_dir}",
            "{{}}",
        ),
        port=0,
        ready=ReadyCheck(ReadyKind.TCP),
        host="0.0.0.0",
    )

    argv = render_command(
        spec, port=8123, python="/py", data_dir=tmp_path / "d", suite_dir=tmp_path / "s"
    )

    assert argv == [
        "/py",
        "-m",
        "srv",
        "--bind=0.0.0.0:8123",
        f"{tmp_path}/d/x",
        f"{tmp_path / 's'}",
        "{}",
    ]


@pytest.mark.parametrize(
    ("argument", "message"),
    [
        pytest.param(
            "--out={log_dir}", "server 'game': unknown placeholder {log_dir}", id="unknown"
        ),
        pytest.param("{port.real}", "unknown placeholder {port.real}", id="attribute"),
        pytest.param("{}", "unknown placeholder {}", id="positional"),
        pytest.param("{port", "server 'game': cannot fill '{port'", id="unclosed"),
    ],
)
def test_render_command_rejects_bad_placeholders(
    tmp_path: Path, argument: str, message: str
) -> None:
    spec = ServerSpec("game", ("{python}", argument), 0, ReadyCheck(ReadyKind.TCP))

    with pytest.raises(RegressError) as info:
        render_command(spec, port=1, python="p", data_dir=tmp_path, suite_dir=tmp_path)

    assert message in info.value.message


@pytest.mark.parametrize("kind", [ReadyKind.HTTP, ReadyKind.TCP])
def test_start_waits_for_readiness_and_stop_frees_port(
    tmp_path: Path, ledger: Ledger, kind: ReadyKind
) -> None:
    server = _start(_spec("--delay", "0.3", kind=kind), tmp_path, ledger)

    assert not is_free(server.port)
    assert 0.3 <= server.ready_seconds < 3.0
    assert server.url == f"http://127.0.0.1:{server.port}"
    (entry,) = ledger.entries()
    assert (entry.pid, entry.port, entry.run_id, entry.token) == (
        server.pid,
        server.port,
        "run1",
        "tok-1",
    )

    teardown = stop_server(server, ledger, grace=2.0)

    assert (teardown.killed, teardown.port_freed, teardown.returncode) == (False, True, -15)
    assert teardown.seconds < 1.5
    assert is_free(server.port)
    assert ledger.entries() == ()


def test_server_gets_token_and_env(tmp_path: Path, ledger: Ledger) -> None:
    spec = ServerSpec(
        name="envdump",
        command=(
            "{python}",
            "-c",
            "import os, time; print(os.environ['REGRESS_RUN_TOKEN'], os.environ['GAME_MODE'], "
            "os.environ['SPEC_VAR'], flush=True); time.sleep(60)",
        ),
        port=0,
        ready=ReadyCheck(ReadyKind.TCP, timeout=0.5),
        env=(("SPEC_VAR", "from-spec"), ("GAME_MODE", "overridden")),
    )

    with pytest.raises(ServerStartError) as info:
        _start(spec, tmp_path, ledger)

    assert info.value.log_tail == ("tok-1 test from-spec",)


def test_crash_at_start_fails_fast_with_last_30_lines(tmp_path: Path, ledger: Ledger) -> None:
    started = time.monotonic()
    with pytest.raises(ServerStartError) as info:
        _start(_spec("--crash-lines", "40", "--exit", "3", timeout=30.0), tmp_path, ledger)

    assert time.monotonic() - started < 5.0
    error = info.value
    assert (error.server, error.returncode) == ("game", 3)
    assert f"server 'game' on port {error.port} exited with code 3" in error.message
    lines = error.message.splitlines()
    assert all(f"  | crash line {n}" in lines for n in range(11, 41))
    assert not any(f"  | crash line {n}" in lines for n in range(1, 11))
    assert error.log_tail == tuple(f"crash line {n}" for n in range(11, 41))
    assert ledger.entries() == ()


def test_not_ready_by_deadline_is_stopped(tmp_path: Path, ledger: Ledger) -> None:
    port = free_port()
    started = time.monotonic()
    with pytest.raises(ServerStartError) as info:
        _start(_spec("--delay", "30", kind=ReadyKind.TCP, timeout=0.5), tmp_path, ledger, port)

    assert 0.5 <= time.monotonic() - started < 3.0
    assert f"server 'game' on port {port} not ready after 0.5s" in info.value.message
    assert info.value.returncode is None
    assert ledger.entries() == ()


def test_http_500_is_not_ready(tmp_path: Path, ledger: Ledger) -> None:
    with pytest.raises(ServerStartError) as info:
        # long enough for the interpreter to start on a busy machine and answer 500
        _start(_spec("--status", "500", timeout=3.0), tmp_path, ledger)

    assert "not ready after 3s (last probe: GET http://127.0.0.1:" in info.value.message
    assert "HTTP 500" in info.value.message


def test_http_404_is_ready(tmp_path: Path, ledger: Ledger) -> None:
    spec = _spec("--status", "404", url="http://{host}:{port}/health?x=1")
    server = _start(spec, tmp_path, ledger)

    teardown = stop_server(server, ledger, grace=2.0)

    assert teardown.port_freed


def test_teardown_kills_server_ignoring_sigterm(tmp_path: Path, ledger: Ledger) -> None:
    server = _start(_spec("--ignore-term"), tmp_path, ledger)

    teardown = stop_server(server, ledger, grace=0.3)

    assert (teardown.killed, teardown.port_freed, teardown.returncode) == (True, True, -9)
    assert 0.3 <= teardown.seconds < 1.5

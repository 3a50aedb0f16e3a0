"""The real thing: `python -m testbed.server` as a child process, over real HTTP and WebSocket."""

from __future__ import annotations

import contextlib
import csv
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import simple_websocket  # type: ignore[import-untyped]

ROOT = Path(__file__).resolve().parents[2]
DEADLINE = 15.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=2) as response:
        return json.load(response)


def post_json(url: str, body: dict[str, Any]) -> tuple[int, Any]:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.load(error)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], int, Path]]:
    port = free_port()
    data_dir = tmp_path / "exports"
    log = (tmp_path / "server.log").open("wb")
    env = {**os.environ, "REGRESS_RUN_TOKEN": "run-42", "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "testbed.server", "--port", str(port)]
    command += ["--data-dir", str(data_dir), "--max-steps", "3", "--seed", "11"]
    process = subprocess.Popen(
        command, cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        yield process, port, data_dir
    finally:
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=DEADLINE)
        log.close()


def wait_healthy(process: subprocess.Popen[bytes], port: int) -> dict[str, Any]:
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        assert process.poll() is None, "server exited during startup"
        with contextlib.suppress(OSError):
            health: dict[str, Any] = get_json(f"http://127.0.0.1:{port}/healthz")
            return health
        time.sleep(0.1)
    raise AssertionError(f"no /healthz answer on port {port} within {DEADLINE}s")


def ws_json(ws: Any) -> dict[str, Any]:
    text = ws.receive(timeout=5)
    assert text is not None, "no WebSocket message within 5 s"
    message: dict[str, Any] = json.loads(text)
    return message


def test_real_server_pairs_relays_exports_and_stops_on_sigterm(
    server: tuple[subprocess.Popen[bytes], int, Path],
) -> None:
    process, port, data_dir = server
    health = wait_healthy(process, port)
    assert health["run_token"] == "run-42"
    assert health["data_dir"] == str(data_dir)
    assert health["max_steps"] == 3

    first = simple_websocket.Client.connect(f"ws://127.0.0.1:{port}/ws")
    second = simple_websocket.Client.connect(f"ws://127.0.0.1:{port}/ws")
    try:
        first.send(json.dumps({"type": "join", "subjectId": "alice"}))
        assert ws_json(first)["type"] == "waiting"
        second.send(json.dumps({"type": "join", "subjectId": "bob"}))
        match = ws_json(first)
        assert (match["type"], match["playerIndex"], match["partnerId"]) == ("match", 0, "bob")
        assert ws_json(second)["playerIndex"] == 1
        first.send(json.dumps({"type": "relay", "packet": {"frame": 1}}))
        assert ws_json(second) == {"type": "relay", "packet": {"frame": 1}}
    finally:
        first.close()
    assert ws_json(second) == {"type": "partner_left", "partnerFinished": False}
    second.close()

    rows = [[match["gameId"], 0, frame, frame, frame * 2] for frame in range(3)]
    status, answer = post_json(
        f"http://127.0.0.1:{port}/api/export",
        {
            "experimentId": "testbed",
            "sceneId": match["sceneId"],
            "subjectId": "alice",
            "gameId": match["gameId"],
            "episode": 0,
            "columns": ["gameId", "episode", "frame", "t", "score"],
            "rows": rows,
        },
    )
    assert status == 201, answer
    exported = data_dir / "testbed" / match["sceneId"] / "alice_ep0.csv"
    with exported.open(newline="") as handle:
        assert list(csv.reader(handle)) == [
            ["gameId", "episode", "frame", "t", "score"],
            *[[str(cell) for cell in row] for row in rows],
        ]
    games = get_json(f"http://127.0.0.1:{port}/api/games")
    assert [(g["subjectIds"], g["status"]) for g in games] == [(["alice", "bob"], "abandoned")]

    started = time.monotonic()
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=DEADLINE) == 0
    assert time.monotonic() - started < 5
    assert port_is_free(port)

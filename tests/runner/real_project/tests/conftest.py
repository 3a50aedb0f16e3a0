"""Starts the click game server the way many projects do: kill the port holder, Popen, poll."""

import os
import signal
import subprocess
import time
import urllib.request

import pytest

GAME_PORT = 5702
FRESH_PORT = 5705


def kill_port_holder(port):
    found = subprocess.run(
        ["lsof", "-t", f"-iTCP:{port}", "-sTCP:LISTEN"], capture_output=True, text=True
    )
    for pid in found.stdout.split():
        try:
            os.kill(int(pid), signal.SIGKILL)
        except ProcessLookupError:
            pass
    time.sleep(0.2)


def start_game_server(port):
    kill_port_holder(port)
    process = subprocess.Popen(
        ["python", "-m", "tests.fixtures.click_game_server", "--port", str(port)],
        start_new_session=True,
    )
    deadline = time.time() + 20
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"game server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1):
                return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"game server did not answer on port {port}")


def stop_game_server(process):
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=10)


@pytest.fixture(scope="session")
def game_server():
    process = start_game_server(GAME_PORT)
    yield f"http://127.0.0.1:{GAME_PORT}"
    stop_game_server(process)


@pytest.fixture
def fresh_game_server():
    process = start_game_server(FRESH_PORT)
    yield f"http://127.0.0.1:{FRESH_PORT}"
    stop_game_server(process)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "headless": False}

"""The testbed in real headless Chromium: when the WebRTC DataChannel cannot be used, peer
packets go through the server's WebSocket relay and the game still ends with identical
exports."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from regress.manifest.model import ReadyCheck, ReadyKind, ServerSpec
from regress.parity import Verdict
from regress.proc.ledger import Ledger
from regress.proc.ports import free_port
from regress.proc.server import start_server, stop_server
from regress.running.playwright_fixtures import NewContext
from tests.fixtures.export_helpers import assert_parity
from tests.fixtures.game_helpers import (
    enter_waitroom,
    finish_game,
    open_player,
    wait_for_match,
)
from tests.fixtures.input_helpers import start_random_inputs

ROOT = Path(__file__).resolve().parents[2]
STEPS = 90  # three seconds of play at 30 fps


@pytest.fixture
def testbed_url(tmp_path: Path) -> Iterator[str]:
    """A real testbed server process, started and stopped by regress's own server code."""
    spec = ServerSpec(
        name="testbed",
        command=(
            "{python}",
            "-m",
            "testbed.server",
            "--port",
            "{port}",
            "--data-dir",
            "{data_dir}",
            "--max-steps",
            str(STEPS),
        ),
        port=0,
        ready=ReadyCheck(ReadyKind.HTTP, "http://127.0.0.1:{port}/healthz", 30.0),
        cwd=ROOT,
    )
    ledger = Ledger.in_reports(tmp_path / "reports")
    server = start_server(
        spec,
        port=free_port(),
        log_path=tmp_path / "server.log",
        env={},
        run_id="relay-test",
        token="relay-test",
        ledger=ledger,
        data_dir=tmp_path / "data",
        suite_dir=tmp_path,
    )
    yield server.url
    teardown = stop_server(server, ledger, spec.grace)
    assert teardown.port_freed


def test_players_fall_back_to_the_relay(new_player_context: NewContext, testbed_url: str) -> None:
    first = open_player(new_player_context, testbed_url, "relay-a", p2p=0)
    second = open_player(new_player_context, testbed_url, "relay-b", p2p=0)
    enter_waitroom(first)
    enter_waitroom(second)
    for player in (first, second):
        game = wait_for_match(player)
        assert game["transport"] == "relay" and not game["p2pConnected"], game
    start_random_inputs(first.page, seed=5)
    start_random_inputs(second.page, seed=6)
    finish_game(testbed_url, first, second)
    (exports,) = assert_parity(testbed_url, first, second)
    assert exports.report.verdict is Verdict.IDENTICAL
    assert exports.report.rows_a == STEPS

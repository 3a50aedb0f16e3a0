"""The testbed's peer link in real headless Chromium: a DataChannel even when the partner's
offer overtakes our own 'match' message, and, when the DataChannel cannot be used, the
server's WebSocket relay; either way the game ends with identical exports."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import WebSocketRoute

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


def test_an_offer_that_overtakes_the_match_still_opens_the_data_channel(
    new_player_context: NewContext, testbed_url: str
) -> None:
    # The server sends 'match' to player 0 first, and player 0's offer reaches player 1 over
    # another socket: on a busy machine it can arrive before player 1's own 'match'. Here the
    # second player's 'match' is held back until the first signal has been delivered.
    first = open_player(new_player_context, testbed_url, "order-a")
    second = open_player(new_player_context, testbed_url, "order-b")
    delivered: list[str] = []

    def hold_the_match(page_socket: WebSocketRoute) -> None:
        server = page_socket.connect_to_server()
        held: list[str | bytes] = []

        def from_server(message: str | bytes) -> None:
            kind = json.loads(message).get("type")
            if kind == "match" and not delivered.count("signal"):
                held.append(message)
                return
            page_socket.send(message)
            delivered.append(kind)
            if kind == "signal" and held:
                page_socket.send(held.pop())
                delivered.append("match")

        server.on_message(from_server)

    second.page.route_web_socket("**/ws", hold_the_match)
    enter_waitroom(first)
    enter_waitroom(second)
    for player in (first, second):
        game = wait_for_match(player)
        assert game["transport"] == "p2p" and game["p2pConnected"], player.status()
    assert delivered.index("signal") < delivered.index("match"), delivered
    start_random_inputs(first.page, seed=7)
    start_random_inputs(second.page, seed=8)
    finish_game(testbed_url, first, second)
    (exports,) = assert_parity(testbed_url, first, second)
    assert exports.report.verdict is Verdict.IDENTICAL

"""REG-03: six participants, three simultaneous games, FIFO pairing under staggered arrival.

The suite's scope is "test": every test gets a fresh server. Arrivals are `stagger` seconds
apart (suite parameter, default 0.5, `regress run --stagger S` overrides it).
"""

from __future__ import annotations

import itertools

from regress.playwright_fixtures import NewContext
from tests.fixtures.game_helpers import finished_games, games, wait_for_match
from tests.fixtures.multi_participant import GameOrchestrator

JITTER_SECONDS = 0.05  # WebSocket delivery on loopback: a join may reach the server a bit late


def test_three_simultaneous_games(
    new_player_context: NewContext, server_url: str, suite_params: dict[str, str]
) -> None:
    orchestrator = GameOrchestrator(
        new_player_context, server_url, "three", float(suite_params["stagger"])
    )
    orchestrator.open(6)
    orchestrator.arrive_all()
    orchestrator.assert_fifo_pairing()
    orchestrator.play_randomly(seed=41)
    orchestrator.wait_for_all_episodes_with_parity()
    played = finished_games(server_url, 3)
    assert len(played) == 3, played
    # Simultaneous: every game started before any of them ended.
    assert max(g["createdAt"] for g in played) < min(g["endedAt"] for g in played), played


def test_staggered_participant_arrival(
    new_player_context: NewContext, server_url: str, suite_params: dict[str, str]
) -> None:
    stagger = float(suite_params["stagger"])
    orchestrator = GameOrchestrator(new_player_context, server_url, "stagger", stagger)
    orchestrator.open(6)
    orchestrator.arrive_all()
    # Each even arrival waited and was matched, as player 0, with the very next arrival.
    for first, second in orchestrator.intended_pairs():
        game_a, game_b = wait_for_match(first), wait_for_match(second)
        assert game_a["gameId"] == game_b["gameId"]
        assert (game_a["playerId"], game_b["playerId"]) == (0, 1)
    orchestrator.assert_fifo_pairing()
    # The server saw the arrivals staggered: a game starts when its second player arrives,
    # two arrivals (2 x stagger) after the previous game (less loopback delivery jitter).
    created = sorted(game["createdAt"] for game in games(server_url))
    gaps = [later - earlier for earlier, later in itertools.pairwise(created)]
    assert len(created) == 3 and min(gaps) >= 2 * stagger - JITTER_SECONDS, (created, gaps)
    orchestrator.play_randomly(seed=51)
    orchestrator.wait_for_all_episodes_with_parity()

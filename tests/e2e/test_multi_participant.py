"""REG-03: six participants, three simultaneous games, FIFO pairing under staggered arrival.

The suite's scope is "test": every test gets a fresh server. Arrivals are `stagger` seconds
apart (suite parameter, default 0.5, `regress run --stagger S` overrides it); the server's own
record of when each join arrived is checked against that schedule.
"""

from __future__ import annotations

from regress.playwright_fixtures import NewContext
from tests.fixtures.game_helpers import finished_games, wait_for_match
from tests.fixtures.multi_participant import GameOrchestrator


def test_three_simultaneous_games(
    new_player_context: NewContext, server_url: str, suite_params: dict[str, str]
) -> None:
    orchestrator = GameOrchestrator(
        new_player_context, server_url, "three", float(suite_params["stagger"])
    )
    orchestrator.open(6)
    orchestrator.arrive_all()
    orchestrator.assert_fifo_pairing()
    orchestrator.assert_arrivals_staggered()
    orchestrator.play_randomly(seed=41)
    orchestrator.wait_for_all_episodes_with_parity()
    played = finished_games(server_url, 3)
    assert len(played) == 3, f"{len(played)} games on the server, expected 3"
    # Simultaneous: every game started before any of them ended.
    last_start = max(g["createdAt"] for g in played)
    first_end = min(g["endedAt"] for g in played)
    assert last_start < first_end, (
        f"games not simultaneous: last started {last_start - first_end:.1f}s after the first ended"
    )


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
        assert game_a["gameId"] == game_b["gameId"], (
            f"{first.subject} in {game_a['gameId']} but {second.subject} in {game_b['gameId']}"
        )
        seats = (game_a["playerId"], game_b["playerId"])
        assert seats == (0, 1), (
            f"not FIFO: seats {seats} for arrivals {first.subject}, {second.subject} in that order"
        )
    orchestrator.assert_fifo_pairing()
    orchestrator.assert_arrivals_staggered()
    orchestrator.play_randomly(seed=51)
    orchestrator.wait_for_all_episodes_with_parity()

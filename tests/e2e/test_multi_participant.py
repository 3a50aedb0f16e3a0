"""REG-03: six participants, three simultaneous games, FIFO pairing under staggered arrival."""

from __future__ import annotations

import itertools
import time

from regress.playwright_fixtures import NewContext
from tests.fixtures.game_helpers import wait_for_match
from tests.fixtures.multi_participant import GameOrchestrator


def test_three_simultaneous_games(
    new_player_context: NewContext, server_url: str, suite_params: dict[str, str]
) -> None:
    orchestrator = GameOrchestrator(
        new_player_context, server_url, "three", float(suite_params["stagger"])
    )
    try:
        orchestrator.open(6)
        orchestrator.arrive_all()
        orchestrator.assert_fifo_pairing()
        orchestrator.play_randomly(seed=41)
        checked = orchestrator.wait_for_all_episodes_with_parity()
        assert len({e.report.a for e in checked}) == 3  # three games, each with its own pair
    finally:
        orchestrator.close()


def test_staggered_participant_arrival(
    new_player_context: NewContext, server_url: str, suite_params: dict[str, str]
) -> None:
    stagger = float(suite_params["stagger"])
    orchestrator = GameOrchestrator(new_player_context, server_url, "stagger", stagger)
    try:
        orchestrator.open(6)
        started = time.monotonic()
        arrivals = orchestrator.arrive_all()
        # Arrivals really were staggered: consecutive joins at least `stagger` apart.
        gaps = [later - earlier for earlier, later in itertools.pairwise(arrivals)]
        assert min(gaps) >= stagger, gaps
        # Each odd arrival was matched with the participant who waited just before it.
        for first, second in orchestrator.intended_pairs():
            game_a, game_b = wait_for_match(first), wait_for_match(second)
            assert game_a["gameId"] == game_b["gameId"]
            assert (game_a["playerId"], game_b["playerId"]) == (0, 1)
        orchestrator.assert_fifo_pairing()
        orchestrator.play_randomly(seed=51)
        orchestrator.wait_for_all_episodes_with_parity()
        assert time.monotonic() - started >= 5 * stagger
    finally:
        orchestrator.close()

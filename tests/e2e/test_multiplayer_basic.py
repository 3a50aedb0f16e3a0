"""REG-02: two players connect, are matched and complete an episode."""

from __future__ import annotations

from regress.playwright_fixtures import NewContext
from tests.fixtures.export_helpers import assert_parity
from tests.fixtures.game_helpers import (
    enter_waitroom,
    finish_game,
    games,
    open_player,
    start_pair,
    wait_for_match,
)


def test_two_players_connect_and_complete_episode(
    new_player_context: NewContext, server_url: str, parity_exclude: tuple[str, ...]
) -> None:
    first, second = start_pair(new_player_context, server_url, "basic")
    finish_game(server_url, first, second)
    for player in (first, second):
        player.page.wait_for_function("() => window.game.scene === 'end'", timeout=30_000)
        game = player.game()
        assert game["endReason"] == "done", game
        assert game["transport"] == "p2p" and game["p2pConnected"], game
    assert_parity(server_url, first, second, exclude=parity_exclude)


def test_matchmaking_pairs_two_players(new_player_context: NewContext, server_url: str) -> None:
    first = open_player(new_player_context, server_url, "match-a")
    second = open_player(new_player_context, server_url, "match-b")
    enter_waitroom(first)
    first.page.wait_for_function("() => window.game.scene === 'waitroom'", timeout=10_000)
    assert first.game()["gameId"] in (None, "")  # alone: waiting, not in a game
    enter_waitroom(second)
    game_a, game_b = wait_for_match(first), wait_for_match(second)
    assert game_a["gameId"] == game_b["gameId"]
    assert (game_a["playerId"], game_b["playerId"]) == (0, 1)  # first arrival is player 0
    listed = next(g for g in games(server_url) if g["gameId"] == game_a["gameId"])
    assert listed["subjectIds"] == ["match-a", "match-b"]
    # A partner who leaves ends the game for the other player with a clear message.
    first.close()
    second.page.wait_for_function("() => window.game.scene === 'end'", timeout=30_000)
    assert second.game()["endReason"] == "partner_left"
    assert "partner" in second.page.inner_text("body").lower()

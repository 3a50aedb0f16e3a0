"""REG-02: two players connect, are matched and complete an episode."""

from __future__ import annotations

from regress.playwright_fixtures import NewContext
from tests.fixtures.export_helpers import assert_parity, play_out
from tests.fixtures.game_helpers import (
    enter_waitroom,
    games,
    open_player,
    start_pair,
    wait_for_match,
    wait_until,
    wait_until_queued,
)


def test_two_players_connect_and_complete_episode(
    new_player_context: NewContext, server_url: str, parity_exclude: tuple[str, ...]
) -> None:
    first, second = start_pair(new_player_context, server_url, "basic")
    play_out(server_url, first, second)
    wait_until((first, second), "() => window.game.scene === 'end'", "no end scene", 30)
    for player in (first, second):
        game = player.game()
        assert game["endReason"] == "done", f"ended with {game['endReason']!r}: {player.status()}"
        assert game["transport"] == "p2p" and game["p2pConnected"], (
            f"transport {game['transport']}, p2pConnected {game['p2pConnected']}: {player.status()}"
        )
    assert_parity(server_url, first, second, exclude=parity_exclude)


def test_matchmaking_pairs_two_players(new_player_context: NewContext, server_url: str) -> None:
    first = open_player(new_player_context, server_url, "match-a")
    second = open_player(new_player_context, server_url, "match-b")
    enter_waitroom(first)
    wait_until_queued(server_url, first)
    alone = first.game()["gameId"]
    assert alone in (None, ""), f"alone in the waitroom but in game {alone!r}"
    enter_waitroom(second)
    game_a, game_b = wait_for_match(first), wait_for_match(second)
    assert game_a["gameId"] == game_b["gameId"], (game_a["gameId"], game_b["gameId"])
    seats = (game_a["playerId"], game_b["playerId"])
    assert seats == (0, 1), f"not FIFO: first arrival got seat {seats[0]}, second {seats[1]}"
    listed = next(g for g in games(server_url) if g["gameId"] == game_a["gameId"])
    assert listed["subjectIds"] == ["match-a", "match-b"], (
        f"not FIFO: server pairs {listed['subjectIds']}, arrivals were match-a, match-b"
    )
    # A partner who leaves ends the game for the other player with a clear message.
    first.close()
    wait_until([second], "() => window.game.scene === 'end'", "partner left, no end scene", 30)
    reason = second.game()["endReason"]
    assert reason == "partner_left", f"end reason {reason!r} after the partner left"
    assert "partner" in second.page.inner_text("body").lower()

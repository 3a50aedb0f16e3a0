"""PROD-02: packet loss with active input keeps parity, and really exercises rollback."""

from __future__ import annotations

from regress.playwright_fixtures import NewContext
from tests.fixtures.export_helpers import assert_parity
from tests.fixtures.game_helpers import finish_game, start_pair
from tests.fixtures.input_helpers import start_random_inputs
from tests.fixtures.network_helpers import apply_packet_loss, configure_network, network_stats


def test_active_input_with_packet_loss(
    new_player_context: NewContext, server_url: str, parity_exclude: tuple[str, ...]
) -> None:
    first, second = start_pair(new_player_context, server_url, "loss-input")
    apply_packet_loss(second.page, 0.10)
    start_random_inputs(first.page, seed=71)
    start_random_inputs(second.page, seed=72)
    finish_game(server_url, first, second)
    assert network_stats(second.page)["dropped"] > 0, "the conditioner dropped nothing"
    assert_parity(server_url, first, second, exclude=parity_exclude)


def test_packet_loss_triggers_rollback(
    new_player_context: NewContext, server_url: str, parity_exclude: tuple[str, ...]
) -> None:
    first, second = start_pair(new_player_context, server_url, "loss-rollback")
    for index, player in enumerate((first, second)):
        configure_network(player.page, latency_ms=60, jitter_ms=30, loss=0.15, seed=80 + index)
    start_random_inputs(first.page, seed=81, period_ms=66)
    start_random_inputs(second.page, seed=82, period_ms=66)
    finish_game(server_url, first, second)
    games = [player.game() for player in (first, second)]
    assert all(g["rollbackCount"] > 0 for g in games), games
    assert max(g["maxRollbackDepth"] for g in games) >= 2, games
    assert_parity(server_url, first, second, exclude=parity_exclude)

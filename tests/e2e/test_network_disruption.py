"""PROD-02: packet loss with active input keeps parity, and really exercises rollback."""

from __future__ import annotations

from regress.playwright_fixtures import NewContext
from tests.fixtures.export_helpers import assert_parity, play_out
from tests.fixtures.game_helpers import start_pair
from tests.fixtures.input_helpers import start_random_inputs
from tests.fixtures.network_helpers import apply_packet_loss, configure_network, network_stats


def test_active_input_with_packet_loss(
    new_player_context: NewContext, server_url: str, parity_exclude: tuple[str, ...]
) -> None:
    first, second = start_pair(new_player_context, server_url, "loss-input")
    apply_packet_loss(second.page, 0.10)
    start_random_inputs(first.page, seed=71)
    start_random_inputs(second.page, seed=72)
    play_out(server_url, first, second)
    stats = network_stats(second.page)
    assert stats["dropped"] > 0, (
        f"the conditioner dropped nothing at 10% loss: sent {stats['sent']}, "
        f"dropped {stats['dropped']}, delivered {stats['delivered']}"
    )
    assert_parity(server_url, first, second, exclude=parity_exclude)


def test_packet_loss_triggers_rollback(
    new_player_context: NewContext, server_url: str, parity_exclude: tuple[str, ...]
) -> None:
    first, second = start_pair(new_player_context, server_url, "loss-rollback")
    for index, player in enumerate((first, second)):
        configure_network(player.page, latency_ms=60, jitter_ms=30, loss=0.15, seed=80 + index)
    start_random_inputs(first.page, seed=81, period_ms=66)
    start_random_inputs(second.page, seed=82, period_ms=66)
    play_out(server_url, first, second)
    games = [player.game() for player in (first, second)]
    counts = [g["rollbackCount"] for g in games]
    depths = [g["maxRollbackDepth"] for g in games]
    assert min(counts) > 0, f"a peer never rolled back: rollbackCount {counts[0]} / {counts[1]}"
    assert max(depths) >= 2, f"rollbacks too shallow: maxRollbackDepth {depths[0]} / {depths[1]}"
    assert_parity(server_url, first, second, exclude=parity_exclude)

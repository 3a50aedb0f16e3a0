"""PROD-01 (seed 004): under fixed latency and active input, both peers end the episode at the
same row with exactly max_steps rows and no divergence."""

from __future__ import annotations

import pytest

from regress.playwright_fixtures import NewContext
from tests.fixtures.export_helpers import assert_parity, play_out
from tests.fixtures.game_helpers import start_pair
from tests.fixtures.input_helpers import start_random_inputs
from tests.fixtures.network_helpers import apply_latency


@pytest.mark.parametrize("latency_ms", [100])
def test_active_input_with_latency(
    new_player_context: NewContext,
    server_url: str,
    parity_exclude: tuple[str, ...],
    latency_ms: int,
) -> None:
    first, second = start_pair(new_player_context, server_url, f"latency-input-{latency_ms}")
    apply_latency(second.page, latency_ms)
    start_random_inputs(first.page, seed=61, period_ms=66)
    start_random_inputs(second.page, seed=62, period_ms=66)
    play_out(server_url, first, second)
    assert_parity(server_url, first, second, exclude=parity_exclude)
    rollbacks = [player.game()["rollbackCount"] for player in (first, second)]
    assert max(rollbacks) > 0, (
        f"no rollback happened: rollbackCount {rollbacks[0]} / {rollbacks[1]}"
    )


@pytest.mark.parametrize("latency_ms", [100])
def test_episode_completion_under_fixed_latency(
    new_player_context: NewContext,
    server_url: str,
    parity_exclude: tuple[str, ...],
    latency_ms: int,
) -> None:
    first, second = start_pair(new_player_context, server_url, f"latency-fixed-{latency_ms}")
    for player in (first, second):
        apply_latency(player.page, latency_ms)
    play_out(server_url, first, second)
    steps = [player.game()["stepNum"] for player in (first, second)]
    assert steps[0] == steps[1], f"peers ended at different steps: {steps[0]} vs {steps[1]}"
    assert_parity(server_url, first, second, exclude=parity_exclude)

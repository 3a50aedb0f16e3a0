"""REG-04: a player's tab is hidden near the end of an episode and comes back after the
boundary; both exports still match row for row."""

from __future__ import annotations

from regress.playwright_fixtures import NewContext
from tests.fixtures.export_helpers import assert_parity
from tests.fixtures.game_helpers import (
    finish_game,
    hide,
    server_info,
    show,
    start_pair,
    wait_for_episodes,
    wait_for_frame,
)
from tests.fixtures.input_helpers import start_random_inputs


def test_focus_loss_episode_boundary_parity(
    new_player_context: NewContext, server_url: str, parity_exclude: tuple[str, ...]
) -> None:
    info = server_info(server_url)
    max_steps, episodes = int(info["max_steps"]), int(info["episodes"])
    assert episodes >= 2, "the boundary test needs a server with at least two episodes"
    first, second = start_pair(new_player_context, server_url, "focus-boundary")
    start_random_inputs(first.page, seed=31)
    start_random_inputs(second.page, seed=32)
    wait_for_frame(second, max_steps - 30)  # about a second before the episode ends
    hide(second)
    # The partner plays on through the boundary into the next episode.
    wait_for_episodes(first, 1)
    wait_for_frame(first, max_steps + 30)
    assert second.game()["numEpisodes"] == 0, "a hidden page must not step"
    show(second)
    finish_game(server_url, first, second)
    assert_parity(server_url, first, second, exclude=parity_exclude)

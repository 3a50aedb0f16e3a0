"""REG-04: a player's tab is hidden near the end of an episode and comes back after the
boundary; both exports still match row for row, the partner never waited for the hidden
player, and the returning player catches up at once."""

from __future__ import annotations

from regress.playwright_fixtures import NewContext
from tests.fixtures.export_helpers import assert_parity, play_out, timestamp_gaps
from tests.fixtures.game_helpers import (
    hide,
    server_info,
    show,
    start_pair,
    wait_for_frame,
    wait_until,
)
from tests.fixtures.input_helpers import start_random_inputs

CATCH_UP_SECONDS = 1.5  # the returning player fast-forwards; without it, seconds more
MAX_PARTNER_GAP_SECONDS = 2.0  # the partner never waits for a hidden player (normally ~0.1 s)
EPISODE_OVERRUN_SECONDS = 2.5  # an episode's rows span at most nominal + this (normally ~0.1 s)


def test_focus_loss_episode_boundary_parity(
    new_player_context: NewContext, server_url: str, parity_exclude: tuple[str, ...]
) -> None:
    info = server_info(server_url)
    max_steps, episodes, fps = int(info["max_steps"]), int(info["episodes"]), int(info["fps"])
    nominal = max_steps / fps
    assert episodes >= 2, f"the boundary test needs a server with 2+ episodes, it has {episodes}"
    first, second = start_pair(new_player_context, server_url, "focus-boundary")
    start_random_inputs(first.page, seed=31)
    start_random_inputs(second.page, seed=32)
    wait_for_frame(second, max_steps - 30, nominal + 15, others=(first,))  # ~1 s before the end
    hide(second)
    # The partner plays on through the boundary into the next episode, without waiting.
    wait_until(
        (first, second),
        f"() => window.game.numEpisodes >= 1 && window.game.frameNumber >= {max_steps + 60}",
        f"partner stalled while player 2 was hidden: not through the episode boundary to frame "
        f"{max_steps + 60}",
        12,
        on=first,
    )
    hidden = second.game()
    assert hidden["numEpisodes"] == 0, f"a hidden page must not step: {second.status()}"
    show(second)
    target = first.game()["frameNumber"]
    wait_until(
        (second, first),
        "(f) => window.game.frameNumber >= f",
        f"returning player did not catch up to the partner's frame {target} within "
        f"{CATCH_UP_SECONDS}s of refocus (hidden at frame {hidden['frameNumber']})",
        CATCH_UP_SECONDS,
        arg=target,
        on=second,
    )
    play_out(server_url, first, second)
    exports = assert_parity(server_url, first, second, exclude=parity_exclude)
    for episode, pair in enumerate(exports):
        span, gap = timestamp_gaps(pair.a)  # the partner's export: did it ever wait?
        assert gap <= MAX_PARTNER_GAP_SECONDS and span <= nominal + EPISODE_OVERRUN_SECONDS, (
            f"partner's episode {episode} froze: largest gap between rows {gap:.2f}s (bound "
            f"{MAX_PARTNER_GAP_SECONDS}s), it took {span:.1f}s (nominal {nominal:.0f}s, bound "
            f"+{EPISODE_OVERRUN_SECONDS}s)"
        )

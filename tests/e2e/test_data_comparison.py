"""REG-01: both players' exports are identical (data parity) under several conditions.

Contexts from `new_player_context` are closed by the fixture when the test ends.
"""

from __future__ import annotations

import csv
from pathlib import Path

from regress.playwright_fixtures import NewContext
from tests.fixtures.export_helpers import assert_parity
from tests.fixtures.game_helpers import finish_game, hide, show, start_pair, wait_for_frame
from tests.fixtures.input_helpers import start_random_inputs
from tests.fixtures.network_helpers import apply_latency


def column(path: Path, name: str) -> list[str]:
    with path.open(newline="", encoding="utf-8") as handle:
        return [row[name] for row in csv.DictReader(handle)]


def test_export_parity_basic(
    new_player_context: NewContext, server_url: str, parity_exclude: tuple[str, ...]
) -> None:
    first, second = start_pair(new_player_context, server_url, "parity-basic")
    finish_game(server_url, first, second)
    assert_parity(server_url, first, second, exclude=parity_exclude)


def test_export_parity_with_latency(
    new_player_context: NewContext, server_url: str, parity_exclude: tuple[str, ...]
) -> None:
    first, second = start_pair(new_player_context, server_url, "parity-latency")
    apply_latency(second.page, 100)  # player 2's packets arrive 100 ms late
    finish_game(server_url, first, second)
    assert_parity(server_url, first, second, exclude=parity_exclude)


def test_active_input_parity(
    new_player_context: NewContext, server_url: str, parity_exclude: tuple[str, ...]
) -> None:
    first, second = start_pair(new_player_context, server_url, "parity-input")
    start_random_inputs(first.page, seed=11)
    start_random_inputs(second.page, seed=12)
    finish_game(server_url, first, second)
    exports = assert_parity(server_url, first, second, exclude=parity_exclude)
    for seat in ("0", "1"):
        actions = column(exports[0].a, f"action.{seat}")
        assert len(set(actions)) > 2, f"player {seat} barely acted: {sorted(set(actions))}"


def test_focus_loss_mid_episode_parity(
    new_player_context: NewContext, server_url: str, parity_exclude: tuple[str, ...]
) -> None:
    first, second = start_pair(new_player_context, server_url, "parity-focus")
    start_random_inputs(first.page, seed=21)
    start_random_inputs(second.page, seed=22)
    wait_for_frame(second, 120)
    hide(second)
    frame_at_hide = first.game()["frameNumber"]
    second.page.wait_for_timeout(3000)
    assert second.game()["isFocused"] is False
    assert first.game()["frameNumber"] >= frame_at_hide + 45, "partner stalled while hidden"
    show(second)
    finish_game(server_url, first, second)
    exports = assert_parity(server_url, first, second, exclude=parity_exclude)
    unfocused = column(exports[0].a, "isFocused.1").count("0")
    assert unfocused >= 45, f"only {unfocused} rows show player 2 hidden"

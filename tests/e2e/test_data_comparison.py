"""REG-01: both players' exports are identical (data parity) under several conditions, rollbacks
really happen where the conditions call for them, a hidden player catches up when it returns,
and the server writes exports whole.

Contexts from `new_player_context` are closed by the fixture when the test ends.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from regress.playwright_fixtures import NewContext
from tests.fixtures.export_helpers import (
    EpisodeExports,
    assert_parity,
    column,
    play_out,
    rollback_rows,
    timestamp_gaps,
)
from tests.fixtures.game_helpers import (
    Player,
    hide,
    server_info,
    show,
    start_pair,
    wait_for_frame,
    wait_until,
)
from tests.fixtures.input_helpers import start_random_inputs
from tests.fixtures.network_helpers import apply_latency, configure_network

HIDDEN_SECONDS = 4.0
CATCH_UP_SECONDS = 1.5  # the returning player fast-forwards; without it: HIDDEN_SECONDS or more
MAX_PARTNER_GAP_SECONDS = 2.0  # the partner never waits for a hidden player (normally ~0.1 s)
EPISODE_OVERRUN_SECONDS = 2.5  # an episode's rows span at most nominal + this (normally ~0.1 s)


def assert_rollbacks_happened(
    condition: str, players: tuple[Player, Player], exports: EpisodeExports
) -> None:
    """Input changes under latency: predictions failed, rollbacks ran and the exports show it."""
    counts = [player.game()["rollbackCount"] for player in players]
    rows = [rollback_rows(exports.a), rollback_rows(exports.b)]
    assert max(counts) > 0 and sum(rows) > 0, (
        f"no rollback under {condition}: rollbackCount {counts[0]} / {counts[1]}, "
        f"export rows with rollbackEvents > 0: {rows[0]} / {rows[1]}"
    )


def test_export_parity_basic(
    new_player_context: NewContext, server_url: str, parity_exclude: tuple[str, ...]
) -> None:
    first, second = start_pair(new_player_context, server_url, "parity-basic")
    play_out(server_url, first, second)
    assert_parity(server_url, first, second, exclude=parity_exclude)


def test_export_parity_with_latency(
    new_player_context: NewContext, server_url: str, parity_exclude: tuple[str, ...]
) -> None:
    first, second = start_pair(new_player_context, server_url, "parity-latency")
    apply_latency(second.page, 100)  # player 2's packets arrive 100 ms late
    start_random_inputs(first.page, seed=13, period_ms=66)
    start_random_inputs(second.page, seed=14, period_ms=66)
    play_out(server_url, first, second)
    exports = assert_parity(server_url, first, second, exclude=parity_exclude)
    assert_rollbacks_happened("100 ms latency with input", (first, second), exports[0])


def test_active_input_parity(
    new_player_context: NewContext, server_url: str, parity_exclude: tuple[str, ...]
) -> None:
    first, second = start_pair(new_player_context, server_url, "parity-input")
    for index, player in enumerate((first, second)):  # both directions late, and jittery
        configure_network(player.page, latency_ms=50, jitter_ms=20, seed=15 + index)
    start_random_inputs(first.page, seed=11)
    start_random_inputs(second.page, seed=12)
    play_out(server_url, first, second)
    exports = assert_parity(server_url, first, second, exclude=parity_exclude)
    for seat in ("0", "1"):
        actions = column(exports[0].a, f"action.{seat}")
        assert len(set(actions)) > 2, f"player {seat} barely acted: {sorted(set(actions))}"
    assert_rollbacks_happened("50+-20 ms latency with input", (first, second), exports[0])


def test_focus_loss_mid_episode_parity(
    new_player_context: NewContext, server_url: str, parity_exclude: tuple[str, ...]
) -> None:
    info = server_info(server_url)
    fps, nominal = int(info["fps"]), int(info["max_steps"]) / int(info["fps"])
    first, second = start_pair(new_player_context, server_url, "parity-focus")
    start_random_inputs(first.page, seed=21)
    start_random_inputs(second.page, seed=22)
    wait_for_frame(second, 120, 20, others=(first,))
    hide(second)
    frame_at_hide = first.game()["frameNumber"]
    second.page.wait_for_timeout(HIDDEN_SECONDS * 1000)
    assert second.game()["isFocused"] is False, f"hide() had no effect: {second.status()}"
    partner_frame = first.game()["frameNumber"]
    expected = int(fps * HIDDEN_SECONDS * 0.75)
    assert partner_frame >= frame_at_hide + expected, (
        f"partner stalled while player 2 was hidden: {partner_frame - frame_at_hide} frames in "
        f"{HIDDEN_SECONDS:.0f}s (expected >= {expected}); {first.status()}; {second.status()}"
    )
    show(second)
    # Back in focus, the returning player fast-forwards to where the partner was.
    target = first.game()["frameNumber"]
    wait_until(
        (second, first),
        "(f) => window.game.frameNumber >= f",
        f"returning player did not catch up to the partner's frame {target} within "
        f"{CATCH_UP_SECONDS}s of refocus",
        CATCH_UP_SECONDS,
        arg=target,
        on=second,
    )
    play_out(server_url, first, second)
    exports = assert_parity(server_url, first, second, exclude=parity_exclude)
    unfocused = column(exports[0].a, "isFocused.1").count("0")
    assert unfocused >= fps * HIDDEN_SECONDS * 0.75, (
        f"only {unfocused} rows show player 2 hidden (hidden {HIDDEN_SECONDS:.0f}s at {fps} fps)"
    )
    span, gap = timestamp_gaps(exports[0].a)  # the partner's export: did it ever wait?
    assert gap <= MAX_PARTNER_GAP_SECONDS and span <= nominal + EPISODE_OVERRUN_SECONDS, (
        f"partner's episode froze: largest gap between rows {gap:.2f}s (bound "
        f"{MAX_PARTNER_GAP_SECONDS}s), episode took {span:.1f}s (nominal {nominal:.0f}s, bound "
        f"+{EPISODE_OVERRUN_SECONDS}s)"
    )


def _export_body(rows: int, subject: str, experiment: str, note: str) -> bytes:
    columns = ["gameId", "episode", "frame", "t", "note"]
    cells = [["gatomic", 0, frame, frame, note] for frame in range(rows)]
    body = {
        "experimentId": experiment,
        "sceneId": "atomic",
        "subjectId": subject,
        "gameId": "gatomic",
        "episode": 0,
        "columns": columns,
        "rows": cells,
    }
    return json.dumps(body).encode()


def _post(server_url: str, body: bytes) -> tuple[int, str]:
    request = urllib.request.Request(
        f"{server_url}/api/export", data=body, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_export_writes_are_atomic(server_url: str) -> None:
    """A reader polling the export folder never sees a partial file while large exports are
    rewritten; deeply nested JSON is refused with 400 and the server keeps serving."""
    info = server_info(server_url)
    rows, rewrites = 30_000, 6
    folder = Path(info["data_dir"]) / str(info["experiment_id"]) / "atomic"
    target = folder / "writer_ep0.csv"
    seen: list[str] = []
    reads = 0
    stop = threading.Event()

    def watch() -> None:
        nonlocal reads
        while not stop.is_set():
            try:
                text = target.read_text(encoding="utf-8")
            except FileNotFoundError:
                continue
            reads += 1
            lines = text.splitlines()
            complete = text.endswith("\n") and len(lines) == rows + 1
            partial = f"{max(len(lines) - 1, 0)} rows"
            if not complete and len(seen) < 3 and partial not in seen:
                seen.append(partial)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        for number in range(rewrites):
            status, answer = _post(
                server_url,
                _export_body(rows, "writer", str(info["experiment_id"]), f"write-{number}"),
            )
            assert status == 201, f"export refused: {status} {answer[:200]}"
            time.sleep(0.05)
    finally:
        stop.set()
        watcher.join(timeout=10)
    assert not seen, (
        f"a reader saw a partial export ({', '.join(seen)}; complete is {rows} rows) in "
        f"{reads} reads: the write is not temp file + rename"
    )
    assert reads > 0, "the watcher never read the export"
    leftovers = sorted(p.name for p in folder.iterdir() if p.name != target.name)
    assert not leftovers, f"temporary files left beside the export: {leftovers}"
    target.unlink()  # not a game's export: keep the data folder pairable by `regress parity`
    folder.rmdir()

    nested = b"[" * 100_000 + b"]" * 100_000
    status, answer = _post(server_url, nested)
    assert status == 400, f"deeply nested JSON answered {status}, expected 400: {answer[:200]}"
    assert "error" in json.loads(answer), answer[:200]
    assert server_info(server_url)["status"] == "ok"

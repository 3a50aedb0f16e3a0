"""Episode figures: wall time, rollbacks, network counts and export parity of real testbed games.

Run from the project root: python benchmarks/episode.py [--runs 3]

For each scenario (no faults; 100 ms latency + 5% loss on both players' outgoing peer traffic)
and each run: a fresh testbed server (own session, temp data dir, --max-steps 450 --fps 30),
headless Chromium with two contexts taken through the scenes to a match, seeded random inputs on
both, and a wait until both players' exports were accepted. The network conditioner is set as
soon as each page loads, so every peer packet of the game goes through it. Wall time runs from
the match to both exports uploaded. Divergences are the divergent game-state cells reported by
regress.parity.compare plus the row-count difference. Prints figures only; nothing is asserted.
"""

from __future__ import annotations

import sys
from pathlib import Path

# `python benchmarks/episode.py` puts benchmarks/ (not the repo root) first on sys.path, and
# tests.fixtures is a package of this checkout, not of the installed project: make it importable.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse
import json
import os
import statistics
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from playwright.sync_api import Browser, sync_playwright
from playwright.sync_api import Error as PlaywrightError

from regress.errors import RegressError
from regress.parity import compare
from regress.proc.browser import launch_args
from regress.proc.ports import free_port
from tests.fixtures.export_helpers import export_path, row_count, wait_for_file
from tests.fixtures.game_helpers import (
    Player,
    enter_waitroom,
    open_player,
    wait_for_episodes,
    wait_for_match,
)
from tests.fixtures.input_helpers import start_random_inputs, stop_inputs
from tests.fixtures.network_helpers import configure_network, network_stats

ROOT = Path(__file__).resolve().parents[1]
MAX_STEPS = 450
FPS = 30
HEALTH_TIMEOUT = 20.0
STOP_TIMEOUT = 10.0


@dataclass(frozen=True)
class Scenario:
    """Network faults applied to both players' outgoing peer traffic."""

    name: str
    latency_ms: int = 0
    loss: float = 0.0

    @property
    def faulty(self) -> bool:
        return bool(self.latency_ms or self.loss)


SCENARIOS = (
    Scenario("no faults"),
    Scenario("100 ms latency + 5% loss", latency_ms=100, loss=0.05),
)


@dataclass(frozen=True)
class PlayerFigures:
    """One player's figures at the end of the episode."""

    player_id: int
    rollbacks: int
    max_depth: int
    sent: int
    dropped: int
    rows: int


@dataclass(frozen=True)
class RunFigures:
    """One episode of one scenario."""

    wall: float
    players: tuple[PlayerFigures, PlayerFigures]  # ordered by playerId
    divergent_cells: int
    row_difference: int

    @property
    def divergences(self) -> int:
        return self.divergent_cells + self.row_difference


@contextmanager
def testbed_server(data_dir: Path) -> Iterator[str]:
    """A testbed server on a free loopback port, healthy; stopped with SIGTERM on exit."""
    port = free_port()
    log = (data_dir.parent / "server.log").open("wb")
    command = [
        sys.executable,
        "-m",
        "testbed.server",
        "--port",
        str(port),
        "--data-dir",
        str(data_dir),
        "--max-steps",
        str(MAX_STEPS),
        "--fps",
        str(FPS),
    ]
    process = subprocess.Popen(
        command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(process, url)
        yield url
    finally:
        process.terminate()  # SIGTERM to the server we started, and only to it
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _wait_healthy(process: subprocess.Popen[bytes], url: str) -> None:
    deadline = time.monotonic() + HEALTH_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"testbed server exited with {process.returncode} before /healthz")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
                if json.load(response).get("status") == "ok":
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError, ValueError):
            pass
        time.sleep(0.1)
    raise RuntimeError(f"testbed server not healthy after {HEALTH_TIMEOUT:g}s")


def run_episode(browser: Browser, scenario: Scenario, index: int, run: int) -> RunFigures:
    """One game of two players through one episode under a scenario's faults."""
    with tempfile.TemporaryDirectory(prefix="regress-episode-") as tmp:
        data_dir = Path(tmp) / "data"
        data_dir.mkdir()
        with testbed_server(data_dir) as url:
            players: list[Player] = []
            try:
                for label in ("a", "b"):
                    # The bound method is the context factory (a lambda around it trips PLW0108).
                    subject = f"bench-s{index}-r{run}-{label}"
                    player = open_player(browser.new_context, url, subject)
                    players.append(player)
                    if scenario.faulty:
                        configure_network(
                            player.page,
                            latency_ms=scenario.latency_ms,
                            loss=scenario.loss,
                            seed=1000 * index + 10 * run + len(players),
                        )
                for player in players:
                    enter_waitroom(player)
                for player in players:
                    wait_for_match(player)
                start = time.perf_counter()
                for number, player in enumerate(players, 1):
                    start_random_inputs(player.page, seed=100 * index + 10 * run + number)
                for player in players:
                    wait_for_episodes(player)
                wall = time.perf_counter() - start
                for player in players:
                    stop_inputs(player.page)
                return _figures(url, players, wall)
            finally:
                for player in players:
                    player.close()


def _figures(url: str, players: list[Player], wall: float) -> RunFigures:
    paths = [wait_for_file(export_path(url, player, 0)) for player in players]
    figures = []
    for player, path in zip(players, paths, strict=True):
        game = player.game()
        stats = network_stats(player.page)
        figures.append(
            PlayerFigures(
                player_id=int(game["playerId"]),
                rollbacks=int(game["rollbackCount"]),
                max_depth=int(game["maxRollbackDepth"]),
                sent=int(stats["sent"]),
                dropped=int(stats["dropped"]),
                rows=row_count(path),
            )
        )
    report = compare(paths[0], paths[1])
    first, second = sorted(figures, key=lambda f: f.player_id)
    return RunFigures(
        wall=wall,
        players=(first, second),
        divergent_cells=report.divergent_cells,
        row_difference=abs(figures[0].rows - figures[1].rows),
    )


HEADER = (
    f"{'run':>3} {'wall s':>7} | {'rb p0':>5} {'rb p1':>5} {'dep p0':>6} {'dep p1':>6} | "
    f"{'sent p0':>7} {'drop p0':>7} {'sent p1':>7} {'drop p1':>7} | "
    f"{'rows p0':>7} {'rows p1':>7} | {'cells':>5} {'rowdiff':>7} {'diverg':>6}"
)


def _row(run: int, figures: RunFigures) -> str:
    p0, p1 = figures.players
    return (
        f"{run:>3} {figures.wall:>7.2f} | {p0.rollbacks:>5} {p1.rollbacks:>5} "
        f"{p0.max_depth:>6} {p1.max_depth:>6} | {p0.sent:>7} {p0.dropped:>7} "
        f"{p1.sent:>7} {p1.dropped:>7} | {p0.rows:>7} {p1.rows:>7} | "
        f"{figures.divergent_cells:>5} {figures.row_difference:>7} {figures.divergences:>6}"
    )


def _summary(name: str, results: list[RunFigures], runs: int) -> str:
    if not results:
        return f"summary [{name}]: 0/{runs} runs completed"
    rollbacks = [p.rollbacks for r in results for p in r.players]
    return (
        f"summary [{name}]: {len(results)}/{runs} runs completed; "
        f"median wall {statistics.median(r.wall for r in results):.2f} s; "
        f"rollbacks min/median/max {min(rollbacks)}/{statistics.median(rollbacks):g}/"
        f"{max(rollbacks)}; max depth {max(p.max_depth for r in results for p in r.players)}; "
        f"total divergences {sum(r.divergences for r in results)}"
    )


def main() -> None:
    """Measure and print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="repetitions per scenario")
    args = parser.parse_args()
    print(
        f"testbed episode: max_steps {MAX_STEPS}, fps {FPS}, {args.runs} runs per scenario, "
        f"{os.cpu_count()} cpus; p0/p1 = playerId; rb = rollbackCount, "
        "dep = maxRollbackDepth, diverg = divergent game-state cells + row-count difference",
        flush=True,
    )
    summaries = []
    with sync_playwright() as playwright:
        for index, scenario in enumerate(SCENARIOS, 1):
            print(f"\n== scenario {index}: {scenario.name}", flush=True)
            print(HEADER, flush=True)
            results: list[RunFigures] = []
            for run in range(1, args.runs + 1):
                browser = playwright.chromium.launch(**launch_args({"headless": True}))
                try:
                    figures = run_episode(browser, scenario, index, run)
                except (PlaywrightError, RegressError, AssertionError, OSError, RuntimeError) as e:
                    message = " ".join(str(e).split())[:160]
                    print(f"{run:>3} failed: {type(e).__name__}: {message}", flush=True)
                    continue
                finally:
                    browser.close()
                results.append(figures)
                print(_row(run, figures), flush=True)
            summaries.append(_summary(scenario.name, results, args.runs))
            print(summaries[-1], flush=True)
    print("\n" + "\n".join(summaries))


if __name__ == "__main__":
    main()

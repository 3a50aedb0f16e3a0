"""Runner overhead: `regress run` on one suite against plain pytest on the same suite and server.

Run from the project root: python benchmarks/runner_overhead.py [--runs 5]

Both commands run on a fresh copy of tests/runner/fixture_project, suite `passing`
(checks/check_pass.py, two tests, the fixture's tiny HTTP server):

  (a) regress   python -m regress run --suite passing --no-combined
                (port check, server start and readiness probe, pytest in a child process
                with JUnit and live events, teardown, run record, Rich table)
  (b) pytest    python -m pytest checks/check_pass.py --regress-manifest suites.yaml
                (REGRESS_CONTEXT unset: the plugin's standalone mode starts the same server
                from the same manifest, with the same code, and stops it at the end)

Each is timed end to end, interpreter start included, alternating (a) and (b) after one
unmeasured warm-up of each. Prints per-run wall times, medians, and (a)/(b). Asserts nothing.

Both commands must pass (exit code 0); the exit codes are printed alongside the times.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

# Run as a script from anywhere: make the repository root importable for the test helpers.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.runner.fixture_projects import copy_fixture_project

TIMEOUT = 300.0  # seconds for one command; the fixture suite takes about one


def main() -> None:
    """Measure and print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="measured runs of each command")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="regress-overhead-") as tmp:
        project = copy_fixture_project(Path(tmp))
        commands = {
            "(a) regress run": [
                sys.executable,
                "-m",
                "regress",
                "run",
                "--suite",
                "passing",
                "--no-combined",
                "--manifest",
                "suites.yaml",
            ],
            "(b) plain pytest": [
                sys.executable,
                "-m",
                "pytest",
                "checks/check_pass.py",
                "--regress-manifest",
                "suites.yaml",
            ],
        }
        env = {k: v for k, v in os.environ.items() if not k.startswith("REGRESS_")}
        env["COLUMNS"] = "120"
        env["FIXTURE_ENV_MARK"] = "yes"  # check_pass.py checks that the environment reaches tests
        for argv in commands.values():  # warm-up: bytecode caches, page cache
            _timed(argv, project, env)
        times: dict[str, list[float]] = {name: [] for name in commands}
        codes: dict[str, list[int]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, argv in commands.items():
                seconds, code = _timed(argv, project, env)
                times[name].append(seconds)
                codes[name].append(code)
    _print(commands, times, codes)


def _timed(argv: Sequence[str], cwd: Path, env: dict[str, str]) -> tuple[float, int]:
    """Wall time and exit code of one command; output is discarded."""
    start = time.perf_counter()
    done = subprocess.run(
        argv,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=TIMEOUT,
        check=False,
    )
    return time.perf_counter() - start, done.returncode


def _print(
    commands: dict[str, list[str]], times: dict[str, list[float]], codes: dict[str, list[int]]
) -> None:
    width = max(len(name) for name in commands)
    for name, argv in commands.items():
        print(f"{name:<{width}}  python {' '.join(argv[1:])}")
    print()
    runs = len(next(iter(times.values())))
    header = "  ".join(f"run {n + 1:>2}" for n in range(runs))
    print(f"{'seconds':<{width}}  {header}  {'median':>7}  exit codes")
    for name in commands:
        cells = "  ".join(f"{t:>6.2f}" for t in times[name])
        median = statistics.median(times[name])
        print(f"{name:<{width}}  {cells}  {median:>7.2f}  {sorted(set(codes[name]))}")
    a, b = (statistics.median(times[name]) for name in commands)
    print()
    print(f"median (a)/(b) = {a / b:.2f}   overhead (a)-(b) = {a - b:+.2f} s per suite run")


if __name__ == "__main__":
    main()

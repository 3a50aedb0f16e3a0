"""Cost of `--repeat 3` against three plain runs of the same suite.

Run from the project root: python benchmarks/repeat_overhead.py [--samples 3]

On a fresh copy of tests/runner/fixture_project, suite `passing` (checks/check_pass.py, three
tests, the fixture's tiny HTTP server), both passes:

  (a) repeat   python -m regress run --suite passing --repeat 3
               (one regress process: three isolation attempts, each with a fresh server,
               then three combined attempts; one record, one table)
  (b) plain    python -m regress run --suite passing, three times back to back
               (three regress processes, three records)

One sample is (a) once and (b) once, timed end to end, interpreter start included, after one
unmeasured warm-up of each: wall time, and CPU time (user + system of every child process,
servers and pytest included, which a busy machine disturbs less). Prints each sample's times
and ratios (a)/(b), and the medians of the ratios. Asserts nothing; every command must exit 0
(the exit codes are printed).
"""

from __future__ import annotations

import argparse
import os
import resource
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

TIMEOUT = 600.0  # seconds for one command
PLAIN_RUNS = 3
RUN = [sys.executable, "-m", "regress", "run", "--suite", "passing", "--manifest", "suites.yaml"]


def main() -> None:
    """Measure and print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=3, help="measured samples")
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if not k.startswith("REGRESS_")}
    env["COLUMNS"] = "120"
    env["FIXTURE_ENV_MARK"] = "yes"  # check_pass.py checks that the environment reaches tests
    repeat = [*RUN, "--repeat", str(PLAIN_RUNS)]
    with tempfile.TemporaryDirectory(prefix="regress-repeat-") as tmp:
        project = copy_fixture_project(Path(tmp))
        _timed([repeat], project, env)  # warm-up: bytecode caches, page cache
        _timed([RUN], project, env)
        rows = []
        for _ in range(args.samples):
            a, a_cpu, codes_a = _timed([repeat], project, env)
            b, b_cpu, codes_b = _timed([RUN] * PLAIN_RUNS, project, env)
            rows.append((a, b, a_cpu, b_cpu, codes_a + codes_b))
    print(f"(a) repeat  python {' '.join(repeat[1:])}")
    print(f"(b) plain   python {' '.join(RUN[1:])}  x{PLAIN_RUNS}")
    print()
    print(
        f"{'sample':<7} {'wall (a)':>9} {'wall (b)':>9} {'(a)/(b)':>8}"
        f" {'cpu (a)':>8} {'cpu (b)':>8} {'(a)/(b)':>8}  exit codes"
    )
    for number, (a, b, a_cpu, b_cpu, codes) in enumerate(rows, start=1):
        print(
            f"{number:<7} {a:>9.2f} {b:>9.2f} {a / b:>8.2f}"
            f" {a_cpu:>8.2f} {b_cpu:>8.2f} {a_cpu / b_cpu:>8.2f}  {sorted(set(codes))}"
        )
    wall = statistics.median(a / b for a, b, *_ in rows)
    cpu = statistics.median(a / b for _, _, a, b, _ in rows)
    print()
    print(f"median (a)/(b) over {len(rows)} samples: wall {wall:.2f}, cpu {cpu:.2f}")


def _timed(
    commands: Sequence[Sequence[str]], cwd: Path, env: dict[str, str]
) -> tuple[float, float, list[int]]:
    """Wall and CPU seconds of the commands run one after the other, and their exit codes."""
    codes = []
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    for argv in commands:
        done = subprocess.run(
            list(argv),
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=TIMEOUT,
            check=False,
        )
        codes.append(done.returncode)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, codes


if __name__ == "__main__":
    main()

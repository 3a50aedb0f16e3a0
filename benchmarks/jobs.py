"""`regress run --jobs 2` against `--jobs 1` on one machine: wall time, and whether every test
stays green when the isolation suites share the CPU.

Run from the project root (one browser-heavy run at a time on the machine):
    python benchmarks/jobs.py --phase 73 [--runs 3]
    python benchmarks/jobs.py --manifest M --phase 90 --suite passing --runs 1   # fixture

Each round runs both commands one after the other (the order alternates between rounds), each
into a fresh reports folder, timed end to end. Prints per-run wall time, exit code and the tests
that did not pass in both passes, then the medians and the ratio --jobs 2 / --jobs 1. Flaky
tests under contention show up as runs that differ; nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from regress.judging.history import load_record
from regress.judging.judge import judge

JOBS = (1, 2)


def main() -> None:
    args = _arguments()
    work = Path(tempfile.mkdtemp(prefix="regress-jobs-"))
    select = ["--manifest", str(args.manifest), "--phase", args.phase]
    select += [arg for name in args.suite for arg in ("--suite", name)]
    times: dict[int, list[float]] = {jobs: [] for jobs in JOBS}
    print(f"work folder: {work}")
    print(f"{'round':>5} {'jobs':>4} {'wall':>8} {'exit':>4}  not passed in both passes")
    for round_ in range(1, args.runs + 1):
        order = JOBS if round_ % 2 else tuple(reversed(JOBS))
        for jobs in order:
            reports = work / f"round-{round_}-jobs-{jobs}"
            command = [sys.executable, "-m", "regress", "run", *select, "--jobs", str(jobs)]
            command += ["--reports", str(reports), "--json"]
            started = time.monotonic()
            done = subprocess.run(command, capture_output=True, text=True, check=False)
            took = time.monotonic() - started
            times[jobs].append(took)
            if done.returncode not in (0, 1):
                print(f"{round_:>5} {jobs:>4} {took:>7.1f}s {done.returncode:>4}  (no run)")
                continue
            folder = Path(json.loads(done.stdout)["report"])
            failing = _not_passed(folder)
            listed = ", ".join(failing) if failing else "-"
            print(f"{round_:>5} {jobs:>4} {took:>7.1f}s {done.returncode:>4}  {listed}")
    medians = {jobs: statistics.median(values) for jobs, values in times.items()}
    print(f"\nmedian wall time: --jobs 1 {medians[1]:.1f}s, --jobs 2 {medians[2]:.1f}s")
    print(f"ratio --jobs 2 / --jobs 1: {medians[2] / medians[1]:.2f}")


def _not_passed(folder: Path) -> list[str]:
    judgement = judge(load_record(folder.parent, folder.name))
    return [t.nodeid for v in judgement.suites for t in v.tests if t.expected and not t.passed]


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--manifest", type=Path, default=Path("suites.yaml"))
    parser.add_argument("--phase", default="73")
    parser.add_argument("--suite", action="append", default=[])
    parser.add_argument("--runs", type=int, default=3)
    return parser.parse_args()


if __name__ == "__main__":
    main()

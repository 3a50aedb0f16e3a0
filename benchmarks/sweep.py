"""How long the start-of-run sweep takes on a busy machine: scanning every process's environment
for the tokens of dead runs, and stopping the ones found.

Starts enough idle processes to bring the machine to about --processes processes in all (a few
of them carrying a "dead" run's token, as a killed run would leave), then times
regress.proc.sweep.carrying (the scan) and regress.proc.sweep.sweep (scan + stop) several
times. Prints figures; asserts nothing.

    python benchmarks/sweep.py [--processes 500] [--tokened 20] [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

import psutil

from regress.proc.ledger import ROLE_ENV, TOKEN_ENV
from regress.proc.sweep import carrying, sweep

IDLE = [sys.executable, "-c", "import time; time.sleep(600)"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--processes", type=int, default=500, help="processes on the machine")
    parser.add_argument("--tokened", type=int, default=20, help="of them left by a dead run")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    before = len(psutil.pids())
    extra = max(0, args.processes - before)
    token = f"regress-bench-{os.getpid()}"
    children: list[subprocess.Popen[bytes]] = []
    try:
        for index in range(extra):
            env = dict(os.environ)
            if index < args.tokened:
                env.update({TOKEN_ENV: token, ROLE_ENV: "pytest:isolation:bench"})
            children.append(subprocess.Popen(IDLE, env=env, start_new_session=True))
        time.sleep(1.0)  # let them all exec
        total = len(psutil.pids())
        print(f"processes on the machine: {total} ({before} before, {extra} started)")

        scans = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            found, scanned = carrying({token})
            scans.append(time.perf_counter() - started)
        print(
            f"scan (carrying): {len(found)} found among {scanned} processes; "
            f"median {statistics.median(scans) * 1000:.1f} ms, "
            f"min {min(scans) * 1000:.1f} ms, max {max(scans) * 1000:.1f} ms over {args.repeat}"
        )

        result = sweep({token}, grace=2.0)
        print(
            f"sweep (scan + SIGTERM + wait): stopped {len(result.stopped)} of "
            f"{min(args.tokened, extra)} in {result.seconds * 1000:.1f} ms"
        )
        empty = sweep({f"{token}-none"}, grace=2.0)
        print(f"sweep with nothing to stop: {empty.seconds * 1000:.1f} ms")
    finally:
        for child in children:
            child.kill()
        for child in children:
            child.wait()


if __name__ == "__main__":
    main()

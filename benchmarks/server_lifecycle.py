"""Server lifecycle figures: readiness latency after the port opens, and teardown time.

Run from the project root: python benchmarks/server_lifecycle.py [--starts 20] [--stubborn 5]

The tiny server (tests/runner/http_server.py) writes time.time() right after listen(); the
latency is the time from there to start_server returning. Teardown is stop_server's duration
(group stop plus the wait for the port) for a well-behaved server and for one ignoring SIGTERM.
Prints figures only; nothing is asserted.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from regress.manifest.model import ReadyCheck, ReadyKind, ServerSpec
from regress.proc.ledger import Ledger
from regress.proc.ports import free_port
from regress.proc.server import start_server, stop_server

HTTP_SERVER = Path(__file__).resolve().parents[1] / "tests" / "runner" / "http_server.py"
STUBBORN_GRACE = 1.0


def main() -> None:
    """Measure and print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=20, help="starts per readiness kind")
    parser.add_argument("--stubborn", type=int, default=5, help="stops of a SIGTERM-ignorer")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="regress-bench-") as tmp:
        work = Path(tmp)
        ledger = Ledger(work / "ledger.json")
        rows: list[tuple[str, list[float]]] = []
        for kind in (ReadyKind.HTTP, ReadyKind.TCP):
            latency, ready, teardown = _cycles(work, ledger, kind, args.starts, ())
            rows += [
                (f"{kind.value} readiness after listen()", latency),
                (f"{kind.value} spawn -> ready (incl. interpreter start)", ready),
                (f"teardown, well-behaved ({kind.value})", teardown),
            ]
        _, _, stubborn = _cycles(work, ledger, ReadyKind.TCP, args.stubborn, ("--ignore-term",))
        rows.append((f"teardown, ignores SIGTERM (grace {STUBBORN_GRACE:g}s)", stubborn))
    _print(rows)


def _cycles(
    work: Path, ledger: Ledger, kind: ReadyKind, count: int, extra: Sequence[str]
) -> tuple[list[float], list[float], list[float]]:
    latency: list[float] = []
    ready: list[float] = []
    teardown: list[float] = []
    grace = STUBBORN_GRACE if extra else 5.0
    for number in range(count):
        stamp = work / f"{kind.value}-{number}-{len(extra)}.stamp"
        spec = ServerSpec(
            name="bench",
            command=("{python}", str(HTTP_SERVER), "{port}", "--stamp", str(stamp), *extra),
            port=0,
            ready=ReadyCheck(kind, timeout=10.0),
            grace=grace,
        )
        server = start_server(
            spec,
            port=free_port(),
            log_path=work / "server.log",
            env={},
            run_id="bench",
            token="bench-token",
            ledger=ledger,
            data_dir=work,
            suite_dir=work,
            python=sys.executable,
        )
        returned = time.time()
        latency.append(returned - _listened(stamp))
        ready.append(server.ready_seconds)
        teardown.append(stop_server(server, ledger, grace).seconds)
    return latency, ready, teardown


def _listened(stamp: Path) -> float:
    """The server's time.time() after listen(); it may land a moment after the probe passed."""
    deadline = time.monotonic() + 5.0
    while not stamp.exists() and time.monotonic() < deadline:
        time.sleep(0.001)
    return float(stamp.read_text())


def _print(rows: Sequence[tuple[str, list[float]]]) -> None:
    width = max(len(name) for name, _ in rows)
    print(f"{'figure':<{width}}  {'n':>3}  {'median ms':>10}  {'max ms':>9}")
    for name, values in rows:
        median = statistics.median(values) * 1000
        print(f"{name:<{width}}  {len(values):>3}  {median:>10.1f}  {max(values) * 1000:>9.1f}")


if __name__ == "__main__":
    main()

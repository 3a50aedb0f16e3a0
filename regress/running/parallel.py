"""`--jobs N`: the isolation pass with up to N suites at a time, each in its own worker thread
(its own ports, server and pytest process, as when run one after another).

Only the main thread records: results are added as suites finish and put in manifest order at
the end. Ctrl-C (or a crash), whenever it comes, closes the gate so no further suite starts,
stops every child until no worker is left inside a suite (a worker may start its server or
pytest just after a stop), and records the unfinished suites as interrupted.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

from regress.judging.results import PassKind, SuiteResult
from regress.manifest.model import Suite
from regress.proc import popen
from regress.running.recorder import Recorder, now
from regress.running.setup import Interrupted

STOP_GRACE = 2.0  # seconds between SIGTERM and SIGKILL of the children of cancelled suites
STOP_POLL = 0.5  # seconds between rounds of stopping children while workers are still inside

RunOne = Callable[[Suite, Callable[[], bool]], SuiteResult]  # (suite, stopping) -> result


class _Cancelled(Exception):
    """A worker reached a suite after the gate closed: it did not start it."""


class _Gate:
    """Lets workers into suites until it is closed; knows how many are inside."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._open = True
        self._inside = 0

    def run(self, run_one: RunOne, suite: Suite) -> SuiteResult:
        """run_one(suite, closed) in a worker thread, unless the gate is closed (then
        _Cancelled)."""
        with self._changed:
            if not self._open:
                raise _Cancelled(suite.name)
            self._inside += 1
        try:
            return run_one(suite, self.closed)
        finally:
            with self._changed:
                self._inside -= 1
                self._changed.notify_all()

    def close(self) -> None:
        """No suite starts from now on (those inside go on until their children are stopped)."""
        with self._changed:
            self._open = False

    def closed(self) -> bool:
        """Whether the run is stopping (a suite that ends now was cut short by the stop)."""
        return not self._open

    def empty(self, timeout: float) -> bool:
        """Wait up to timeout until no worker is inside a suite; whether none is."""
        with self._changed:
            return self._changed.wait_for(lambda: self._inside == 0, timeout)


def run_concurrently(
    suites: Sequence[Suite], jobs: int, recorder: Recorder, run_one: RunOne
) -> None:
    """Run every suite with run_one, up to `jobs` at once; record each result as it comes.

    run_one is also given `stopping()`: once true, its suite's children are being stopped and
    whatever it returns or raises is not recorded (the suite is recorded as interrupted).
    """
    gate = _Gate()
    with ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="regress-suite") as pool:
        try:  # everything from the first submit on: a signal may come between any two steps
            pending: set[Future[SuiteResult]] = set()
            for suite in suites:
                pending.add(pool.submit(gate.run, run_one, suite))
            while pending:
                done, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
                for future in done:
                    recorder.add(future.result())
        except (Interrupted, KeyboardInterrupt):
            _stop(gate)
            recorder.interrupted(PassKind.ISOLATION, suites, started=now(), clock=time.monotonic())
            raise
        except BaseException:
            _stop(gate)
            raise
    recorder.order([s.name for s in suites])


def _stop(gate: _Gate) -> None:
    """Close the gate, then stop every child until no worker is inside a suite (the pool's
    shutdown then only finds idle workers and suites that never start)."""
    gate.close()
    try:
        while not gate.empty(timeout=0.0):
            popen.stop_all(grace=STOP_GRACE)
            gate.empty(timeout=STOP_POLL)  # the workers return once they see their children end
    except (Interrupted, KeyboardInterrupt):
        _stop(gate)  # a first Ctrl-C during a crash's stop: finish stopping (signals now ignored)
        raise

"""`--jobs N`: the isolation pass with up to N suites at a time, each in its own worker thread
(its own ports, server and pytest process, as when run one after another).

Only the main thread records: results are added as suites finish and put in manifest order at
the end. Ctrl-C (or a crash) cancels the suites not started, stops every child until the
running workers have returned, and records the unfinished suites as interrupted.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

from regress.judging.results import PassKind, SuiteResult, SuiteStatus
from regress.judging.suite import not_run
from regress.manifest.model import Suite
from regress.proc import popen
from regress.running.recorder import Recorder, now
from regress.running.setup import Interrupted

STOP_GRACE = 2.0  # seconds between SIGTERM and SIGKILL of the children of cancelled suites


def run_concurrently(
    suites: Sequence[Suite], jobs: int, recorder: Recorder, run_one: Callable[[Suite], SuiteResult]
) -> None:
    """Run every suite with run_one, up to `jobs` at once; record each result as it comes."""
    with ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="regress-suite") as pool:
        futures: dict[Future[SuiteResult], Suite] = {pool.submit(run_one, s): s for s in suites}
        pending = set(futures)
        try:
            while pending:
                done, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
                for future in done:
                    recorder.add(future.result())
        except (Interrupted, KeyboardInterrupt):
            _stop(futures)
            started, clock = now(), time.monotonic()
            for suite in (s for s in suites if not recorder.has(s.name)):
                recorder.add(
                    not_run(
                        suite,
                        PassKind.ISOLATION,
                        status=SuiteStatus.INTERRUPTED,
                        reason="interrupted (Ctrl-C)",
                        ports=(),
                        started=started,
                        clock=clock,
                    ),
                    save=False,
                )
            raise
        except BaseException:
            _stop(futures)
            raise
    recorder.order([s.name for s in suites])


def _stop(futures: dict[Future[SuiteResult], Suite]) -> None:
    """Cancel what has not started; stop children until every running worker has returned
    (a worker may start its server or pytest just after a stop)."""
    for future in futures:
        future.cancel()
    running = {f for f in futures if not f.done()}
    while running:
        popen.stop_all(grace=STOP_GRACE)
        _, running = wait(running, timeout=0.5)

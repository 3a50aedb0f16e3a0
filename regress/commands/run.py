"""`regress run`: select, run both passes under signal handling (and Xvfb for --headed), record."""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from regress.commands.common import reports_folder, selection_for
from regress.errors import RegressError
from regress.judging.history import load_record
from regress.judging.rerun import not_passed
from regress.judging.results import RunRecord
from regress.manifest.select import parse_param
from regress.reporting.writers import WRITERS
from regress.running.events import ProgressSink
from regress.running.focus import Focus, focus_selection
from regress.running.pytest_run import PytestOptions
from regress.running.run import Interrupted, RunOptions, execute_run


@dataclass(frozen=True)
class RunRequest:
    """`regress run` as the user asked for it."""

    manifest: Path
    phases: tuple[str, ...] = ()
    suites: tuple[str, ...] = ()
    stagger: float | None = None
    params: tuple[str, ...] = ()  # NAME=VALUE, as typed
    no_combined: bool = False
    combined_only: bool = False
    force_ports: bool = False
    headed: bool = False
    browser: str | None = None
    pytest_args: tuple[str, ...] = ()
    reports: Path | None = None
    keyword: str | None = None  # -k EXPR
    tests: tuple[str, ...] = ()  # --test NODEID
    last_failed: bool = False
    failed_from: str | None = None  # --failed-from RUN_ID
    repeat: int = 1
    fail_fast: bool = False

    @property
    def reports_dir(self) -> Path:
        """The reports folder this run writes to."""
        return reports_folder(self.reports, self.manifest)


def run(request: RunRequest, sink: ProgressSink) -> RunRecord:
    """Run the selection; SIGINT/SIGTERM end it early with a partial record (exit code 130)."""
    params = tuple(parse_param(p) for p in request.params)
    if request.stagger is not None:
        params += (("stagger", str(request.stagger)),)
    if request.repeat < 1:
        raise RegressError(f"--repeat {request.repeat}: give a number of attempts of 1 or more")
    if request.last_failed and request.failed_from:
        raise RegressError("--last-failed and --failed-from together: give one of them")
    selection = selection_for(request.manifest, request.phases, request.suites, params)
    keyword = ("-k", request.keyword) if request.keyword else ()
    pytest = PytestOptions(
        headed=request.headed, browser=request.browser, extra=(*request.pytest_args, *keyword)
    )
    wanted = _focus(request)
    selection, focus = focus_selection(selection, wanted, pytest)
    options = RunOptions(
        reports=request.reports_dir,
        isolation=not request.combined_only,
        combined=not request.no_combined,
        force_ports=request.force_ports,
        pytest=pytest,
        invocation=_invocation(request, params, wanted.rerun_of),
        focus=focus,
        repeat=request.repeat,
        fail_fast=request.fail_fast,
    )
    with _interrupts(Interrupted):
        return execute_run(selection, options, sink, WRITERS)


def _focus(request: RunRequest) -> Focus:
    """-k, --test and the tests that did not pass in the run --last-failed/--failed-from name."""
    rerun: tuple[str, ...] | None = None
    rerun_of = ""
    if request.last_failed or request.failed_from:
        flag = "--last-failed" if request.last_failed else f"--failed-from {request.failed_from}"
        try:
            record = load_record(request.reports_dir, request.failed_from)
        except RegressError as exc:
            raise RegressError(f"{flag}: {exc.message}") from None
        rerun, rerun_of = not_passed(record), record.run_id
    return Focus(request.keyword, request.tests, rerun, rerun_of)


def _invocation(
    request: RunRequest, params: tuple[tuple[str, str], ...], rerun_of: str = ""
) -> tuple[tuple[str, str], ...]:
    """How the run was called, for the SUMMARY's decisions (empty options left out)."""
    passes = (
        "combined only"
        if request.combined_only
        else "isolation only"
        if request.no_combined
        else ""
    )
    return tuple(
        (key, value)
        for key, value in (
            ("phase", ",".join(request.phases)),
            ("suite", ",".join(request.suites)),
            ("params", ",".join(f"{k}={v}" for k, v in params)),
            ("passes", passes),
            ("force-ports", "yes" if request.force_ports else ""),
            ("headed", "yes" if request.headed else ""),
            ("keyword", request.keyword or ""),
            ("test", ",".join(request.tests)),
            ("failed-from", rerun_of),
            ("repeat", str(request.repeat) if request.repeat > 1 else ""),
            ("fail-fast", "yes" if request.fail_fast else ""),
        )
        if value
    )


_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@contextlib.contextmanager
def _interrupts(exception: type[BaseException]) -> Iterator[None]:
    """SIGINT and SIGTERM raise `exception` in the main thread, once. After the first one both
    stay ignored for the rest of the process, so a second Ctrl-C cannot cut short the cleanup,
    the partial record or the table; without a signal the old handlers are restored."""
    received: list[int] = []

    def handler(signum: int, frame: FrameType | None) -> None:
        del frame
        for sig in _SIGNALS:
            signal.signal(sig, signal.SIG_IGN)
        received.append(signum)
        raise exception(signal.Signals(signum).name)

    previous = {sig: signal.signal(sig, handler) for sig in _SIGNALS}
    try:
        yield
    finally:
        if not received:
            for sig, old in previous.items():
                signal.signal(sig, old)

"""`regress run`: select, run both passes under signal handling (and Xvfb for --headed), record."""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from regress.commands.common import reports_folder, selection_for
from regress.commands.prune import prune_folder
from regress.judging.results import RunRecord
from regress.judging.retention import pruned_lines
from regress.manifest.select import parse_param
from regress.reporting.writers import WRITERS
from regress.running.events import ProgressSink
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

    @property
    def reports_dir(self) -> Path:
        """The reports folder this run writes to."""
        return reports_folder(self.reports, self.manifest)


def run(request: RunRequest, sink: ProgressSink) -> RunRecord:
    """Run the selection; SIGINT/SIGTERM end it early with a partial record (exit code 130)."""
    params = tuple(parse_param(p) for p in request.params)
    if request.stagger is not None:
        params += (("stagger", str(request.stagger)),)
    selection = selection_for(request.manifest, request.phases, request.suites, params)
    options = RunOptions(
        reports=request.reports_dir,
        isolation=not request.combined_only,
        combined=not request.no_combined,
        force_ports=request.force_ports,
        pytest=PytestOptions(
            headed=request.headed, browser=request.browser, extra=request.pytest_args
        ),
        invocation=_invocation(request, params),
    )
    with _interrupts(Interrupted):
        record = execute_run(selection, options, sink, WRITERS)
    keep = selection.manifest.keep
    if keep is not None and not record.interrupted:  # the manifest's `keep`, after the run
        pruned = prune_folder(options.reports, keep)
        if pruned.removed or pruned.failed:
            for line in pruned_lines(pruned):
                sink.message(line)
    return record


def _invocation(
    request: RunRequest, params: tuple[tuple[str, str], ...]
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

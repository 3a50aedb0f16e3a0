"""`regress run` end to end: take the reports folder's run lock, stop what dead runs left behind,
the isolation pass, the combined pass, and the final record, which is written however the run
ends (finished, interrupted or crashed)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import psutil

from regress.errors import RegressError
from regress.judging.results import RunRecord
from regress.manifest.select import Selection
from regress.proc import popen
from regress.proc.display import virtual_display
from regress.proc.lock import RunLock, check_reports_folder
from regress.proc.sweep import sweep
from regress.running.combined import run_combined
from regress.running.events import ProgressSink
from regress.running.isolation import run_isolation
from regress.running.recorder import Recorder, RecordWriter
from regress.running.setup import Interrupted, RunOptions, RunSetup

__all__ = ["Interrupted", "RunOptions", "execute_run"]

STALE_GRACE = 3.0  # seconds between SIGTERM and SIGKILL for what dead runs left behind


def execute_run(
    selection: Selection,
    options: RunOptions,
    sink: ProgressSink,
    writers: Sequence[RecordWriter] = (),
) -> RunRecord:
    """Run the selection; returns the final record (already written, and given to writers).

    Raises:
        RegressError: nothing is selected, both passes were turned off, the reports folder is
            unusable, or another run holds its lock (before anything was started).
    """
    if not selection.suites:
        raise RegressError("nothing selected: check --phase/--suite against `regress list`")
    if not (options.isolation or options.combined):
        raise RegressError("--no-combined and --combined-only together leave nothing to run")
    check_reports_folder(options.reports)
    setup = RunSetup.new(selection, options, sink)
    lock = RunLock(options.reports)
    command = psutil.Process().cmdline()  # as ps shows it: `python -m regress run ...` too
    took_over = lock.acquire(setup.run_id, command)
    try:
        notes = _clean_up_after_dead_runs(setup)
        if took_over:
            notes.insert(0, took_over)
        setup.ledger.register_run(setup.run_id, setup.token, command)
        try:
            return _run(setup, notes, writers)
        finally:
            setup.ledger.unregister_run(setup.token)
    finally:
        lock.release()


def _run(setup: RunSetup, notes: list[str], writers: Sequence[RecordWriter]) -> RunRecord:
    recorder = Recorder(setup, writers)
    for note in notes:
        recorder.note(note, show=True)
    setup.dir.mkdir(parents=True, exist_ok=True)
    recorder.save()
    interrupted = False
    options = setup.options
    try:
        with virtual_display(
            options.pytest.headed,
            log_dir=setup.dir,
            ledger=setup.ledger,
            run_id=setup.run_id,
            token=setup.token,
        ) as display:
            if display:
                pytest_options = replace(options.pytest, env=(*options.pytest.env, *display))
                setup = replace(setup, options=replace(options, pytest=pytest_options))
                recorder.setup = setup
            if options.isolation:
                run_isolation(setup, recorder)
            if options.combined:
                run_combined(setup, recorder)
    except (Interrupted, KeyboardInterrupt):
        interrupted = True
        recorder.note("interrupted: every child process was stopped; this report is partial")
    except Exception as exc:
        # A bug in regress itself: still stop every child and keep what the run has.
        recorder.finish(interrupted=False, crash=f"regress crashed: {exc!r}")
        raise
    finally:
        popen.stop_all(grace=3.0)
        left = sweep({setup.token}, grace=2.0).stopped
        if left:
            described = ", ".join(f.describe() for f in left)
            recorder.note(
                f"stopped {len(left)} process(es) of this run still alive at its end: {described}"
            )
    return recorder.finish(interrupted=interrupted)


def _clean_up_after_dead_runs(setup: RunSetup) -> list[str]:
    """Before anything starts: stop every process of a run whose regress process is gone (by
    its token, and by the ledger's pids), and say what was stopped."""
    ledger = setup.ledger
    notes = []
    if ledger.recovered is not None:
        notes.append(f"the ledger was unreadable; kept it as {ledger.recovered}")
    stale = ledger.stale_tokens()
    found = sweep(stale, grace=STALE_GRACE)
    for process in found.stopped:
        notes.append(
            f"stopped {process.describe()} left by dead run {stale.get(process.token, '?')}"
            f" ({process.role or 'no role'})"
        )
    for entry in ledger.cleanup_stale(grace=STALE_GRACE):
        notes.append(f"stopped pid {entry.pid} left on port {entry.port} by run {entry.run_id}")
    if stale:
        notes.append(
            f"swept {found.scanned} processes for {len(stale)} dead run token(s) in"
            f" {found.seconds * 1000:.0f} ms"
        )
    return notes

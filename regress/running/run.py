"""`regress run` end to end: clean up after dead runs, the isolation pass, the combined pass, and
the final record, which is written however the run ends (finished, interrupted or crashed)."""

from __future__ import annotations

from collections.abc import Sequence

from regress.errors import RegressError
from regress.judging.results import RunRecord
from regress.manifest.select import Selection
from regress.proc import popen
from regress.running.combined import run_combined
from regress.running.events import ProgressSink
from regress.running.isolation import run_isolation
from regress.running.recorder import Recorder, RecordWriter
from regress.running.setup import Interrupted, RunOptions, RunSetup

__all__ = ["Interrupted", "RunOptions", "execute_run"]


def execute_run(
    selection: Selection,
    options: RunOptions,
    sink: ProgressSink,
    writers: Sequence[RecordWriter] = (),
) -> RunRecord:
    """Run the selection; returns the final record (already written, and given to writers).

    Raises:
        RegressError: nothing is selected, or both passes were turned off.
    """
    if not selection.suites:
        raise RegressError("nothing selected: check --phase/--suite against `regress list`")
    if not (options.isolation or options.combined):
        raise RegressError("--no-combined and --combined-only together leave nothing to run")
    setup = RunSetup.new(selection, options, sink)
    recorder = Recorder(setup, writers)
    setup.dir.mkdir(parents=True, exist_ok=True)
    recorder.save()
    interrupted = False
    try:
        _clean_up_after_dead_runs(setup, recorder)
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
    return recorder.finish(interrupted=interrupted)


def _clean_up_after_dead_runs(setup: RunSetup, recorder: Recorder) -> None:
    """Stop what runs whose regress process is gone left behind, before anything starts."""
    if setup.ledger.recovered is not None:
        recorder.note(f"the ledger was unreadable; kept it as {setup.ledger.recovered}")
    for entry in setup.ledger.cleanup_stale(grace=5.0):
        recorder.note(
            f"stopped pid {entry.pid} left on port {entry.port} by run {entry.run_id}", show=True
        )

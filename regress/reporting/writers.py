"""The files every finished run writes besides run.json, registered in one place.

A writer takes the run's judgement and the reports folder; `regress run` hands WRITERS to the
run, which calls each on the final record.
"""

from __future__ import annotations

from pathlib import Path

from regress.judging import history
from regress.judging.verdicts import Judgement
from regress.reporting.summary import run_summary
from regress.reporting.summary_paths import plan_keys, summary_relpath_in_run


def write_summaries(judgement: Judgement, reports: Path) -> None:
    """Each plan's GSD SUMMARY into reports/<run-id>/<phase-slug>/<NN>-<PP>-SUMMARY.md."""
    record = judgement.record
    directory = history.run_dir(reports, record.run_id)
    for key in plan_keys(record):
        path = directory / summary_relpath_in_run(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        history.write_text_atomic(path, run_summary(judgement, key, reports))


WRITERS = (write_summaries,)

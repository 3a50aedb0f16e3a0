"""The files every finished run writes besides run.json, registered in one place.

A writer takes the run's judgement and the reports folder; `regress run` hands WRITERS to the
run, which calls each on the final record.
"""

from __future__ import annotations

from pathlib import Path

from regress.errors import RegressError
from regress.judging import history
from regress.judging.judge import judge
from regress.judging.verdicts import Judgement
from regress.reporting.html import REPORT_FILE, render_html
from regress.reporting.html.page import HISTORY_RUNS
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


def write_html(judgement: Judgement, reports: Path) -> None:
    """The run's HTML report as reports/<run-id>/index.html (trends from earlier runs there)."""
    record = judgement.record
    path = html_path(reports, record.run_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    history.write_text_atomic(path, render_html(judgement, earlier_runs(reports, record.run_id)))


def html_path(reports: Path, run_id: str) -> Path:
    """Where a run's HTML report is written."""
    return history.run_dir(reports, run_id) / REPORT_FILE


def earlier_runs(reports: Path, run_id: str) -> tuple[Judgement, ...]:
    """The judgements of the runs recorded before run_id (oldest first), unreadable ones left
    out: a broken old run.json must not stop today's report."""
    ids = [i for i in history.list_runs(reports) if i < run_id][-(HISTORY_RUNS - 1) :]
    found = []
    for old in ids:
        try:
            found.append(judge(history.load_record(reports, old)))
        except RegressError:
            continue
    return tuple(found)


WRITERS = (write_summaries, write_html)

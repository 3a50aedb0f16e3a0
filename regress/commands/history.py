"""`regress history`: the recorded runs of a reports folder, newest first, each judged once."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from regress.commands.common import reports_folder
from regress.errors import RegressError
from regress.judging.history import StoredRun, stored_runs
from regress.judging.judge import judge
from regress.judging.verdicts import Judgement
from regress.proc.lock import runs_in_progress


@dataclass(frozen=True)
class HistoryRequest:
    """`regress history` as the user asked for it."""

    manifest: Path
    reports: Path | None = None
    last: int | None = None  # only the newest N runs


@dataclass(frozen=True)
class History:
    """The runs to list (newest first, with their judgement when readable) and which of them
    are still in progress."""

    runs: tuple[tuple[StoredRun, Judgement | None], ...]
    in_progress: frozenset[str]


def history(request: HistoryRequest) -> History:
    """Read every run record of the reports folder (a broken one is listed with its reason)."""
    if request.last is not None and request.last < 1:
        raise RegressError(f"--last {request.last}: give a positive number of runs, e.g. --last 10")
    folder = reports_folder(request.reports, request.manifest)
    runs = stored_runs(folder, request.last)
    return History(
        runs=tuple((run, judge(run.record) if run.record else None) for run in runs),
        in_progress=runs_in_progress(folder),
    )

"""`regress diff [A] [B]`: what changed per test from run A to run B (default: the two newest
finished runs that share suites)."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from regress.commands.common import reports_folder
from regress.errors import RegressError
from regress.judging.diff import RunDiff, Thresholds, diff_runs
from regress.judging.history import LATEST_LINK, latest_run_id, list_runs, load_record
from regress.judging.judge import judge
from regress.judging.results import RunRecord

_HOW_TO_LIST = "list the recorded runs with `regress history`"


@dataclass(frozen=True)
class DiffRequest:
    """`regress diff` as the user asked for it."""

    manifest: Path
    before: str | None = None  # A: the earlier run
    after: str | None = None  # B: the later run
    reports: Path | None = None
    threshold: float = 50.0  # percent of the earlier duration
    min_seconds: float = 1.0


def diff(request: DiffRequest) -> RunDiff:
    """Pick and read both runs, then compare the suites they share.

    Raises:
        RegressError: a run id is unknown or unreadable, fewer than two runs are usable, the
            runs share no suite, or a threshold is not a finite number >= 0.
    """
    thresholds = _thresholds(request)
    folder = reports_folder(request.reports, request.manifest)
    known = list_runs(folder)
    before_id = _resolve(folder, known, request.before)
    after_id = _resolve(folder, known, request.after)
    if before_id is not None and before_id == after_id:
        raise RegressError(f"both runs are {before_id}: name two different runs ({_HOW_TO_LIST})")
    after = load_record(folder, after_id) if after_id else None
    if after is None:
        after = next(_finished(folder, known, newer_than=before_id), None)
        if after is None:
            raise RegressError(_too_few(folder, before_id))
    before = load_record(folder, before_id) if before_id else None
    if before is None:
        shared = {s.name for s in after.suites}
        before = next(
            (
                r
                for r in _finished(folder, known, older_than=after.run_id)
                if shared & {s.name for s in r.suites}
            ),
            None,
        )
        if before is None:
            raise RegressError(
                f"no finished run before {after.run_id} shares a suite with it: "
                f"name the runs to compare ({_HOW_TO_LIST})"
            )
    result = diff_runs(judge(before), judge(after), thresholds)
    if not result.suites:
        raise RegressError(
            f"runs {before.run_id} and {after.run_id} share no suite: nothing to compare "
            f"({_HOW_TO_LIST})"
        )
    return result


def _thresholds(request: DiffRequest) -> Thresholds:
    options = (("--threshold", request.threshold), ("--min-seconds", request.min_seconds))
    for option, value in options:
        if not math.isfinite(value) or value < 0:
            raise RegressError(f"{option} {value}: give a finite number >= 0")
    return Thresholds(ratio=request.threshold / 100, seconds=request.min_seconds)


def _resolve(folder: Path, known: tuple[str, ...], run_id: str | None) -> str | None:
    """A run id the user typed ("latest" names the newest run), checked to exist."""
    if run_id is None:
        return None
    if run_id == LATEST_LINK:
        run_id = latest_run_id(folder) or run_id
    if run_id not in known:
        raise RegressError(f"no run {run_id!r} in {folder}: {_HOW_TO_LIST}")
    return run_id


def _finished(
    folder: Path,
    known: tuple[str, ...],
    *,
    older_than: str | None = None,
    newer_than: str | None = None,
) -> Iterator[RunRecord]:
    """Readable, finished (not interrupted) runs, newest first; unreadable ones are passed over.
    Run ids sort by start time."""
    for run_id in reversed(known):
        if (older_than is not None and run_id >= older_than) or (
            newer_than is not None and run_id <= newer_than
        ):
            continue
        try:
            record = load_record(folder, run_id)
        except RegressError:
            continue
        if record.complete and not record.interrupted:
            yield record


def _too_few(folder: Path, before_id: str | None) -> str:
    if before_id is not None:
        return (
            f"no finished run after {before_id} in {folder}: name the run to compare it with "
            f"({_HOW_TO_LIST})"
        )
    return f"regress diff needs two finished runs in {folder}: run `regress run` (twice)"

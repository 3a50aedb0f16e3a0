"""The baseline of a `regress mutate`: the union of the selected mutations' suites run once, by
the same machinery as a mutant, on a worktree of HEAD with no patch (reports/mutate-<id>/baseline/),
and its BaselineResult: the tests that passed there are the only ones whose red proves a catch."""

from __future__ import annotations

import time
from collections.abc import Sequence

from regress.errors import RegressError
from regress.judging import history
from regress.judging.evidence import BaselineResult, BaselineStatus, baseline_of
from regress.manifest.model import Mutation
from regress.manifest.mutations import BASELINE
from regress.mutating.mutant import LOG_FILE, Base, Mutant, spawn
from regress.mutating.worktrees import Worktrees


def baseline_suites(mutations: Sequence[Mutation]) -> tuple[str, ...]:
    """Every suite of the mutations, once, in first-seen order."""
    return tuple(dict.fromkeys(name for mutation in mutations for name in mutation.suites))


def start_baseline(
    base: Base, mutations: Sequence[Mutation], worktrees: Worktrees, slot: int, offset: int
) -> Mutant:
    """Create a worktree of HEAD and start `regress run` of the mutations' suites in it.

    Raises:
        RegressError: git could not create the worktree.
    """
    suites = baseline_suites(mutations)
    return spawn(
        base, BASELINE, suites, mutation=None, worktrees=worktrees, slot=slot, offset=offset
    )


def judge_baseline(base: Base, job: Mutant, ended: float | None = None) -> BaselineResult:
    """The finished baseline, read from the run.json its `regress run` wrote."""
    duration = (time.monotonic() if ended is None else ended) - job.clock
    reports = job.reports.relative_to(base.folder).as_posix()
    try:
        record = history.load_record(job.reports)
    except RegressError as exc:
        return BaselineResult(
            suites=job.suites,
            status=BaselineStatus.ERROR,
            duration=duration,
            reports=reports,
            unusable=job.suites,
            note=f"its `regress run` exited {job.child.returncode} without a record "
            f"({exc.message}); see {job.reports / LOG_FILE}",
        )
    return baseline_of(record, job.suites, duration, reports)


def no_baseline(mutations: Sequence[Mutation], status: BaselineStatus, note: str) -> BaselineResult:
    """A baseline that did not run: skipped (--no-baseline) or interrupted before it started."""
    return BaselineResult(
        suites=baseline_suites(mutations), status=status, duration=0.0, reports="", note=note
    )

"""The runs of one `regress mutate`: the baseline in the first free slot, then the mutants (slot k
on its suites' ports plus k * step), each collected when its `regress run` ends, mutants judged
once the baseline is known, and on an interrupt everything still running stopped and marked so."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Protocol

from regress.judging.evidence import BaselineResult, BaselineStatus
from regress.judging.mutations import MutantResult, MutantStatus
from regress.manifest.model import Mutation
from regress.mutating.baseline import judge_baseline, no_baseline, start_baseline
from regress.mutating.mutant import Base, Mutant, judge_mutant, not_run, start
from regress.mutating.worktrees import Worktrees
from regress.proc import popen
from regress.proc.ledger import Ledger
from regress.proc.sweep import sweep

CHILD_GRACE = 20.0  # seconds a mutant's `regress run` gets to stop its own processes on SIGTERM
STALE_GRACE = 3.0


class MutateSink(Protocol):
    """Live view of a mutate run."""

    def note(self, text: str) -> None:
        """A run-level remark."""

    def baseline_started(self, suites: tuple[str, ...], reports: Path) -> None:
        """The baseline's `regress run` started."""

    def baseline_finished(self, result: BaselineResult) -> None:
        """The baseline was judged (or skipped)."""

    def started(self, name: str, reports: Path) -> None:
        """A mutant's `regress run` started."""

    def finished(self, result: MutantResult) -> None:
        """A mutant was judged."""


class Schedule:
    """Which runs wait, run, ended unjudged (before the baseline did) or were judged."""

    def __init__(
        self,
        base: Base,
        mutations: Sequence[Mutation],
        worktrees: Worktrees,
        sink: MutateSink,
        *,
        jobs: int,
        step: int,
        baseline: bool,
    ) -> None:
        self.base, self.mutations, self.worktrees, self.sink = base, mutations, worktrees, sink
        self.jobs, self.step = jobs, step
        self.waiting = list(mutations)
        self.running: list[Mutant] = []
        self.ended: list[tuple[Mutant, Mutation, float]] = []  # ended before the baseline did
        self.results: list[MutantResult] = []
        self.baseline = None if baseline else no_baseline(mutations, BaselineStatus.SKIPPED, "")
        self.to_start = baseline  # the baseline still has to start
        if self.baseline is not None:
            sink.baseline_finished(self.baseline)

    @property
    def busy(self) -> bool:
        """Whether a run still waits or runs."""
        return bool(self.waiting or self.running or self.to_start)

    def start_free(self) -> None:
        """Start the baseline, then waiting mutants, in the free slots.

        Raises:
            RegressError: git could not create a worktree or a patch does not apply.
        """
        free = sorted(set(range(self.jobs)) - {m.slot for m in self.running})
        if self.to_start and free:
            slot, self.to_start = free.pop(0), False
            job = start_baseline(self.base, self.mutations, self.worktrees, slot, slot * self.step)
            self.running.append(job)
            self.sink.baseline_started(job.suites, job.reports)
        while self.waiting and free:
            mutation, slot = self.waiting.pop(0), free.pop(0)
            mutant = start(self.base, mutation, self.worktrees, slot, slot * self.step)
            self.running.append(mutant)
            self.sink.started(mutation.name, mutant.reports)

    def collect(self) -> bool:
        """Take the runs that ended out of their slots and judge what can be judged; whether
        anything new was judged."""
        judged = False
        for job in [m for m in self.running if m.child.poll() is not None]:
            self.running.remove(job)
            self.worktrees.remove(job.tree)
            if job.mutation is None:
                self.baseline = judge_baseline(self.base, job, time.monotonic())
                self.sink.baseline_finished(self.baseline)
                judged = True
            else:
                self.ended.append((job, job.mutation, time.monotonic()))
        while self.baseline is not None and self.ended:  # judged only against a known baseline
            job, mutation, at = self.ended.pop(0)
            self.results.append(judge_mutant(self.base, job, mutation, self.baseline, at))
            self.sink.finished(self.results[-1])
            judged = True
        return judged

    def stop(self) -> None:
        """Stop the runs still going (each `regress run` stops its own processes on SIGTERM),
        whatever carries this run's token, what their runs left, and remove their worktrees;
        their results (the baseline's too, if it was running) are marked interrupted."""
        for job in self.running:
            popen.stop(job.child, grace=CHILD_GRACE)
            if job.mutation is None:
                result = judge_baseline(self.base, job)
                self.baseline = replace(
                    result, status=BaselineStatus.INTERRUPTED, note="interrupted"
                )
            else:
                judged = judge_mutant(self.base, job, job.mutation, self.baseline)
                note = "interrupted"
                self.results.append(replace(judged, status=MutantStatus.INTERRUPTED, note=note))
        sweep({self.base.token}, grace=STALE_GRACE)
        for job in self.running:
            stop_dead_runs(Ledger.in_reports(job.reports))
            self.worktrees.remove(job.tree)
        self.running.clear()

    def cut_short(self) -> None:
        """After an interrupt (and stop): the mutants whose runs ended are judged if the
        baseline was, the rest are marked interrupted."""
        usable = (
            self.baseline is not None and self.baseline.status is not BaselineStatus.INTERRUPTED
        )
        for job, mutation, at in self.ended:
            judged = judge_mutant(self.base, job, mutation, self.baseline, at)
            if not usable:
                note = "its run ended, but the baseline was interrupted: not judged"
                judged = replace(judged, status=MutantStatus.INTERRUPTED, note=note)
            self.results.append(judged)
        self.ended.clear()
        if self.baseline is None:
            self.baseline = no_baseline(self.mutations, BaselineStatus.INTERRUPTED, "not started")
        self.results += [not_run(m, "not started: interrupted") for m in self.waiting]
        self.waiting.clear()

    def outcome(self) -> tuple[BaselineResult | None, tuple[MutantResult, ...]]:
        """The baseline and the mutants' results in the manifest's order (not finishing order)."""
        order = [m.name for m in self.mutations]
        return self.baseline, tuple(sorted(self.results, key=lambda r: order.index(r.name)))


def stop_dead_runs(ledger: Ledger) -> list[str]:
    """Stop every process of a mutant's runs whose `regress run` is gone."""
    found = sweep(ledger.stale_tokens(), grace=STALE_GRACE).stopped
    left = ledger.cleanup_stale(grace=STALE_GRACE)
    return [f"stopped {f.describe()} left by a mutant's run" for f in found] + [
        f"stopped pid {entry.pid} left on port {entry.port} by a mutant's run" for entry in left
    ]

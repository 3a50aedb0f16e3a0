"""`regress mutate`: run each declared mutation's suites against a patched worktree of HEAD."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from regress.commands.common import interrupts, reports_folder
from regress.judging.mutations import MutateRecord
from regress.mutating.engine import Interrupted, MutateOptions, execute_mutate
from regress.mutating.schedule import MutateSink


@dataclass(frozen=True)
class MutateRequest:
    """`regress mutate` as the user asked for it."""

    manifest: Path
    phases: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    combined: bool = False
    jobs: int = 1
    reports: Path | None = None
    baseline: bool = True

    @property
    def reports_dir(self) -> Path:
        """The reports folder; each mutate run writes reports/mutate-<id>/ in it."""
        return reports_folder(self.reports, self.manifest)


def mutate(request: MutateRequest, sink: MutateSink) -> MutateRecord:
    """Run the selected mutations; SIGINT/SIGTERM stop every mutant, remove every worktree and
    return a partial record (exit code 130)."""
    options = MutateOptions(
        manifest=request.manifest,
        reports=request.reports_dir,
        phases=request.phases,
        names=request.names,
        combined=request.combined,
        jobs=request.jobs,
        baseline=request.baseline,
    )
    with interrupts(Interrupted):
        return execute_mutate(options, sink)

"""One mutant: a worktree of HEAD with the mutation's patch applied, and a real `regress run` of
its suites rooted there (its own reports folder), judged from its run.json against the baseline
(the same, without a patch: mutating.baseline)."""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

from regress.errors import RegressError
from regress.judging import history
from regress.judging.evidence import BaselineResult, red_tests, split_red
from regress.judging.mutations import MutantResult, MutantStatus, classify
from regress.manifest.model import Manifest, Mutation
from regress.mutating.worktrees import Worktree, Worktrees, apply_patch, copy_into
from regress.proc import popen
from regress.proc.ledger import ROLE_ENV, TOKEN_ENV

LOG_FILE = "regress.log"  # the mutant's `regress run` output, in its reports folder


@dataclass(frozen=True)
class Base:
    """What every mutant of one `regress mutate` shares."""

    manifest: Manifest
    repo: Path
    head: str
    folder: Path  # reports/mutate-<id>/
    token: str  # the mutate process's run token, carried by every mutant's `regress run`
    combined: bool

    @property
    def manifest_in_tree(self) -> Path:
        """Where the manifest sits relative to the repository (the same place in a worktree)."""
        return self.manifest.path.resolve().relative_to(self.repo)


@dataclass(frozen=True)
class Mutant:
    """A `regress run` started in a worktree: a mutant's, or the baseline's (no mutation)."""

    name: str  # the mutation's, or BASELINE
    suites: tuple[str, ...]
    mutation: Mutation | None  # None for the baseline: nothing applied
    tree: Worktree
    reports: Path
    child: popen.Child
    clock: float  # time.monotonic() at its start
    slot: int


def start(base: Base, mutation: Mutation, worktrees: Worktrees, slot: int, offset: int) -> Mutant:
    """Create the worktree, apply the patch, start `regress run` of the mutation's suites.

    Raises:
        RegressError: git could not create the worktree or the patch does not apply.
    """
    return spawn(
        base,
        mutation.name,
        mutation.suites,
        mutation=mutation,
        worktrees=worktrees,
        slot=slot,
        offset=offset,
    )


def spawn(
    base: Base,
    name: str,
    suites: tuple[str, ...],
    *,
    mutation: Mutation | None,
    worktrees: Worktrees,
    slot: int,
    offset: int,
) -> Mutant:
    """A worktree of HEAD (with mutation's patch applied, if any) in which `regress run` of
    suites starts, reporting to base.folder/name.

    Raises:
        RegressError: git could not create the worktree or the patch does not apply.
    """
    clock = time.monotonic()
    reports = base.folder / name
    reports.mkdir(parents=True, exist_ok=True)
    tree = worktrees.add(base.repo, name, reports)
    try:
        if mutation is not None:
            apply_patch(tree.tree, mutation.patch, mutation.name, base.head)
        copy_into(tree.tree, base.repo, (base.manifest.path,))
        manifest = tree.tree / base.manifest_in_tree
        argv = [sys.executable, "-m", "regress", "run", "--manifest", str(manifest)]
        argv += ["--reports", str(reports), "--port-offset", str(offset)]
        argv += [arg for suite in suites for arg in ("--suite", suite)]
        if not base.combined:
            argv.append("--no-combined")
        role = f"mutant:{name}" if mutation is not None else name
        env = {**os.environ, TOKEN_ENV: base.token, ROLE_ENV: role}
        child = popen.spawn(argv, cwd=manifest.parent, env=env, log_path=reports / LOG_FILE)
    except BaseException:
        worktrees.remove(tree)
        raise
    return Mutant(name, suites, mutation, tree, reports, child, clock, slot)


def judge_mutant(
    base: Base,
    mutant: Mutant,
    mutation: Mutation,
    baseline: BaselineResult | None,
    ended: float | None = None,
) -> MutantResult:
    """The finished mutant's result, read from the run.json its `regress run` wrote and judged
    against the baseline; ended is when its run was seen to end (time.monotonic())."""
    result = MutantResult(
        name=mutation.name,
        requirements=mutation.requirements,
        suites=mutation.suites,
        status=MutantStatus.ERROR,
        duration=(time.monotonic() if ended is None else ended) - mutant.clock,
        reports=mutant.reports.relative_to(base.folder).as_posix(),
    )
    try:
        record = history.load_record(mutant.reports)
    except RegressError as exc:
        return replace(
            result,
            note=f"its `regress run` exited {mutant.child.returncode} without a record "
            f"({exc.message}); see {mutant.reports / LOG_FILE}",
        )
    where = str(base.folder / baseline.reports) if baseline is not None else ""
    status, note = classify(record, mutation.suites, baseline, where=where)
    evidence, not_evidence = split_red(red_tests(record, mutation.suites), baseline)
    return replace(
        result,
        status=status,
        red=evidence,
        not_evidence=not_evidence,
        run_id=record.run_id,
        note=note,
    )


def not_run(mutation: Mutation, note: str) -> MutantResult:
    """A mutant that never started (the run was interrupted first)."""
    return MutantResult(
        name=mutation.name,
        requirements=mutation.requirements,
        suites=mutation.suites,
        status=MutantStatus.INTERRUPTED,
        duration=0.0,
        note=note,
    )

"""`regress mutate` end to end: the reports folder's run lock, removing what killed mutate runs
left, checking every patch applies, the baseline and the mutants (one at a time or N in parallel
with distinct ports; the baseline takes the first slot), and the mutate record, written however
the run ends."""

from __future__ import annotations

import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import psutil

from regress.errors import RegressError
from regress.judging import history
from regress.judging.mutations import MutantStatus, MutateRecord, write_mutate_record
from regress.manifest.load import load_manifest
from regress.manifest.model import Manifest, Mutation
from regress.manifest.select import select_mutations
from regress.mutating.mutant import Base
from regress.mutating.schedule import STALE_GRACE, MutateSink, Schedule, stop_dead_runs
from regress.mutating.worktrees import Worktrees, apply_patch, head_of, repo_of, uncommitted
from regress.proc.ledger import Ledger
from regress.proc.lock import RunLock, check_reports_folder
from regress.proc.sweep import make_token, sweep

POLL = 0.2


class Interrupted(Exception):
    """Raised by the command's signal handlers (SIGINT, SIGTERM) inside `regress mutate`."""


@dataclass(frozen=True)
class MutateOptions:
    """What `regress mutate` was asked to do."""

    manifest: Path
    reports: Path
    phases: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    combined: bool = False
    jobs: int = 1
    baseline: bool = True  # run the suites once on unmutated HEAD first (--no-baseline: False)


def execute_mutate(options: MutateOptions, sink: MutateSink) -> MutateRecord:
    """Run the baseline and every selected mutation; returns the final record (already written).

    Raises:
        RegressError: bad selection, no git repository, a patch that does not apply, another
            run holds the reports folder (before any mutant ran).
    """
    if options.jobs < 1:
        raise RegressError(f"--jobs {options.jobs}: give 1 or more parallel mutants")
    manifest = load_manifest(options.manifest)
    mutations = select_mutations(manifest, phases=options.phases, names=options.names)
    top = max(
        (s.port for s in manifest.suites if any(s.name in m.suites for m in mutations)), default=0
    )
    slots = min(options.jobs, len(mutations) + (1 if options.baseline else 0))
    highest = top + (slots - 1) * port_step(manifest, mutations, slots)
    if highest > 65535:
        raise RegressError(
            f"--jobs {options.jobs}: the last parallel mutant would need port {highest}; "
            "use fewer jobs"
        )
    repo = repo_of(manifest.path.resolve().parent)
    head = head_of(repo)
    check_reports_folder(options.reports)
    mutate_id = "mutate-" + history.new_run_id(datetime.now(UTC))
    me = psutil.Process()
    token = make_token(mutate_id, me.pid, me.create_time(), secrets.token_hex(4))
    base = Base(manifest, repo, head, options.reports / mutate_id, token, options.combined)
    lock = RunLock(options.reports)
    took_over = lock.acquire(mutate_id, me.cmdline())
    ledger = Ledger.in_reports(options.reports)
    worktrees = Worktrees(options.reports)
    try:
        try:
            notes = _prepare(base, mutations, ledger, worktrees, took_over)
        except (Interrupted, KeyboardInterrupt):
            raise RegressError("interrupted before any mutant ran", exit_code=130) from None
        for note in notes:
            sink.note(note)
        ledger.register_run(mutate_id, token, me.cmdline())
        try:
            return _run(base, options, mutations, worktrees, sink, notes=tuple(notes))
        finally:
            ledger.unregister_run(token)
    finally:
        lock.release()


def _prepare(
    base: Base,
    mutations: Sequence[Mutation],
    ledger: Ledger,
    worktrees: Worktrees,
    took_over: str,
) -> list[str]:
    """Remove what killed runs left, note uncommitted changes, check every patch applies."""
    notes = [took_over] if took_over else []
    notes += remove_stale(ledger, worktrees)
    changed = uncommitted(base.repo)
    if changed:
        notes.append(
            f"mutants are built from HEAD {base.head[:12]}: your uncommitted changes to "
            f"{len(changed)} tracked file(s) ({', '.join(changed[:3])}) are not in them"
        )
    check_patches(base, mutations, worktrees)
    return notes


def check_patches(base: Base, mutations: Sequence[Mutation], worktrees: Worktrees) -> None:
    """Every patch applies to HEAD (checked in one worktree) before any mutant runs.

    Raises:
        RegressError: the first patch that does not apply, with git's reason.
    """
    tree = worktrees.add(base.repo, "check", base.folder / ".check")
    try:
        for mutation in mutations:
            apply_patch(tree.tree, mutation.patch, mutation.name, base.head, check_only=True)
    finally:
        worktrees.remove(tree)


def _run(
    base: Base,
    options: MutateOptions,
    mutations: Sequence[Mutation],
    worktrees: Worktrees,
    sink: MutateSink,
    *,
    notes: tuple[str, ...],
) -> MutateRecord:
    clock = time.monotonic()
    started = datetime.now(UTC).astimezone().isoformat(timespec="seconds")
    record = MutateRecord(
        mutate_id=base.folder.name,
        started=started,
        finished="",
        duration=0.0,
        manifest=str(base.manifest.path),
        git_head=base.head,
        mutants=(),
        notes=notes,
        complete=False,
    )
    write_mutate_record(options.reports, base.folder, record)
    step = port_step(base.manifest, mutations, options.jobs)
    schedule = Schedule(
        base, mutations, worktrees, sink, jobs=options.jobs, step=step, baseline=options.baseline
    )
    interrupted = False
    try:
        while schedule.busy:
            schedule.start_free()
            if schedule.collect():
                baseline, results = schedule.outcome()
                record = replace(record, baseline=baseline, mutants=results)
                write_mutate_record(options.reports, base.folder, record)
            time.sleep(POLL)
    except (Interrupted, KeyboardInterrupt):
        interrupted = True
    finally:
        schedule.stop()
    if interrupted:
        schedule.cut_short()
    baseline, results = schedule.outcome()
    ok = all(r.status is MutantStatus.CAUGHT for r in results)
    record = replace(
        record,
        finished=datetime.now(UTC).astimezone().isoformat(timespec="seconds"),
        duration=time.monotonic() - clock,
        mutants=results,
        baseline=baseline,
        interrupted=interrupted,
        complete=not interrupted,
        exit_code=130 if interrupted else (0 if ok else 1),
    )
    write_mutate_record(options.reports, base.folder, record)
    return record


def remove_stale(ledger: Ledger, worktrees: Worktrees) -> list[str]:
    """Before anything starts: stop what killed runs left (their mutants' `regress run`s and
    everything those started) and remove their worktrees; say what was removed."""
    notes = []
    found = sweep(ledger.stale_tokens(), grace=STALE_GRACE).stopped
    notes += [f"stopped {f.describe()} left by a dead run" for f in found]
    for tree in worktrees.stale():
        notes += stop_dead_runs(Ledger.in_reports(Path(tree.reports)))
        worktrees.remove(tree)
        notes.append(f"removed worktree {tree.tree} left by dead regress pid {tree.owner_pid}")
    return notes


def port_step(manifest: Manifest, mutations: Sequence[Mutation], jobs: int) -> int:
    """How far apart parallel mutants' ports are: the smallest step such that slot k's ports
    (the suites' ports plus k * step) never meet another slot's."""
    names = {name for mutation in mutations for name in mutation.suites}
    ports = sorted({s.port for s in manifest.suites if s.name in names})
    gaps = {b - a for i, a in enumerate(ports) for b in ports[i + 1 :]}
    step = 1
    while any(step * k in gaps for k in range(1, jobs)):
        step += 1
    return step

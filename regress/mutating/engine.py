"""`regress mutate` end to end: the reports folder's run lock, removing what killed mutate runs
left, checking every patch applies, the mutants (one at a time or N in parallel with distinct
ports), and the mutate record, written however the run ends."""

from __future__ import annotations

import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

import psutil

from regress.errors import RegressError
from regress.judging import history
from regress.judging.mutations import MutantResult, MutantStatus, MutateRecord, write_mutate_record
from regress.manifest.load import load_manifest
from regress.manifest.model import Manifest, Mutation
from regress.manifest.select import select_mutations
from regress.mutating.mutant import Base, Mutant, judge_mutant, not_run, start
from regress.mutating.worktrees import Worktrees, apply_patch, head_of, repo_of, uncommitted
from regress.proc import popen
from regress.proc.ledger import Ledger
from regress.proc.lock import RunLock, check_reports_folder
from regress.proc.sweep import make_token, sweep

CHILD_GRACE = 20.0  # seconds a mutant's `regress run` gets to stop its own processes on SIGTERM
STALE_GRACE = 3.0
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


class MutateSink(Protocol):
    """Live view of a mutate run."""

    def note(self, text: str) -> None:
        """A run-level remark."""

    def started(self, name: str, reports: Path) -> None:
        """A mutant's `regress run` started."""

    def finished(self, result: MutantResult) -> None:
        """A mutant was judged."""


def execute_mutate(options: MutateOptions, sink: MutateSink) -> MutateRecord:
    """Run every selected mutation; returns the final record (already written).

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
    slots = min(options.jobs, len(mutations))
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
    waiting = list(mutations)
    running: list[Mutant] = []
    results: list[MutantResult] = []
    interrupted = False
    try:
        while waiting or running:
            free = sorted(set(range(options.jobs)) - {m.slot for m in running})
            while waiting and free:
                mutation = waiting.pop(0)
                slot = free.pop(0)
                mutant = start(base, mutation, worktrees, slot, slot * step)
                running.append(mutant)
                sink.started(mutation.name, mutant.reports)
            for mutant in [m for m in running if m.child.poll() is not None]:
                running.remove(mutant)
                result = judge_mutant(base, mutant)
                worktrees.remove(mutant.tree)
                results.append(result)
                sink.finished(result)
                record = replace(record, mutants=tuple(results))
                write_mutate_record(options.reports, base.folder, record)
            time.sleep(POLL)
    except (Interrupted, KeyboardInterrupt):
        interrupted = True
    finally:
        results += _stop(base, running, worktrees)
    if interrupted:
        results += [not_run(m, "not started: interrupted") for m in waiting]
    order = [m.name for m in mutations]
    results.sort(key=lambda r: order.index(r.name))  # the manifest's order, not finishing order
    ok = all(r.status is MutantStatus.CAUGHT for r in results)
    record = replace(
        record,
        finished=datetime.now(UTC).astimezone().isoformat(timespec="seconds"),
        duration=time.monotonic() - clock,
        mutants=tuple(results),
        interrupted=interrupted,
        complete=not interrupted,
        exit_code=130 if interrupted else (0 if ok else 1),
    )
    write_mutate_record(options.reports, base.folder, record)
    return record


def _stop(base: Base, running: Sequence[Mutant], worktrees: Worktrees) -> list[MutantResult]:
    """Stop the mutants still running (each `regress run` stops its own processes on SIGTERM),
    whatever carries this run's token, what their runs left, and remove their worktrees."""
    stopped = []
    for mutant in running:
        popen.stop(mutant.child, grace=CHILD_GRACE)
        result = judge_mutant(base, mutant)
        stopped.append(replace(result, status=MutantStatus.INTERRUPTED, note="interrupted"))
    sweep({base.token}, grace=STALE_GRACE)
    for mutant in running:
        _stop_dead_runs(Ledger.in_reports(mutant.reports))
        worktrees.remove(mutant.tree)
    return stopped


def remove_stale(ledger: Ledger, worktrees: Worktrees) -> list[str]:
    """Before anything starts: stop what killed runs left (their mutants' `regress run`s and
    everything those started) and remove their worktrees; say what was removed."""
    notes = []
    found = sweep(ledger.stale_tokens(), grace=STALE_GRACE).stopped
    notes += [f"stopped {f.describe()} left by a dead run" for f in found]
    for tree in worktrees.stale():
        notes += _stop_dead_runs(Ledger.in_reports(Path(tree.reports)))
        worktrees.remove(tree)
        notes.append(f"removed worktree {tree.tree} left by dead regress pid {tree.owner_pid}")
    return notes


def _stop_dead_runs(ledger: Ledger) -> list[str]:
    """Stop every process of a mutant's runs whose `regress run` is gone."""
    found = sweep(ledger.stale_tokens(), grace=STALE_GRACE).stopped
    left = ledger.cleanup_stale(grace=STALE_GRACE)
    return [f"stopped {f.describe()} left by a mutant's run" for f in found] + [
        f"stopped pid {entry.pid} left on port {entry.port} by a mutant's run" for entry in left
    ]


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

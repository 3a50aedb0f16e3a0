"""The run record being built: results added as suites finish, written after each, finished once.

This is the one place run.json is written during a run; the writers registered by the caller
(SUMMARY files, and later reports) run on every finished record.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import platform
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from regress.judging import history
from regress.judging.integrity import scan_targets
from regress.judging.judge import judge
from regress.judging.requirements import run_exit_code
from regress.judging.results import (
    PassKind,
    PassResult,
    PlanInfo,
    PortEvent,
    RunRecord,
    SuiteInfo,
    SuiteResult,
    SuiteStatus,
)
from regress.judging.suite import not_run
from regress.judging.verdicts import Judgement
from regress.manifest.model import Suite
from regress.proc import interpreter, popen
from regress.running.setup import RunSetup
from regress.running.worktree import files_modified, git_head

RecordWriter = Callable[[Judgement, Path], None]  # (judgement, reports folder)

ARTIFACT_LABELS = {
    "server.log": "server log",
    "pytest.log": "pytest log",
    "junit.xml": "JUnit XML",
    "playwright": "traces and screenshots",
    "data": "exports",
    "tests": "test artifacts",
}


@dataclass
class OpenPass:
    """What a pass in progress knows about itself beyond its suites (the combined process)."""

    exit_code: int | None = None
    artifacts: tuple[tuple[str, str], ...] = ()
    leaks: tuple[str, ...] = ()


def now() -> str:
    """The current local time, ISO 8601 to the second."""
    return datetime.now(UTC).astimezone().isoformat(timespec="seconds")


class Recorder:
    """Owns the record of one run: passes, their suite results, notes; writes it atomically."""

    def __init__(self, setup: RunSetup, writers: Sequence[RecordWriter] = ()) -> None:
        self.setup = setup
        self.writers = tuple(writers)
        self.clock = time.monotonic()
        self.passes: list[PassResult] = []
        self.current: list[SuiteResult] = []
        self.notes: list[str] = []
        self.stopped = ""  # why --fail-fast stopped the run ("" while it goes on)
        selection, root = setup.selection, setup.root
        self.record = RunRecord(
            run_id=setup.run_id,
            started=now(),
            finished="",
            duration=0.0,
            manifest=str(selection.manifest.path),
            project_root=str(root),
            plans=tuple(
                PlanInfo(p.phase, p.plan, p.title, p.subsystem, p.tags, p.requirements, p.suites)
                for p in selection.plans
            ),
            suites=tuple(
                SuiteInfo(
                    s.name,
                    s.requirement,
                    s.targets,
                    s.expected,
                    s.server.name if s.server else "",
                    s.port,
                    s.scope.value,
                    s.params,
                )
                for s in selection.suites
            ),
            passes=(),
            integrity=scan_targets(root, [t for s in selection.suites for t in s.targets]),
            complete=False,
            options=setup.options.invocation,
            git_head=git_head(root),
            interpreter=interpreter.describe(),
            files_modified=files_modified(root),
            manifest_hash=manifest_hash(selection.manifest.path),
            port_offset=setup.options.port_offset,
            shard=setup.options.shard,
            jobs=setup.options.jobs,
            machine=machine(),
        )

    def note(self, text: str, *, show: bool = False) -> None:
        """A run-level note for the record (and the live view, with show)."""
        self.notes.append(text)
        if show:
            self.setup.sink.message(text)

    @contextlib.contextmanager
    def pass_of(self, kind: PassKind) -> Iterator[OpenPass]:
        """Collect one pass's suite results; the pass is recorded when the block ends, however
        it ends."""
        started, clock = now(), time.monotonic()
        self.current = []
        open_pass = OpenPass()
        try:
            yield open_pass
        finally:
            self.passes.append(
                PassResult(
                    kind,
                    tuple(self.current),
                    started,
                    time.monotonic() - clock,
                    open_pass.exit_code,
                    open_pass.artifacts,
                    open_pass.leaks,
                )
            )
            self.current = []

    def add(self, result: SuiteResult, *, save: bool = True) -> None:
        """A suite's result in the current pass."""
        self.current.append(result)
        if save:
            self.save()

    def stop_early(self, kind: PassKind, failed: str, rest: Sequence[Suite]) -> None:
        """--fail-fast: the rest of the pass (and the passes after it) is recorded as not run."""
        self.stopped = f"--fail-fast stopped the run after {failed} failed in the {kind.value} pass"
        self.not_run(kind, rest)
        skipped = ", ".join(s.name for s in rest) or "no other suite"
        later = (
            ", nor the combined pass"
            if kind is PassKind.ISOLATION and self.setup.options.combined
            else ""
        )
        self.note(f"{self.stopped}; not run: {skipped} in that pass{later}", show=True)

    def not_run(self, kind: PassKind, suites: Sequence[Suite]) -> None:
        """Record suites the run stopped before (--fail-fast) in the current pass."""
        for suite in suites:
            self.add(
                not_run(
                    suite,
                    kind,
                    status=SuiteStatus.NOT_RUN,
                    reason=f"not run: {self.stopped}",
                    ports=(),
                    started=now(),
                    clock=time.monotonic(),
                ),
                save=False,
            )
        self.save()

    def interrupted(
        self,
        kind: PassKind,
        suites: Sequence[Suite],
        *,
        started: str,
        clock: float,
        ports: tuple[PortEvent, ...] = (),
    ) -> None:
        """Record the suites Ctrl-C cut short that have no result yet in the current pass
        (saved with the partial record, not here)."""
        for suite in (s for s in suites if not self.has(s.name)):
            self.add(
                not_run(
                    suite,
                    kind,
                    status=SuiteStatus.INTERRUPTED,
                    reason="interrupted (Ctrl-C)",
                    ports=ports,
                    started=started,
                    clock=clock,
                ),
                save=False,
            )

    def take(self) -> list[SuiteResult]:
        """The current pass's results so far, removed (to be merged over --repeat attempts)."""
        taken, self.current = self.current, []
        return taken

    def has(self, suite: str) -> bool:
        """Whether the current pass already has a result for the suite."""
        return any(r.suite == suite for r in self.current)

    def order(self, names: Sequence[str]) -> None:
        """Put the current pass's results in this order (manifest order)."""
        self.current.sort(key=lambda r: names.index(r.suite))

    def artifacts(self, directory: Path, shared: Path | None = None) -> tuple[tuple[str, str], ...]:
        """(label, path relative to the run folder) of what a suite left in its folder."""
        found = []
        for base in [directory, *([shared] if shared else [])]:
            for name, label in ARTIFACT_LABELS.items():
                path = base / name
                if path.exists() and (path.is_file() or any(path.iterdir())):
                    found.append((label, path.relative_to(self.setup.dir).as_posix()))
        return tuple(found)

    def save(self) -> None:
        """Write the record as it stands (atomically)."""
        history.write_record(self.setup.options.reports, self.snapshot())

    def snapshot(self) -> RunRecord:
        """The record with the passes so far, including the one in progress."""
        passes = list(self.passes)
        if self.current:
            kind = PassKind.COMBINED if self.passes else PassKind.ISOLATION
            passes.append(PassResult(kind, tuple(self.current), self.record.started, 0.0))
        return replace(self.record, passes=tuple(passes), notes=tuple(self.notes))

    def finish(self, *, interrupted: bool, crash: str = "") -> RunRecord:
        """The final record, with its exit code: written, then handed to every writer."""
        if crash:
            popen.stop_all(grace=3.0)
            self.notes.append(f"{crash}; every child process was stopped; this report is partial")
        record = replace(
            self.snapshot(),
            finished=now(),
            duration=time.monotonic() - self.clock,
            interrupted=interrupted,
            complete=not (interrupted or crash),
        )
        judgement = judge(record)
        code = run_exit_code(judgement, crashed=bool(crash))
        record = replace(record, exit_code=code)
        history.write_record(self.setup.options.reports, record)
        judgement = replace(judgement, record=record)
        for write in self.writers:
            write(judgement, self.setup.options.reports)
        return record


def manifest_hash(path: Path) -> str:
    """sha256 of the manifest file as it is now ("" if it cannot be read)."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""


def machine() -> tuple[tuple[str, str], ...]:
    """What the run ran on, without naming the host: CPUs, Python, platform."""
    return (
        ("cpus", str(os.cpu_count() or "?")),
        ("python", platform.python_version()),
        ("platform", platform.platform(terse=True)),
    )

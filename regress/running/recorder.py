"""The run record being built: results added as suites finish, written after each, finished once.

This is the one place run.json is written during a run; the writers registered by the caller
(SUMMARY files, and later reports) run on every finished record.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from regress.judging import history
from regress.judging.integrity import scan_targets
from regress.judging.judge import judge
from regress.judging.results import (
    PassKind,
    PassResult,
    PlanInfo,
    RunRecord,
    SuiteInfo,
    SuiteResult,
)
from regress.judging.verdicts import Judgement
from regress.proc import interpreter, popen
from regress.running.setup import RunSetup

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
            git_head=_git(root, "rev-parse", "HEAD"),
            interpreter=interpreter.describe(),
            files_modified=tuple(
                line[3:] for line in _git(root, "status", "--porcelain").splitlines()
            ),
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
        code = 130 if interrupted else (0 if judgement.ok and not crash else 1)
        record = replace(record, exit_code=code)
        history.write_record(self.setup.options.reports, record)
        judgement = replace(judgement, record=record)
        for write in self.writers:
            write(judgement, self.setup.options.reports)
        return record


def _git(root: Path, *args: str) -> str:
    """Output of a git query in the project root, or "" when it is not a repository."""
    done = popen.capture(["git", *args], cwd=root, timeout=10)
    return done.stdout.strip() if done.returncode == 0 else ""

"""What one run is asked to do and the fixed facts its steps share: ids, folders, ledger, sink."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import psutil

from regress.judging import history
from regress.judging.results import PassKind, ShardInfo
from regress.manifest.model import Suite
from regress.manifest.select import Selection
from regress.proc.ledger import Ledger
from regress.proc.sweep import make_token
from regress.running.context import RunContext, suite_context
from regress.running.events import ProgressSink
from regress.running.pytest_run import PytestOptions


@dataclass(frozen=True)
class RunOptions:
    """Everything `regress run` was asked to do, besides the selection."""

    reports: Path
    isolation: bool = True
    combined: bool = True
    force_ports: bool = False
    pytest: PytestOptions = field(default_factory=PytestOptions)
    invocation: tuple[tuple[str, str], ...] = ()  # for the SUMMARY: how it was called
    port_offset: int = 0  # already applied to the selection's ports; recorded
    shard: ShardInfo | None = None  # the selection is this shard's share; recorded
    jobs: int = 1  # suites at a time in the isolation pass (--jobs)
    focus: tuple[str, ...] = ()  # node ids (or prefixes) --test/--last-failed run; () all
    repeat: int = 1  # attempts per suite in isolation, and of the combined pass
    fail_fast: bool = False  # stop after the first suite that does not pass


class Interrupted(Exception):
    """Raised by the CLI's signal handlers (SIGINT, SIGTERM) inside a run."""


@dataclass(frozen=True)
class RunSetup:
    """One run's fixed facts, shared by every step of both passes."""

    selection: Selection
    options: RunOptions
    sink: ProgressSink
    run_id: str
    token: str  # REGRESS_RUN_TOKEN of every process the run starts
    dir: Path  # reports/<run-id>
    ledger: Ledger

    @classmethod
    def new(cls, selection: Selection, options: RunOptions, sink: ProgressSink) -> RunSetup:
        """A fresh run id and token, its folder under the reports directory, and the ledger."""
        run_id = history.new_run_id(datetime.now(UTC))
        me = psutil.Process()
        return cls(
            selection=selection,
            options=options,
            sink=sink,
            run_id=run_id,
            token=make_token(run_id, me.pid, me.create_time(), secrets.token_hex(4)),
            dir=history.run_dir(options.reports, run_id),
            ledger=Ledger.in_reports(options.reports),
        )

    def pass_dir(self, kind: PassKind, attempt: int = 1) -> Path:
        """The folder of one attempt of a pass: isolation/, then isolation-2/... (--repeat)."""
        return self.dir / (kind.value if attempt == 1 else f"{kind.value}-{attempt}")

    @property
    def root(self) -> Path:
        """The project root (where pytest runs and targets are relative to)."""
        return self.selection.manifest.root

    def context_for(
        self, suites: Sequence[Suite], directory: Path, url: Callable[[str], str | None]
    ) -> RunContext:
        """What the pytest process of these suites is told: ports, server URLs, params, and
        folders under directory/<suite>/."""
        return RunContext(
            run_id=self.run_id,
            token=self.token,
            manifest=self.selection.manifest.path.resolve(),
            root=self.root,
            ledger=self.ledger.path,
            events=None,
            suites=tuple(suite_context(s, directory, url(s.name)) for s in suites),
            focus=self.options.focus,
        )

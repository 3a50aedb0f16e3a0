"""The isolation pass and the combined pass: ports, servers, pytest, verdicts, the run record."""

from __future__ import annotations

import contextlib
import secrets
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from regress.errors import RegressError
from regress.judging import history
from regress.judging.integrity import scan_targets
from regress.judging.results import (
    PassKind,
    PassResult,
    PlanInfo,
    PortEvent,
    RunRecord,
    SuiteInfo,
    SuiteResult,
    SuiteStatus,
    TestOutcome,
    TestStatus,
)
from regress.judging.verdicts import run_passed
from regress.manifest.load import Selection
from regress.manifest.model import Scope, Suite
from regress.proc import popen
from regress.proc.ledger import Ledger
from regress.proc.ports import free_ports, wait_free
from regress.proc.server import RunningServer, ServerStartError, start_server, stop_server
from regress.reporting.summary import plan_keys, run_summary, summary_relpath_in_run
from regress.running.context import RunContext, suite_context
from regress.running.events import ProgressSink
from regress.running.pytest_run import PytestOptions, SuiteVerdictInput, judge_suite, run_pytest

PORT_WAIT_SECONDS = 15.0
_PassEnd = tuple[int | None, tuple[tuple[str, str], ...]]  # combined exit code, pass artifacts


@dataclass(frozen=True)
class RunOptions:
    """Everything `regress run` was asked to do, besides the selection."""

    reports: Path
    isolation: bool = True
    combined: bool = True
    force_ports: bool = False
    pytest: PytestOptions = field(default_factory=PytestOptions)
    invocation: tuple[tuple[str, str], ...] = ()  # for the SUMMARY: how it was called


class Interrupted(Exception):
    """Raised by the CLI's signal handlers (SIGINT, SIGTERM) inside a run."""


def _now() -> str:
    return datetime.now(UTC).astimezone().isoformat(timespec="seconds")


class Run:
    """One `regress run`: owns the record being built and writes it after every suite."""

    def __init__(self, selection: Selection, options: RunOptions, sink: ProgressSink) -> None:
        self.selection = selection
        self.options = options
        self.sink = sink
        self.root = selection.manifest.root
        self.run_id = history.new_run_id(datetime.now(UTC))
        self.token = f"regress-{self.run_id}-{secrets.token_hex(4)}"
        self.dir = history.run_dir(options.reports, self.run_id)
        self.ledger = Ledger.in_reports(options.reports)
        self.started = _now()
        self.clock = time.monotonic()
        self.passes: list[PassResult] = []
        self.current: list[SuiteResult] = []
        self.notes: list[str] = []
        targets = [t for s in selection.suites for t in s.targets]
        self.record = RunRecord(
            run_id=self.run_id,
            started=self.started,
            finished="",
            duration=0.0,
            manifest=str(selection.manifest.path),
            project_root=str(self.root),
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
                    s.server.name,
                    s.port,
                    s.scope.value,
                    s.params,
                )
                for s in selection.suites
            ),
            passes=(),
            integrity=scan_targets(self.root, targets),
            complete=False,
            options=options.invocation,
            git_head=_git(self.root, "rev-parse", "HEAD"),
            files_modified=tuple(
                line[3:] for line in _git(self.root, "status", "--porcelain").splitlines()
            ),
        )

    # --- the run --------------------------------------------------------------------------

    def execute(self) -> RunRecord:
        """Both passes; on Interrupted, stop every child and write a partial record."""
        self.dir.mkdir(parents=True, exist_ok=True)
        self._save()
        interrupted = False
        try:
            if self.ledger.recovered is not None:
                self.notes.append(f"the ledger was unreadable; kept it as {self.ledger.recovered}")
            for entry in self.ledger.cleanup_stale(grace=5.0):
                self.notes.append(
                    f"stopped pid {entry.pid} left on port {entry.port} by run {entry.run_id}"
                )
                self.sink.message(self.notes[-1])
            if self.options.isolation:
                self._pass(PassKind.ISOLATION, self._isolation)
            if self.options.combined:
                self._pass(PassKind.COMBINED, self._combined)
        except (Interrupted, KeyboardInterrupt):
            interrupted = True
            self.notes.append(
                "interrupted: every child process was stopped; this report is partial"
            )
        except Exception as exc:
            # A bug in regress itself: still stop every child and keep what the run has.
            self._finish(interrupted=False, crash=f"regress crashed: {exc!r}")
            raise
        finally:
            popen.stop_all(grace=3.0)
        return self._finish(interrupted)

    def _pass(self, kind: PassKind, body: Callable[[], _PassEnd]) -> None:
        started = _now()
        clock = time.monotonic()
        self.current = []
        end: _PassEnd = (None, ())
        try:
            end = body()
        finally:
            self.passes.append(
                PassResult(kind, tuple(self.current), started, time.monotonic() - clock, *end)
            )
            self.current = []

    def _finish(self, interrupted: bool, crash: str = "") -> RunRecord:
        if crash:
            popen.stop_all(grace=3.0)
            self.notes.append(f"{crash}; every child process was stopped; this report is partial")
        record = replace(
            self._snapshot(),
            finished=_now(),
            duration=time.monotonic() - self.clock,
            interrupted=interrupted,
            complete=not (interrupted or crash),
        )
        code = 130 if interrupted else (0 if run_passed(record) and not crash else 1)
        record = replace(record, exit_code=code)
        history.write_record(self.options.reports, record)
        for key in plan_keys(record):
            path = self.dir / summary_relpath_in_run(key)
            path.parent.mkdir(parents=True, exist_ok=True)
            history.write_text_atomic(path, run_summary(record, key, self.options.reports))
        return record

    def _snapshot(self) -> RunRecord:
        passes = list(self.passes)
        if self.current:
            kind = PassKind.COMBINED if self.passes else PassKind.ISOLATION
            passes.append(PassResult(kind, tuple(self.current), self.started, 0.0))
        return replace(self.record, passes=tuple(passes), notes=tuple(self.notes))

    def _save(self) -> None:
        history.write_record(self.options.reports, self._snapshot())

    # --- isolation ------------------------------------------------------------------------

    def _isolation(self) -> _PassEnd:
        for suite in self.selection.suites:
            self.current.append(self._isolated_suite(suite))
            self._save()
        return None, ()

    def _isolated_suite(self, suite: Suite) -> SuiteResult:
        directory = self.dir / "isolation" / suite.name
        started, clock = _now(), time.monotonic()
        self.sink.suite_started(PassKind.ISOLATION, (suite.name,))
        ports = self._free([suite])
        if any(not event.freed for event in ports):
            return self._blocked(suite, PassKind.ISOLATION, ports, started, clock)
        server: RunningServer | None = None
        try:
            with self._servers([suite], directory.parent, PassKind.ISOLATION) as servers:
                server = servers.get(suite.name)
                context = self._context([suite], directory.parent, servers)
                run = run_pytest(
                    context,
                    directory=directory,
                    targets=suite.targets,
                    timeout=suite.timeout,
                    options=self.options.pytest,
                    on_event=lambda nodeid, outcome: self.sink.test_finished(
                        PassKind.ISOLATION, suite.name, nodeid, outcome
                    ),
                )
        except _StartFailed as failed:
            return self._errored(
                suite,
                PassKind.ISOLATION,
                reason=failed.reason,
                ports=ports,
                started=started,
                clock=clock,
                directory=directory,
            )
        except (Interrupted, KeyboardInterrupt):
            self.current.append(self._interrupted(suite, PassKind.ISOLATION, ports, started, clock))
            raise
        verdict = judge_suite(run, context.suites[0], suite.expected, only_suite=True)
        return self._judged(
            suite,
            PassKind.ISOLATION,
            verdict,
            started=started,
            duration=time.monotonic() - clock,
            exit_code=run.exit_code,
            artifacts=self._artifacts(directory),
            ports=ports,
            server=server,
        )

    # --- combined -------------------------------------------------------------------------

    def _combined(self) -> _PassEnd:
        directory = self.dir / "combined"
        suites = self.selection.suites
        started, clock = _now(), time.monotonic()
        self.sink.suite_started(PassKind.COMBINED, tuple(s.name for s in suites))
        ports = self._free(list(suites))
        refused_ports = {event.port for event in ports if not event.freed}
        runnable = [s for s in suites if s.port not in refused_ports]
        for suite in suites:
            if suite.port in refused_ports:
                mine = tuple(e for e in ports if e.port == suite.port)
                self.current.append(self._blocked(suite, PassKind.COMBINED, mine, started, clock))
        if not runnable:
            return None, ()
        try:
            with self._servers(runnable, directory, PassKind.COMBINED) as servers:
                failed = [s for s in runnable if s.scope is Scope.SUITE and s.name not in servers]
                for suite in failed:
                    reason = self._start_errors[suite.name]
                    self.current.append(
                        self._errored(
                            suite,
                            PassKind.COMBINED,
                            reason=reason,
                            ports=(),
                            started=started,
                            clock=clock,
                            directory=directory / suite.name,
                        )
                    )
                running = [s for s in runnable if s not in failed]
                if not running:
                    return None, ()
                context = self._context(running, directory, servers)
                run = run_pytest(
                    context,
                    directory=directory,
                    targets=[t for s in running for t in s.targets],
                    timeout=sum(s.timeout for s in running),
                    options=self.options.pytest,
                    on_event=lambda nodeid, outcome: self.sink.test_finished(
                        PassKind.COMBINED,
                        (context.suite_for(nodeid) or context.suites[0]).name,
                        nodeid,
                        outcome,
                    ),
                )
        except (Interrupted, KeyboardInterrupt):
            for suite in runnable:
                if all(r.suite != suite.name for r in self.current):
                    self.current.append(
                        self._interrupted(suite, PassKind.COMBINED, (), started, clock)
                    )
            raise
        for suite, told in zip(running, context.suites, strict=True):
            verdict = judge_suite(run, told, suite.expected, only_suite=False)
            self.current.append(
                self._judged(
                    suite,
                    PassKind.COMBINED,
                    verdict,
                    started=started,
                    # one process ran every suite: a suite's time is its tests' time
                    duration=run.duration
                    if run.timed_out
                    else sum(t.duration for t in verdict.tests),
                    exit_code=run.exit_code,
                    artifacts=self._artifacts(directory / suite.name, shared=directory),
                    ports=tuple(e for e in ports if e.port == suite.port),
                    server=servers.get(suite.name),
                )
            )
        order = [s.name for s in suites]
        self.current.sort(key=lambda r: order.index(r.suite))
        return run.exit_code, self._artifacts(directory)

    # --- pieces ---------------------------------------------------------------------------

    def _judged(
        self,
        suite: Suite,
        kind: PassKind,
        verdict: SuiteVerdictInput,
        *,
        started: str,
        duration: float,
        exit_code: int | None,
        artifacts: tuple[tuple[str, str], ...],
        ports: tuple[PortEvent, ...],
        server: RunningServer | None,
    ) -> SuiteResult:
        """A suite's result in one pass from what its pytest process reported."""
        result = SuiteResult(
            suite=suite.name,
            requirement=suite.requirement,
            kind=kind,
            status=verdict.status,
            tests=verdict.tests,
            started=started,
            duration=duration,
            reason=verdict.reason,
            exit_code=exit_code,
            artifacts=artifacts,
            ports=ports,
            server_ready_seconds=server.ready_seconds if server else None,
            teardown_seconds=self._teardowns.get(suite.name),
        )
        self.sink.suite_finished(result)
        return result

    _teardowns: dict[str, float]
    _start_errors: dict[str, str]

    @contextlib.contextmanager
    def _servers(
        self, suites: list[Suite], directory: Path, kind: PassKind
    ) -> Iterator[dict[str, RunningServer]]:
        """Start the suite-scoped servers (fresh-per-test suites start their own), stop them
        after, and wait until their ports are free."""
        self._teardowns = {}
        self._start_errors = {}
        servers: dict[str, RunningServer] = {}
        try:
            for suite in suites:
                if suite.scope is not Scope.SUITE:
                    continue
                suite_dir = directory / suite.name
                suite_dir.mkdir(parents=True, exist_ok=True)
                try:
                    servers[suite.name] = start_server(
                        suite.server,
                        port=suite.port,
                        log_path=suite_dir / "server.log",
                        env={},
                        run_id=self.run_id,
                        token=self.token,
                        ledger=self.ledger,
                        data_dir=suite_dir / "data",
                        suite_dir=suite_dir,
                    )
                except ServerStartError as exc:
                    if kind is PassKind.ISOLATION:
                        raise _StartFailed(exc.message) from exc
                    self._start_errors[suite.name] = exc.message
                    continue
                self.sink.message(
                    f"{suite.name}: server '{suite.server.name}' ready on port {suite.port} "
                    f"in {servers[suite.name].ready_seconds * 1000:.0f} ms"
                )
            yield servers
        finally:
            for name, server in servers.items():
                teardown = stop_server(
                    server, self.ledger, self.selection.manifest.suite(name).server.grace
                )
                self._teardowns[name] = teardown.seconds
            for suite in suites:
                if not wait_free(suite.port, PORT_WAIT_SECONDS):
                    self.notes.append(
                        f"port {suite.port} still busy {PORT_WAIT_SECONDS:.0f}s"
                        f" after suite {suite.name}"
                    )

    def _context(
        self, suites: list[Suite], directory: Path, servers: dict[str, RunningServer]
    ) -> RunContext:
        return RunContext(
            run_id=self.run_id,
            token=self.token,
            manifest=self.selection.manifest.path.resolve(),
            root=self.root,
            ledger=self.ledger.path,
            events=None,
            suites=tuple(
                suite_context(s, directory, servers[s.name].url if s.name in servers else None)
                for s in suites
            ),
        )

    def _free(self, suites: list[Suite]) -> tuple[PortEvent, ...]:
        outcome = free_ports(
            sorted({s.port for s in suites}),
            ledger=self.ledger,
            force=self.options.force_ports,
            grace=max(s.server.grace for s in suites),
        )
        events = tuple(
            PortEvent(h.port, h.pid, h.user, " ".join(h.cmdline), h.reason, freed)
            for freed, holders in ((True, outcome.freed), (False, outcome.refused))
            for h in holders
        ) + tuple(
            PortEvent(port, None, "?", "?", "still not bindable after its holders stopped", False)
            for port in outcome.busy
        )
        for event in events:
            verb = "freed" if event.freed else "could not free"
            self.sink.message(
                f"port {event.port}: {verb} pid {event.pid} ({event.user}: {event.cmdline})"
                f" - {event.reason}"
            )
        return events

    def _artifacts(
        self, directory: Path, shared: Path | None = None
    ) -> tuple[tuple[str, str], ...]:
        labels = {
            "server.log": "server log",
            "pytest.log": "pytest log",
            "junit.xml": "JUnit XML",
            "playwright": "traces and screenshots",
            "data": "exports",
            "tests": "test artifacts",
        }
        found = []
        for base in [directory, *([shared] if shared else [])]:
            for name, label in labels.items():
                path = base / name
                if path.exists() and (path.is_file() or any(path.iterdir())):
                    found.append((label, path.relative_to(self.dir).as_posix()))
        return tuple(found)

    def _blocked(
        self, suite: Suite, kind: PassKind, ports: tuple[PortEvent, ...], started: str, clock: float
    ) -> SuiteResult:
        refused = [e for e in ports if not e.freed]
        reason = "; ".join(
            f"port {e.port}: {e.reason}"
            if e.pid is None
            else f"port {e.port} held by pid {e.pid} ({e.user}: {e.cmdline}), "
            "not started by regress - stop it or pass --force-ports"
            for e in refused
        )
        result = self._empty(
            suite,
            kind,
            status=SuiteStatus.BLOCKED,
            reason=reason,
            ports=ports,
            started=started,
            clock=clock,
        )
        self.sink.suite_finished(result)
        return result

    def _errored(
        self,
        suite: Suite,
        kind: PassKind,
        *,
        reason: str,
        ports: tuple[PortEvent, ...],
        started: str,
        clock: float,
        directory: Path,
    ) -> SuiteResult:
        result = self._empty(
            suite,
            kind,
            status=SuiteStatus.ERROR,
            reason=reason,
            ports=ports,
            started=started,
            clock=clock,
            artifacts=self._artifacts(directory),
        )
        self.sink.suite_finished(result)
        return result

    def _interrupted(
        self, suite: Suite, kind: PassKind, ports: tuple[PortEvent, ...], started: str, clock: float
    ) -> SuiteResult:
        return self._empty(
            suite,
            kind,
            status=SuiteStatus.INTERRUPTED,
            reason="interrupted (Ctrl-C)",
            ports=ports,
            started=started,
            clock=clock,
        )

    @staticmethod
    def _empty(
        suite: Suite,
        kind: PassKind,
        *,
        status: SuiteStatus,
        reason: str,
        ports: tuple[PortEvent, ...],
        started: str,
        clock: float,
        artifacts: tuple[tuple[str, str], ...] = (),
    ) -> SuiteResult:
        """A suite result whose tests did not run (blocked, server error, interrupted)."""
        return SuiteResult(
            suite=suite.name,
            requirement=suite.requirement,
            kind=kind,
            status=status,
            tests=tuple(
                TestOutcome(n, TestStatus.NOT_RUN, message=reason.splitlines()[0])
                for n in suite.expected
            ),
            started=started,
            duration=time.monotonic() - clock,
            reason=reason,
            artifacts=artifacts,
            ports=ports,
        )


class _StartFailed(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _git(root: Path, *args: str) -> str:
    """Output of a git query in the project root, or "" when it is not a repository."""
    done = popen.capture(["git", *args], cwd=root, timeout=10)
    return done.stdout.strip() if done.returncode == 0 else ""


def execute_run(selection: Selection, options: RunOptions, sink: ProgressSink) -> RunRecord:
    """Run the selection; returns the final record (already written to disk)."""
    if not selection.suites:
        raise RegressError("nothing selected: check --phase/--suite against `regress list`")
    if not (options.isolation or options.combined):
        raise RegressError("--no-combined and --combined-only together leave nothing to run")
    return Run(selection, options, sink).execute()

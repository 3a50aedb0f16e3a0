"""pytest plugin (entry point `pytest11`): suite fixtures for tests run by `regress run` or alone.

Under `regress run` the context comes from the file named by $REGRESS_CONTEXT: the suite's
server is already up (scope "suite") and its URL is known. Run alone (`pytest tests/e2e/...`),
the plugin reads the manifest itself and starts the servers it needs, with the same code.
Tests outside every suite's targets are left alone.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import time
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from regress.judging.junit import CAUSE_PROPERTY, NODEID_PROPERTY, SUITE_PROPERTY, TIMEOUT_PROPERTY
from regress.proc.causes import call_site, one_line
from regress.running.context import (
    CONTEXT_ENV,
    TOKEN_ENV,
    RunContext,
    SuiteContext,
    artifact_label,
    output_folder_name,
    read_context,
    suite_context,
)

if TYPE_CHECKING:
    from regress.manifest.model import Manifest, ServerSpec
    from regress.proc.server import RunningServer

DEFAULT_MANIFEST = "suites.yaml"  # as regress.manifest says; not imported, to keep this cheap

CONTEXT_KEY = pytest.StashKey[RunContext | None]()
POOL_KEY = pytest.StashKey["ServerPool"]()
MANIFEST_ERROR_KEY = pytest.StashKey[str]()
MAX_TEST_FILES = 50  # artifact files named per test in the events


def pytest_addoption(parser: pytest.Parser) -> None:
    """--regress-manifest for standalone runs."""
    group = parser.getgroup("regress")
    group.addoption(
        "--regress-manifest",
        default=None,
        help=f"manifest for standalone runs (default: {DEFAULT_MANIFEST} in the rootdir, if any)",
    )


def pytest_configure(config: pytest.Config) -> None:
    """Load the run context (from regress run, or from the manifest when run alone)."""
    context: RunContext | None
    if os.environ.get(CONTEXT_ENV):
        context = read_context(Path(os.environ[CONTEXT_ENV]))
    else:
        context = _standalone_context(config)
    config.stash[CONTEXT_KEY] = context
    if context is not None:
        config.stash[POOL_KEY] = ServerPool(context)


def _standalone_context(config: pytest.Config) -> RunContext | None:
    option = config.getoption("--regress-manifest")
    path = Path(option) if option else Path(config.rootpath) / DEFAULT_MANIFEST
    if not path.is_file():
        return None
    from regress.errors import RegressError  # noqa: PLC0415 - keep plugin import cheap
    from regress.manifest.load import load_manifest  # noqa: PLC0415

    try:
        manifest = load_manifest(path)
    except RegressError as exc:
        # Unrelated test runs in the project must not fail on the manifest: only tests that
        # ask for a regress fixture see the error.
        config.stash[MANIFEST_ERROR_KEY] = exc.message
        return None
    run_id = f"standalone-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}"
    base = manifest.root / "reports" / run_id
    token = os.environ.get(TOKEN_ENV) or f"{run_id}-{secrets.token_hex(4)}"
    return RunContext(
        run_id=run_id,
        token=token,
        manifest=manifest.path.resolve(),
        root=manifest.root,
        ledger=manifest.root / "reports" / ".regress" / "ledger.json",
        events=None,
        suites=tuple(suite_context(suite, base, None) for suite in manifest.suites),
    )


def pytest_unconfigure(config: pytest.Config) -> None:
    """Stop every server the plugin started."""
    pool = config.stash.get(POOL_KEY, None)
    if pool is not None:
        pool.close()


def _context(config: pytest.Config) -> RunContext | None:
    return config.stash.get(CONTEXT_KEY, None)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Attribute items to suites (JUnit properties), apply each suite's per-test timeout, and
    deselect what `regress run --test/--last-failed` leaves out."""
    context = _context(config)
    if context is None:
        return
    if context.focus:
        left_out = [item for item in items if not context.focused(item.nodeid)]
        if left_out:
            items[:] = [item for item in items if context.focused(item.nodeid)]
            config.hook.pytest_deselected(items=left_out)
    for item in items:
        suite = context.suite_for(item.nodeid)
        if suite is None:
            continue
        item.user_properties.append((NODEID_PROPERTY, item.nodeid))
        item.user_properties.append((SUITE_PROPERTY, suite.name))
        _apply_timeout(item, suite.test_timeout)


def _apply_timeout(item: pytest.Item, manifest_timeout: float) -> None:
    """The stricter of the test's own @pytest.mark.timeout and the manifest's test_timeout
    (a mark of 0 means "no limit" to pytest-timeout, so the manifest's applies); the marker
    nearest the test is replaced, its other arguments (method=...) kept."""
    own = item.get_closest_marker("timeout")
    kwargs = dict(own.kwargs) if own else {}
    mark_timeout = kwargs.pop("timeout", own.args[0] if own and own.args else None)
    effective = manifest_timeout
    if isinstance(mark_timeout, int | float) and 0 < mark_timeout < manifest_timeout:
        effective = float(mark_timeout)
    item.add_marker(pytest.mark.timeout(effective, **kwargs), append=False)
    source = "test's own mark" if effective != manifest_timeout else "manifest test_timeout"
    item.user_properties.append((TIMEOUT_PROPERTY, f"{effective:g}s ({source})"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Mark non-strict xpasses, which JUnit would otherwise report as plain passes."""
    report = yield
    if report.when == "call" and report.passed and hasattr(report, "wasxfail"):
        item.user_properties.append(("regress_xpassed", "1"))
    if report.failed and call.excinfo is not None:
        cause = _cause(item, call.excinfo, report)
        report.regress_cause = cause  # type: ignore[attr-defined]  # read by logreport
        if not any(name == CAUSE_PROPERTY for name, _ in item.user_properties):
            item.user_properties.append((CAUSE_PROPERTY, cause))
    return report


def _cause(
    item: pytest.Item, excinfo: pytest.ExceptionInfo[BaseException], report: pytest.TestReport
) -> str:
    """The failure's cause in one line, with its call site in the test code; the output a
    fixture captured (a server's traceback) is searched for a setup or teardown error only,
    so a test's own assertion is never replaced by something it printed."""
    frames = [(Path(entry.path), entry.lineno + 1) for entry in excinfo.traceback]
    site = call_site(frames, Path(item.path), Path(item.config.rootpath))
    captured = [content for _, content in report.sections] if report.when != "call" else []
    return one_line(excinfo.value, captured, site)


_STARTS: dict[str, float] = {}  # node id -> monotonic time its setup began (this process)


def _emit(nodeid: str, when: str, outcome: str, message: str = "", **extra: object) -> None:
    path = os.environ.get("REGRESS_EVENTS")
    if path:
        event = {"nodeid": nodeid, "when": when, "outcome": outcome, "t": time.time(), **extra}
        if message:
            event["message"] = message
        with Path(path).open("a", encoding="utf-8") as events:
            events.write(json.dumps(event) + "\n")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(
    item: pytest.Item, nextitem: pytest.Item | None
) -> Generator[None, object, object]:
    """Tell `regress run` when each test began and ended (setup to teardown), how long the
    suite's server log was at both ends, and which artifact files the test left."""
    del nextitem
    context = _context(item.config)
    suite = context.suite_for(item.nodeid) if context else None
    if suite is None or not os.environ.get("REGRESS_EVENTS"):
        return (yield)
    log = suite.suite_dir / "server.log"
    _emit(item.nodeid, "begin", "started", log_bytes=_size(log))
    try:
        return (yield)
    finally:
        _emit(
            item.nodeid,
            "finished",
            "finished",
            log_bytes=_size(log),
            artifacts=[str(p) for p in _test_files(item, suite)],
        )


def _size(path: Path) -> int | None:
    try:
        return path.stat().st_size
    except OSError:
        return None


def _test_files(item: pytest.Item, suite: SuiteContext) -> list[Path]:
    """Files under the test's own artifact folders: --output/<test> (traces, screenshots),
    <suite>/tests/<name> (kept exports), <suite>/servers/<name> (its own server's log)."""
    label = artifact_label(item.name)
    folders = [suite.suite_dir / "tests" / label, suite.suite_dir / "servers" / label]
    with contextlib.suppress(ValueError):
        output = item.config.getoption("--output")
        if output:
            folders.append(Path(output) / output_folder_name(item.nodeid))
    return [
        path
        for folder in folders
        if folder.is_dir()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    ][:MAX_TEST_FILES]


def pytest_deselected(items: list[pytest.Item]) -> None:
    """Tell `regress run` which tests -k or a focus left out (deselected, not missing)."""
    for item in items:
        _emit(item.nodeid, "collect", "deselected")


def pytest_runtest_logstart(nodeid: str, location: tuple[str, int | None, str]) -> None:
    """Tell `regress run` which test is in flight (named if the suite times out)."""
    del location
    _STARTS[nodeid] = time.monotonic()
    _emit(nodeid, "setup", "started")


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Stream outcomes to `regress run`'s live progress: every call, and setup/teardown
    problems, each with the seconds since the test's setup began."""
    if report.when != "call" and report.passed:
        return
    outcome: str = report.outcome
    if report.when != "call" and report.failed:
        outcome = "error"
    elif hasattr(report, "wasxfail"):
        outcome = "xfailed" if report.skipped else "xpassed"
    started = _STARTS.get(report.nodeid)
    duration = report.duration if started is None else time.monotonic() - started
    cause = getattr(report, "regress_cause", "")
    _emit(report.nodeid, report.when, outcome, cause, duration=round(duration, 3))


def pytest_runtest_logfinish(nodeid: str, location: tuple[str, int | None, str]) -> None:
    """Forget the test's start time."""
    del location
    _STARTS.pop(nodeid, None)


@contextlib.contextmanager
def _waiting_for(what: str) -> Iterator[None]:
    """Tell `regress run` what the plugin waits for (a per-test server), and for how long."""
    started = time.monotonic()
    _emit("", "wait", "waiting", what=what)
    try:
        yield
    finally:
        _emit("", "wait", "waited", what=what, duration=round(time.monotonic() - started, 3))


class ServerPool:
    """Servers the plugin itself starts: one per suite when run alone, one per test for
    scope "test"."""

    def __init__(self, context: RunContext) -> None:
        from regress.proc.ledger import Ledger  # noqa: PLC0415 - keep plugin import cheap

        self.context = context
        self._ledger = Ledger(context.ledger)
        self._manifest: Manifest | None = None
        self._suite_servers: dict[str, RunningServer] = {}

    def suite_url(self, suite: SuiteContext) -> str:
        """The suite's shared server: the one regress run started, or one started now."""
        if suite.url:
            return suite.url
        if suite.name not in self._suite_servers:
            self._suite_servers[suite.name] = self._start(suite, suite.suite_dir, "server.log")
        return self._suite_servers[suite.name].url

    def fresh(self, suite: SuiteContext, label: str) -> RunningServer:
        """A server for one test only; the caller stops it with stop()."""
        return self._start(suite, suite.suite_dir / "servers" / label, "server.log")

    def stop(self, server: RunningServer) -> None:
        """Stop a server started by this pool."""
        from regress.proc.server import stop_server  # noqa: PLC0415 - keep plugin import cheap

        with _waiting_for(f"server '{server.name}' on port {server.port} to stop"):
            stop_server(server, self._ledger, self._spec(server.name).grace)

    def close(self) -> None:
        """Stop the shared servers started by this pool."""
        while self._suite_servers:
            _, server = self._suite_servers.popitem()
            self.stop(server)

    def manifest(self) -> Manifest:
        """The manifest the context names (loaded once)."""
        from regress.manifest.load import load_manifest  # noqa: PLC0415 - keep plugin import cheap

        if self._manifest is None:
            self._manifest = load_manifest(self.context.manifest)
        return self._manifest

    def _spec(self, server_name: str) -> ServerSpec:
        return next(spec for spec in self.manifest().servers if spec.name == server_name)

    def _start(self, suite: SuiteContext, directory: Path, log_name: str) -> RunningServer:
        from regress.proc.ports import free_ports  # noqa: PLC0415 - keep plugin import cheap
        from regress.proc.server import ready_target, start_server  # noqa: PLC0415

        spec = self.manifest().suite(suite.name).server
        if spec is None:
            raise pytest.UsageError(
                f"suite '{suite.name}' has no regress server ('ports:' only): its tests start "
                "their own; give the suite 'server: NAME' to use server_url"
            )
        # Tests see the token of the servers they talk to, as under `regress run`.
        os.environ.setdefault(TOKEN_ENV, self.context.token)
        directory.mkdir(parents=True, exist_ok=True)
        suite.data_dir.mkdir(parents=True, exist_ok=True)

        outcome = free_ports([suite.port], ledger=self._ledger, force=False, grace=spec.grace)
        if outcome.refused:
            holder = outcome.refused[0]
            raise pytest.UsageError(
                f"port {suite.port} for suite '{suite.name}' is held by pid {holder.pid} "
                f"({holder.user}: {' '.join(holder.cmdline)}), which regress did not start; "
                "stop it or run `regress run --force-ports`"
            )
        with _waiting_for(f"{ready_target(spec, port=suite.port)} (suite {suite.name})"):
            return start_server(
                spec,
                port=suite.port,
                log_path=directory / log_name,
                env={},
                run_id=self.context.run_id,
                token=self.context.token,
                ledger=self._ledger,
                data_dir=suite.data_dir,
                suite_dir=directory,
            )


def _suite_of(request: pytest.FixtureRequest) -> SuiteContext:
    context = _context(request.config)
    suite = context.suite_for(request.node.nodeid) if context else None
    if MANIFEST_ERROR_KEY in request.config.stash:
        raise pytest.UsageError(request.config.stash[MANIFEST_ERROR_KEY])
    if suite is None:
        raise pytest.UsageError(
            f"{request.node.nodeid} is not under any suite's targets in the regress manifest; "
            "add it to a suite in suites.yaml or pass --regress-manifest"
        )
    return suite


@pytest.fixture
def regress_suite(request: pytest.FixtureRequest) -> SuiteContext:
    """The suite the current test belongs to (name, requirement, port, params, dirs)."""
    return _suite_of(request)


@pytest.fixture
def suite_params(regress_suite: SuiteContext) -> dict[str, str]:
    """The suite's parameters after CLI overrides (values are text; convert in the test)."""
    return dict(regress_suite.params)


@pytest.fixture
def server_url(request: pytest.FixtureRequest, regress_suite: SuiteContext) -> Iterator[str]:
    """Base URL of the suite's server; a fresh server per test when the suite's scope is
    "test"."""
    pool = request.config.stash[POOL_KEY]
    if regress_suite.scope != "test":
        yield pool.suite_url(regress_suite)
        return
    server = pool.fresh(regress_suite, artifact_label(request.node.name))
    try:
        yield server.url
    finally:
        pool.stop(server)


@pytest.fixture
def data_dir(regress_suite: SuiteContext) -> Path:
    """Where the suite's server writes exports."""
    return regress_suite.data_dir


@pytest.fixture
def test_artifacts_dir(request: pytest.FixtureRequest, regress_suite: SuiteContext) -> Path:
    """A directory for this test's artifacts (kept exports, screenshots)."""
    path = regress_suite.suite_dir / "tests" / artifact_label(request.node.name)
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def parity_exclude(request: pytest.FixtureRequest) -> tuple[str, ...]:
    """Client-local columns the manifest's `parity.exclude` leaves out of parity checks
    (regress.parity's defaults when the manifest names none)."""
    from regress.parity.model import DEFAULT_EXCLUDE  # noqa: PLC0415 - numpy only when asked

    pool: ServerPool = request.config.stash[POOL_KEY]
    return pool.manifest().parity_exclude or tuple(DEFAULT_EXCLUDE)

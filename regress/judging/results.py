"""Result objects of a run: frozen dataclasses and Enums, JSON round-trippable."""

from __future__ import annotations

import enum
import functools
from collections.abc import Callable
from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any, TypeVar, cast, get_args, get_origin, get_type_hints

SCHEMA_VERSION = 1


class TestStatus(enum.Enum):
    """Outcome of one test in one pass. Only PASSED counts as passed."""

    __test__ = False  # not a pytest test class

    PASSED = "passed"
    FAILED = "failed"
    ERROR = "error"
    SKIPPED = "skipped"
    XFAILED = "xfailed"
    XPASSED = "xpassed"
    TIMEOUT = "timeout"
    MISSING = "missing"  # expected, not collected
    UNEXPECTED = "unexpected"  # collected, not expected
    NOT_RUN = "not run"  # the pass stopped before reaching it (Ctrl-C, blocked suite)
    DESELECTED = "deselected"  # left out on purpose by -k, --test or --last-failed
    FLAKY = "flaky"  # under --repeat: passed in some attempts, failed in others


class SuiteStatus(enum.Enum):
    """Outcome of one suite in one pass."""

    PASSED = "passed"
    FAILED = "failed"
    ERROR = "error"  # no usable JUnit XML, server did not start, ...
    TIMEOUT = "timeout"
    BLOCKED = "blocked"  # a port held by a process regress cannot prove is its own
    INTERRUPTED = "interrupted"
    NOT_RUN = "not run"  # --fail-fast stopped the run before it


class PassKind(enum.Enum):
    """The two passes of a run."""

    ISOLATION = "isolation"
    COMBINED = "combined"


class Comparison(enum.Enum):
    """One test across the isolation and combined passes."""

    PASSED_BOTH = "passed both"
    INTERFERENCE = "passes alone, fails combined"
    COMBINED_ONLY = "fails alone, passes combined"
    FAILED_BOTH = "failed both"
    ISOLATION_ONLY = "isolation only"  # combined pass not run
    COMBINED_ONLY_RUN = "combined only"  # isolation pass not run


@dataclass(frozen=True)
class TestOutcome:
    """One test id in one pass."""

    __test__ = False  # not a pytest test class

    nodeid: str
    status: TestStatus
    duration: float = 0.0
    message: str = ""  # first line of the failure, or why it is missing/unexpected
    details: str = ""  # trimmed traceback / longer text
    tries: tuple[TestStatus, ...] = ()  # each attempt's status under --repeat N; () for one
    started_at: float | None = None  # epoch seconds: pytest began its setup
    finished_at: float | None = None  # epoch seconds: its teardown ended
    log_lines: tuple[int, int] | None = None  # 1-based first, last line of its server log window
    log_excerpt: tuple[str, ...] = ()  # those lines (capped), kept for tests that did not pass
    artifacts: tuple[tuple[str, str], ...] = ()  # (label, path relative to the run dir)

    @property
    def attempts(self) -> int:
        """How many times the test ran in this pass (1 without --repeat)."""
        return len(self.tries) or 1

    @property
    def passes(self) -> int:
        """In how many of its attempts it passed."""
        if not self.tries:
            return int(self.status is TestStatus.PASSED)
        return sum(1 for status in self.tries if status is TestStatus.PASSED)


@dataclass(frozen=True)
class PortEvent:
    """A port holder freed or refused before a suite."""

    port: int
    pid: int | None
    user: str
    cmdline: str
    reason: str
    freed: bool


@dataclass(frozen=True)
class ParityColumn:
    """One divergent column of an export pair: how many cells, and the first (row, a, b)."""

    column: str
    count: int
    examples: tuple[tuple[int, str, str], ...]


@dataclass(frozen=True)
class ParityEvidence:
    """An export pair found in a suite's data folder and what `regress parity` said of it."""

    a: str  # paths relative to the run dir
    b: str
    verdict: str  # "identical", "divergent", or "unreadable"
    rows_a: int = 0
    rows_b: int = 0
    reasons: tuple[str, ...] = ()
    columns: tuple[ParityColumn, ...] = ()
    nodeid: str = ""  # the test whose time window wrote the pair, if one did


@dataclass(frozen=True)
class SuiteResult:
    """One suite in one pass."""

    suite: str
    requirement: str
    kind: PassKind
    status: SuiteStatus
    tests: tuple[TestOutcome, ...]
    started: str  # ISO 8601
    duration: float
    reason: str = ""  # why ERROR / TIMEOUT / BLOCKED
    exit_code: int | None = None
    artifacts: tuple[tuple[str, str], ...] = ()  # (label, path relative to the run dir)
    ports: tuple[PortEvent, ...] = ()
    server_ready_seconds: float | None = None
    teardown_seconds: float | None = None
    leaks: tuple[str, ...] = ()  # processes its pytest or server left behind (regress stopped them)
    attempts: int = 1  # how many times the suite ran in this pass (--repeat N)
    server_log: str = ""  # path relative to the run dir of its suite-scoped server's log
    server_started_at: float | None = None  # epoch seconds: spawned
    server_ready_at: float | None = None  # epoch seconds: answered its readiness probe
    server_stopped_at: float | None = None  # epoch seconds: torn down, its port free
    parity: tuple[ParityEvidence, ...] = ()

    def count(self, *statuses: TestStatus) -> int:
        """How many tests have one of the statuses."""
        return sum(1 for test in self.tests if test.status in statuses)


@dataclass(frozen=True)
class PassResult:
    """All suites of one pass."""

    kind: PassKind
    suites: tuple[SuiteResult, ...]
    started: str
    duration: float
    exit_code: int | None = None  # of the one combined pytest process
    artifacts: tuple[tuple[str, str], ...] = ()
    leaks: tuple[str, ...] = ()  # processes the combined pytest process left behind


@dataclass(frozen=True)
class IntegrityFinding:
    """A skip/xfail marker or call found in a selected suite file."""

    path: str
    line: int
    kind: str  # e.g. "skip marker", "xfail call"
    text: str


@dataclass(frozen=True)
class SuiteInfo:
    """What the run knew about a suite when it started (for re-rendering)."""

    name: str
    requirement: str
    targets: tuple[str, ...]
    expected: tuple[str, ...]
    server: str
    port: int
    scope: str
    params: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class PlanInfo:
    """What the run knew about a plan when it started."""

    phase: str
    plan: str
    title: str
    subsystem: str
    tags: tuple[str, ...]
    requirements: tuple[str, ...]
    suites: tuple[str, ...]


@dataclass(frozen=True)
class ShardInfo:
    """Which part of a split run this record is, the whole split, and why it fell that way."""

    index: int  # 1-based
    total: int
    split: tuple[tuple[str, ...], ...]  # suite names of every shard, shard 1 first
    reason: str  # e.g. "by last known duration from 4 runs in reports/"
    durations: tuple[tuple[str, float], ...] = ()  # the weights the split used
    order: tuple[str, ...] = ()  # every selected suite, manifest order
    plan_order: tuple[str, ...] = ()  # every selected plan's "<phase>/<plan>", manifest order


@dataclass(frozen=True)
class RunRecord:
    """Everything needed to re-render a run: written as reports/<run-id>/run.json."""

    run_id: str
    started: str
    finished: str
    duration: float
    manifest: str
    project_root: str
    plans: tuple[PlanInfo, ...]
    suites: tuple[SuiteInfo, ...]
    passes: tuple[PassResult, ...]
    integrity: tuple[IntegrityFinding, ...] = ()
    interrupted: bool = False
    complete: bool = True  # False while a run is still being written (partial report)
    exit_code: int | None = None
    options: tuple[tuple[str, str], ...] = ()  # how it was invoked, for the SUMMARY
    git_head: str = ""
    files_modified: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()  # run-level problems (e.g. a crash reason)
    manifest_hash: str = ""  # sha256 of the manifest file's bytes
    port_offset: int = 0  # added to every manifest port for this run (--port-offset)
    shard: ShardInfo | None = None  # this run is one shard of a split run (--shard I/N)
    groups: tuple[tuple[str, ...], ...] = ()  # merged runs: suites of each combined process
    jobs: int = 1  # suites at a time in the isolation pass (--jobs); they shared the CPU
    machine: tuple[tuple[str, str], ...] = ()  # cpu count, python, platform (no hostname)
    interpreter: str = ""  # the Python that ran pytest and the servers, first on their PATH
    schema: int = field(default=SCHEMA_VERSION)

    def pass_of(self, kind: PassKind) -> PassResult | None:
        """The pass of that kind, if it ran."""
        for result in self.passes:
            if result.kind is kind:
                return result
        return None


# --- JSON round trip -------------------------------------------------------------------------

T = TypeVar("T")


def to_jsonable(value: Any) -> Any:
    """Dataclasses -> dicts, Enums -> values, tuples -> lists, recursively."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, tuple | list):
        return [to_jsonable(item) for item in value]
    return value


def from_jsonable(cls: type[T], data: Any) -> T:
    """Rebuild a dataclass written by to_jsonable (unknown keys are ignored)."""
    decode: Callable[[Any], T] = _decoder(cast(Any, cls))
    return decode(data)


def _identity(data: Any) -> Any:
    return data


@functools.cache
def _decoder(tp: Any) -> Callable[[Any], Any]:
    """A function that rebuilds values of type tp from JSON data, worked out once per type (a
    record of thousands of tests decodes in a fraction of a second)."""
    origin = get_origin(tp)
    if is_dataclass(tp) and isinstance(tp, type):
        hints = get_type_hints(tp)
        plan = tuple((f.name, _decoder(hints[f.name])) for f in fields(tp))
        cls = tp

        def instance(data: Any) -> Any:
            return cls(**{name: decode(data[name]) for name, decode in plan if name in data})

        return instance
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return tp
    if origin is tuple:
        args = get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            item = _decoder(args[0])
            return lambda data: tuple(item(value) for value in data)
        items = tuple(_decoder(arg) for arg in args)
        return lambda data: tuple(decode(value) for decode, value in zip(items, data, strict=True))
    if origin is not None and type(None) in get_args(tp):  # Optional[X]
        inner = _decoder(next(arg for arg in get_args(tp) if arg is not type(None)))
        return lambda data: None if data is None else inner(data)
    return _identity

"""Result objects of a run: frozen dataclasses and Enums, JSON round-trippable."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any, TypeVar, get_args, get_origin, get_type_hints

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


class SuiteStatus(enum.Enum):
    """Outcome of one suite in one pass."""

    PASSED = "passed"
    FAILED = "failed"
    ERROR = "error"  # no usable JUnit XML, server did not start, ...
    TIMEOUT = "timeout"
    BLOCKED = "blocked"  # a port held by a process regress cannot prove is its own
    INTERRUPTED = "interrupted"


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
    return _decode(cls, data)  # type: ignore[no-any-return]


def _decode(tp: Any, data: Any) -> Any:
    origin = get_origin(tp)
    if is_dataclass(tp) and isinstance(tp, type):
        hints = get_type_hints(tp)
        kwargs = {
            f.name: _decode(hints[f.name], data[f.name]) for f in fields(tp) if f.name in data
        }
        return tp(**kwargs)
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return tp(data)
    if origin is tuple:
        args = get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_decode(args[0], item) for item in data)
        return tuple(_decode(arg, item) for arg, item in zip(args, data, strict=True))
    if origin is not None and type(None) in get_args(tp):  # Optional[X]
        if data is None:
            return None
        inner = next(arg for arg in get_args(tp) if arg is not type(None))
        return _decode(inner, data)
    return data

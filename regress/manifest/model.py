"""The manifest's vocabulary: frozen dataclasses built only by manifest.py."""

from __future__ import annotations

import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

ALL_TESTS = "*"  # `expected: all`: every test collected under the suite's targets


class ReadyKind(enum.Enum):
    """How a server proves it is ready."""

    HTTP = "http"
    TCP = "tcp"


class Scope(enum.Enum):
    """How long one server lives for a suite."""

    SUITE = "suite"
    TEST = "test"


@dataclass(frozen=True)
class ReadyCheck:
    """A readiness probe: an HTTP URL answering < 500, or a TCP connect to the port."""

    kind: ReadyKind
    url: str = ""  # template for HTTP, may contain {port} and {host}
    timeout: float = 30.0


@dataclass(frozen=True)
class ServerSpec:
    """How to start one kind of server."""

    name: str
    command: tuple[str, ...]  # placeholders: {python} {port} {host} {data_dir} {suite_dir}
    port: int
    ready: ReadyCheck
    host: str = "127.0.0.1"
    env: tuple[tuple[str, str], ...] = ()
    cwd: Path = Path()
    grace: float = 5.0  # seconds between SIGTERM and SIGKILL


@dataclass(frozen=True)
class Suite:
    """One end-to-end regression suite, run in isolation and then in the combined pass."""

    name: str
    requirement: str
    targets: tuple[str, ...]
    expected: tuple[str, ...]  # pytest node ids, relative to the project root
    server: ServerSpec | None  # None: the project's own fixtures start what the tests need
    port: int  # the regress server's port (0 without one)
    scope: Scope
    params: tuple[tuple[str, str], ...]
    timeout: float
    test_timeout: float
    own_ports: tuple[int, ...] = ()  # ports the project's own fixtures listen on
    min_tests: int = 0  # with patterns (`expected: all` is "*"): at least this many collected

    @property
    def ports(self) -> tuple[int, ...]:
        """Every port the suite needs free: its server's, then its fixtures' own."""
        head = (self.port,) if self.server is not None else ()
        return head + tuple(p for p in self.own_ports if p not in head)

    @property
    def grace(self) -> float:
        """Seconds between SIGTERM and SIGKILL for what holds the suite's ports."""
        return self.server.grace if self.server is not None else 5.0

    @property
    def param_dict(self) -> dict[str, str]:
        """Parameters as a mapping (values are text; tests convert)."""
        return dict(self.params)


@dataclass(frozen=True)
class Plan:
    """A GSD plan: phase slug + plan number, with its requirements and suites."""

    phase: str
    plan: str
    title: str
    requirements: tuple[str, ...]
    suites: tuple[str, ...]
    subsystem: str = "testing"
    tags: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        """Unique key "<phase>/<plan>"."""
        return f"{self.phase}/{self.plan}"

    @property
    def phase_number(self) -> str:
        """The number before the first dash of the phase slug ("73")."""
        return self.phase.split("-", 1)[0]


@dataclass(frozen=True)
class Mutation:
    """A deliberate bug (a unified diff) that the suites of its requirements must catch."""

    name: str
    requirements: tuple[str, ...]
    patch: Path  # absolute: the manifest's folder joined with the manifest's `patch:`
    suites: tuple[str, ...]  # the suites run against the mutant (default: the requirements')


@dataclass(frozen=True)
class Manifest:
    """A parsed and validated suites.yaml."""

    path: Path
    root: Path  # project root: the manifest's directory unless `root:` says otherwise
    servers: tuple[ServerSpec, ...]
    plans: tuple[Plan, ...]
    suites: tuple[Suite, ...]
    parity_exclude: tuple[str, ...] = field(default=())
    keep: int | None = None  # how many runs the reports folder keeps (None: all)
    mutations: tuple[Mutation, ...] = field(default=())

    def suite(self, name: str) -> Suite:
        """The suite called name (KeyError if absent)."""
        for suite in self.suites:
            if suite.name == name:
                return suite
        raise KeyError(name)

    def plans_of(self, suite: Suite) -> tuple[Plan, ...]:
        """The plans that list a suite (a regression suite may serve several plans)."""
        return tuple(plan for plan in self.plans if suite.name in plan.suites)


def is_pattern(expected: str) -> bool:
    """Whether an expected entry is a pattern ('*' and '?'; brackets are literal, as in
    parametrised ids like test_x[chromium-100])."""
    return "*" in expected or "?" in expected


@cache
def _regex(pattern: str) -> re.Pattern[str]:
    parts = (".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile("".join(parts), re.DOTALL)


def is_expected(nodeid: str, expected: Sequence[str]) -> bool:
    """Whether a node id is one of the expected ids or matches one of the patterns."""
    return nodeid in expected or any(
        is_pattern(e) and _regex(e).fullmatch(nodeid) for e in expected
    )


def pattern_matches(pattern: str, nodeid: str) -> bool:
    """Whether one expected pattern matches a node id."""
    return _regex(pattern).fullmatch(nodeid) is not None

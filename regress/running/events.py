"""What a running pass tells whoever shows progress (the CLI's Rich live view, or nothing)."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Protocol

from regress.judging.results import PassKind, SuiteResult

STARTED = "started"  # outcome of the event a test's setup begins with
WAITING, WAITED = "waiting", "waited"  # outcomes of a wait's events (when == "wait")


class ProgressSink(Protocol):
    """Receives progress events; implementations must be cheap and never raise."""

    def suite_started(self, kind: PassKind, suites: tuple[str, ...]) -> None:
        """A pytest process started for these suites (one suite in isolation, all combined)."""

    def test_started(self, kind: PassKind, suite: str, nodeid: str) -> None:
        """A test's setup began: it is the test in flight."""

    def test_finished(
        self, kind: PassKind, suite: str, nodeid: str, outcome: str, duration: float | None = None
    ) -> None:
        """A test finished; outcome is pytest's word (passed, failed, error, skipped, ...),
        duration its seconds from the start of its setup, when known."""

    def suite_finished(self, result: SuiteResult) -> None:
        """A suite's result in one pass is final."""

    def waiting(self, what: str) -> None:
        """A wait began; what names what is awaited ("http://127.0.0.1:5702/healthz", ...)."""

    def waited(self, what: str, seconds: float) -> None:
        """The wait for what ended after seconds."""

    def message(self, text: str) -> None:
        """A one-line notice (ports freed, server started, ...)."""


class NullSink:
    """Shows nothing."""

    def suite_started(self, kind: PassKind, suites: tuple[str, ...]) -> None:
        """Ignore."""

    def test_started(self, kind: PassKind, suite: str, nodeid: str) -> None:
        """Ignore."""

    def test_finished(
        self, kind: PassKind, suite: str, nodeid: str, outcome: str, duration: float | None = None
    ) -> None:
        """Ignore."""

    def suite_finished(self, result: SuiteResult) -> None:
        """Ignore."""

    def waiting(self, what: str) -> None:
        """Ignore."""

    def waited(self, what: str, seconds: float) -> None:
        """Ignore."""

    def message(self, text: str) -> None:
        """Ignore."""


@dataclass(frozen=True)
class PytestEvent:
    """One line of a pytest process's events.jsonl, as the plugin wrote it."""

    nodeid: str
    when: str  # setup, call, teardown; "wait" for a wait inside pytest (a per-test server)
    outcome: str  # STARTED, pytest's word, or WAITING / WAITED
    duration: float | None = None  # seconds since the test's setup began / the wait began
    what: str = ""  # for waits: what is awaited


def forward(
    sink: ProgressSink, kind: PassKind, suite_of: Callable[[str], str]
) -> Callable[[PytestEvent], None]:
    """An on_event callback for run_pytest that passes its events to sink (suite_of names the
    suite a node id belongs to)."""

    def on_event(event: PytestEvent) -> None:
        if event.when == "wait":
            if event.outcome == WAITING:
                sink.waiting(event.what)
            else:
                sink.waited(event.what, event.duration or 0.0)
        elif event.outcome == STARTED:
            sink.test_started(kind, suite_of(event.nodeid), event.nodeid)
        else:
            sink.test_finished(
                kind, suite_of(event.nodeid), event.nodeid, event.outcome, event.duration
            )

    return on_event


@contextlib.contextmanager
def waiting_for(sink: ProgressSink, what: str) -> Iterator[None]:
    """Tell sink what the block waits for, and how long it took when it ends (however it ends)."""
    started = time.monotonic()
    sink.waiting(what)
    try:
        yield
    finally:
        sink.waited(what, time.monotonic() - started)

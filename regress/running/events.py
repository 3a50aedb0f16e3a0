"""What a running pass tells whoever shows progress (the CLI's Rich live view, or nothing)."""

from __future__ import annotations

from typing import Protocol

from regress.judging.results import PassKind, SuiteResult


class ProgressSink(Protocol):
    """Receives progress events; implementations must be cheap and never raise."""

    def suite_started(self, kind: PassKind, suites: tuple[str, ...]) -> None:
        """A pytest process started for these suites (one suite in isolation, all combined)."""

    def test_finished(self, kind: PassKind, suite: str, nodeid: str, outcome: str) -> None:
        """A test finished; outcome is pytest's word (passed, failed, error, skipped, ...)."""

    def suite_finished(self, result: SuiteResult) -> None:
        """A suite's result in one pass is final."""

    def message(self, text: str) -> None:
        """A one-line notice (ports freed, server started, ...)."""


class NullSink:
    """Shows nothing."""

    def suite_started(self, kind: PassKind, suites: tuple[str, ...]) -> None:
        """Ignore."""

    def test_finished(self, kind: PassKind, suite: str, nodeid: str, outcome: str) -> None:
        """Ignore."""

    def suite_finished(self, result: SuiteResult) -> None:
        """Ignore."""

    def message(self, text: str) -> None:
        """Ignore."""

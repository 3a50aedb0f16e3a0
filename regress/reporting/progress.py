"""Live progress of a run: a Rich live line on a terminal, one plain line per event elsewhere."""

from __future__ import annotations

import time
from types import TracebackType

from rich.console import Console, ConsoleOptions, RenderResult
from rich.live import Live
from rich.spinner import Spinner
from rich.table import Table
from rich.text import Text

from regress.judging.results import PassKind, SuiteResult, SuiteStatus
from regress.judging.wording import format_seconds

LONG_WAIT = 5.0  # seconds after which a finished wait gets a line of its own
_PASSED = frozenset({"passed", "xpassed"})
_FAILED = frozenset({"failed", "error", "timeout"})
_STATUS_STYLES = {
    SuiteStatus.PASSED: "green",
    SuiteStatus.FAILED: "red",
    SuiteStatus.ERROR: "red",
    SuiteStatus.TIMEOUT: "yellow",
    SuiteStatus.BLOCKED: "magenta",
    SuiteStatus.INTERRUPTED: "yellow",
}


class _State:
    """What the live line shows; rendered afresh on every refresh so elapsed times move."""

    def __init__(self, clock: float) -> None:
        self.kind: PassKind | None = None
        self.suites: tuple[str, ...] = ()
        self.current = ""  # the suite of the last started or finished test
        self.started = clock
        self.run_started = clock
        self.done = self.passed = self.failed = 0
        self.test: tuple[str, float] | None = None  # (node id, start) of the test in flight
        self.wait: tuple[str, float] | None = None  # (what, start) of the wait in progress
        self.spinner = Spinner("dots", style="cyan")

    def begin(self, kind: PassKind, suites: tuple[str, ...], clock: float) -> None:
        if kind is self.kind and self.suites:  # another suite in flight beside these (--jobs)
            self.suites = (*self.suites, *suites)
            return
        self.kind, self.suites, self.started, self.current = kind, suites, clock, ""
        self.done = self.passed = self.failed = 0
        self.test = None

    def start(self, suite: str, nodeid: str, clock: float) -> None:
        self.current, self.test = suite, (nodeid, clock)

    def end(self, suite: str) -> None:
        """A suite is no longer in flight (the combined pass keeps its list to the end)."""
        if self.kind is PassKind.ISOLATION:
            self.suites = tuple(name for name in self.suites if name != suite)

    def record(self, suite: str, nodeid: str, outcome: str) -> None:
        self.current = suite
        if self.test is not None and self.test[0] == nodeid:
            self.test = None
        self.done += 1
        self.passed += outcome in _PASSED
        self.failed += outcome in _FAILED

    def line(self, clock: float) -> Text:
        if self.kind is None:
            text = Text(f"waiting · {format_seconds(clock - self.run_started)}", style="dim")
            return self._waiting(text, clock)
        text = Text()
        text.append(f"{self.kind.value} ", style="bold")
        text.append(_names(self.suites, every=self.kind is PassKind.ISOLATION), style="cyan")
        if len(self.suites) > 1 and self.current and self.test is None:
            text.append(f" (at {self.current})", style="cyan")
        text.append(f" · {format_seconds(clock - self.started)}")
        if self.test is not None:
            nodeid, since = self.test
            text.append(" · ")
            if len(self.suites) > 1 and self.current:
                text.append(f"{self.current} ", style="cyan")
            text.append(nodeid, style="bold")
            text.append(f" {format_seconds(clock - since)}")
        text = self._waiting(text, clock)
        text.append(f" · {self.done} done · ")
        text.append(f"{self.passed} passed", style="green" if self.passed else "dim")
        text.append(" · ")
        text.append(f"{self.failed} failed", style="bold red" if self.failed else "dim")
        return text

    def _waiting(self, text: Text, clock: float) -> Text:
        if self.wait is not None:
            what, since = self.wait
            text.append(f" · waiting for {what} ({format_seconds(clock - since)})", style="yellow")
        return text

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        grid = Table.grid(padding=(0, 1))
        grid.add_column(no_wrap=True)
        grid.add_column(overflow="ellipsis", no_wrap=True)
        grid.add_row(self.spinner, self.line(time.monotonic()))
        yield grid


def _names(suites: tuple[str, ...], *, every: bool = False) -> str:
    if every or len(suites) <= 2:
        return ", ".join(suites) or "between suites"  # the last ended, the next not started
    return f"{len(suites)} suites"


class LiveProgress:
    """A ProgressSink that shows the current pass, the test in flight (and its suite in the
    combined pass), what the run waits for, elapsed times and test counts.

    On a terminal it keeps one live line at the bottom and prints finished tests (with their
    durations), finished suites and notices above it; otherwise (CI logs, pipes) it prints one
    plain line per event, tests starting and waits beginning included. Use it as a context
    manager around the run.
    """

    def __init__(self, console: Console, *, refresh_per_second: float = 4) -> None:
        self.console = console
        self._state = _State(time.monotonic())
        self._live: Live | None = None
        if console.is_terminal and not console.is_dumb_terminal:
            self._live = Live(
                self._state,
                console=console,
                refresh_per_second=refresh_per_second,
                transient=True,
            )

    @property
    def live(self) -> bool:
        """True when progress is a live display rather than plain lines."""
        return self._live is not None

    def __enter__(self) -> LiveProgress:
        if self._live is not None:
            self._live.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._live is not None:
            self._live.stop()

    def suite_started(self, kind: PassKind, suites: tuple[str, ...]) -> None:
        """A pytest process started for these suites."""
        self._state.begin(kind, suites, time.monotonic())
        if self._live is None:
            self._print(Text(f"{kind.value}: started {', '.join(suites)}"))

    def test_started(self, kind: PassKind, suite: str, nodeid: str) -> None:
        """A test's setup began: it is shown as the test in flight (a plain line off a
        terminal)."""
        self._state.start(suite, nodeid, time.monotonic())
        if self._live is None:
            self._print(Text(f"{kind.value}: {suite} {nodeid} started"))

    def test_finished(
        self, kind: PassKind, suite: str, nodeid: str, outcome: str, duration: float | None = None
    ) -> None:
        """A test finished with pytest's outcome word: one line with its duration."""
        self._state.record(suite, nodeid, outcome)
        style = "green" if outcome in _PASSED else "red" if outcome in _FAILED else "yellow"
        text = Text.assemble(f"{kind.value}: {suite} {nodeid} ", (outcome, style))
        if duration is not None:
            text.append(f" in {format_seconds(duration)}")
        self._print(text)

    def waiting(self, what: str) -> None:
        """A wait began: the live line says what for, and for how long (a plain line off a
        terminal)."""
        self._state.wait = (what, time.monotonic())
        if self._live is None:
            self._print(Text(f"waiting for {what}"))

    def waited(self, what: str, seconds: float) -> None:
        """The wait ended; one that took long is reported with its time."""
        self._state.wait = None
        if seconds >= LONG_WAIT:
            self._print(Text(f"waited {format_seconds(seconds)} for {what}"))

    def suite_finished(self, result: SuiteResult) -> None:
        """A suite's result in one pass is final: print it above the live line."""
        self._state.end(result.suite)
        passed = sum(1 for t in result.tests if t.status.value in _PASSED)
        text = Text.assemble(
            f"{result.kind.value}: {result.suite} ",
            (result.status.value.upper(), f"bold {_STATUS_STYLES[result.status]}"),
            f" {passed}/{len(result.tests)} passed in {format_seconds(result.duration)}",
        )
        if result.reason:
            text.append(f" ({result.reason})", style="dim")
        self._print(text)

    def message(self, text: str) -> None:
        """A one-line notice."""
        self._print(Text(text, style="dim" if self._live else ""))

    def _print(self, text: Text) -> None:
        # On a terminal, Live's console prints above the live line; in logs, never wrap.
        self.console.print(text, soft_wrap=self._live is None, highlight=False)

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
    """What the live line shows; rendered afresh on every refresh so elapsed time moves."""

    def __init__(self, clock: float) -> None:
        self.kind: PassKind | None = None
        self.suites: tuple[str, ...] = ()
        self.current = ""  # the suite of the last finished test (the combined pass runs many)
        self.started = clock
        self.run_started = clock
        self.done = self.passed = self.failed = 0
        self.spinner = Spinner("dots", style="cyan")

    def begin(self, kind: PassKind, suites: tuple[str, ...], clock: float) -> None:
        if kind is self.kind and self.suites:  # another suite in flight beside these (--jobs)
            self.suites = (*self.suites, *suites)
            return
        self.kind, self.suites, self.started, self.current = kind, suites, clock, ""
        self.done = self.passed = self.failed = 0

    def end(self, suite: str) -> None:
        """A suite is no longer in flight (the combined pass keeps its list to the end)."""
        if self.kind is PassKind.ISOLATION:
            self.suites = tuple(name for name in self.suites if name != suite)

    def record(self, suite: str, outcome: str) -> None:
        self.current = suite
        self.done += 1
        self.passed += outcome in _PASSED
        self.failed += outcome in _FAILED

    def line(self, clock: float) -> Text:
        if self.kind is None:
            return Text(f"waiting · {format_seconds(clock - self.run_started)}", style="dim")
        text = Text()
        text.append(f"{self.kind.value} ", style="bold")
        text.append(_names(self.suites, every=self.kind is PassKind.ISOLATION), style="cyan")
        if len(self.suites) > 1 and self.current:
            text.append(f" (at {self.current})", style="cyan")
        text.append(f" · {format_seconds(clock - self.started)} · {self.done} done · ")
        text.append(f"{self.passed} passed", style="green" if self.passed else "dim")
        text.append(" · ")
        text.append(f"{self.failed} failed", style="bold red" if self.failed else "dim")
        return text

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        grid = Table.grid(padding=(0, 1))
        grid.add_column(no_wrap=True)
        grid.add_column(overflow="ellipsis", no_wrap=True)
        grid.add_row(self.spinner, self.line(time.monotonic()))
        yield grid


def _names(suites: tuple[str, ...], *, every: bool = False) -> str:
    if every or len(suites) <= 2:
        return ", ".join(suites) or "(no suites)"
    return f"{len(suites)} suites"


class LiveProgress:
    """A ProgressSink that shows the current pass, suite, elapsed time and test counts.

    On a terminal it keeps one live line at the bottom and prints finished suites and notices
    above it; otherwise (CI logs, pipes) it prints one plain line per event. Use it as a
    context manager around the run.
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

    def test_finished(self, kind: PassKind, suite: str, nodeid: str, outcome: str) -> None:
        """A test finished with pytest's outcome word."""
        self._state.record(suite, outcome)
        if self._live is None:
            style = "green" if outcome in _PASSED else "red" if outcome in _FAILED else "yellow"
            self._print(Text.assemble(f"{kind.value}: {suite} {nodeid} ", (outcome, style)))

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

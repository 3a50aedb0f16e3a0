"""The Rich report of `regress mutate`: live lines for the baseline and per mutant, the baseline,
the mutant table, and the mutation score per requirement (pure functions of the MutateRecord,
plus a console sink)."""

from __future__ import annotations

from rich import box
from rich.console import Console, Group, RenderableType
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from regress.judging.evidence import BaselineResult, BaselineStatus, RedTest
from regress.judging.mutations import MutantResult, MutantStatus, MutateRecord
from regress.judging.wording import format_seconds

STATUS_STYLES = {
    MutantStatus.CAUGHT: "bold green",
    MutantStatus.CAUGHT_BY_TIMEOUT: "bold yellow",
    MutantStatus.UNPROVEN: "bold red",
    MutantStatus.SURVIVED: "bold red",
    MutantStatus.ERROR: "bold magenta",
    MutantStatus.INTERRUPTED: "yellow",
}
BASELINE_STYLES = {
    BaselineStatus.GREEN: "bold green",
    BaselineStatus.RED: "bold yellow",
    BaselineStatus.ERROR: "bold magenta",
    BaselineStatus.INTERRUPTED: "yellow",
    BaselineStatus.SKIPPED: "yellow",
}
SHOWN_RED = 3  # red tests listed per mutant in the table


class ConsoleMutateSink:
    """One line per event on a console."""

    def __init__(self, console: Console) -> None:
        self.console = console

    def note(self, text: str) -> None:
        """A run-level remark."""
        self.console.print(f"[dim]note:[/] {escape(text)}", soft_wrap=True)

    def baseline_started(self, suites: tuple[str, ...], reports: object) -> None:
        """The baseline's `regress run` started."""
        self.console.print(
            f"[bold]baseline[/] (unmutated HEAD, {escape(', '.join(suites))}): running "
            f"(reports {escape(str(reports))})",
            soft_wrap=True,
        )

    def baseline_finished(self, result: BaselineResult) -> None:
        """The baseline was judged (or skipped)."""
        self.console.print(baseline_line(result), soft_wrap=True)

    def started(self, name: str, reports: object) -> None:
        """A mutant's `regress run` started."""
        self.console.print(
            f"mutant [bold]{escape(name)}[/]: running (reports {escape(str(reports))})",
            soft_wrap=True,
        )

    def finished(self, result: MutantResult) -> None:
        """A mutant was judged."""
        style = STATUS_STYLES[result.status]
        self.console.print(
            f"mutant [bold]{escape(result.name)}[/]: [{style}]{result.status.value}[/] "
            f"in {format_seconds(result.duration)}",
            soft_wrap=True,
        )


def baseline_line(result: BaselineResult) -> Text:
    """One line: the baseline's verdict, run id, counts and what it excludes as evidence."""
    if result.status is BaselineStatus.SKIPPED:
        return Text(
            "baseline: skipped (--no-baseline): any red test of a mutant counts as a catch",
            style=BASELINE_STYLES[result.status],
        )
    text = Text("baseline: ")
    text.append(result.status.value, style=BASELINE_STYLES[result.status])
    if result.duration:
        text.append(f" in {format_seconds(result.duration)}")
    if result.run_id:
        text.append(f" (run {result.run_id})")
    text.append(f": {result.passed_tests} passed, {len(result.red)} red")
    if result.red:
        text.append(" (not evidence against any mutant)")
    if result.note:
        text.append(f"; {result.note}")
    return text


def render_mutate(record: MutateRecord) -> Group:
    """The baseline, the mutant table, the score per requirement, and the total."""
    parts: list[RenderableType] = []
    if record.baseline is not None:
        parts.append(_baseline(record.baseline))
    parts += [_mutants(record), _scores(record)]
    total = Text(
        f"{sum(r.status is MutantStatus.CAUGHT for r in record.mutants)}/{len(record.mutants)} "
        f"mutants caught in {format_seconds(record.duration)}"
        + (" (interrupted)" if record.interrupted else ""),
        style="bold green" if record.exit_code == 0 else "bold red",
    )
    parts.append(total)
    return Group(*parts)


def _mutants(record: MutateRecord) -> Table:
    table = Table(title="Mutants", box=box.SIMPLE_HEAVY, title_justify="left")
    for column in ("mutation", "requirement", "verdict", "caught by / why", "time"):
        table.add_column(column, overflow="fold")
    for result in record.mutants:
        table.add_row(
            escape(result.name),
            escape(", ".join(result.requirements)),
            Text(result.status.value, style=STATUS_STYLES[result.status]),
            _why(result),
            format_seconds(result.duration),
        )
    return table


def _baseline(result: BaselineResult) -> Group:
    """The baseline's line and the tests it excludes as evidence."""
    lines: list[RenderableType] = [baseline_line(result)]
    lines += [Text(f"  not evidence: {_red(red)}") for red in result.red[:SHOWN_RED]]
    if len(result.red) > SHOWN_RED:
        lines.append(Text(f"  ... {len(result.red) - SHOWN_RED} more red on the baseline"))
    return Group(*lines, Text(""))


def _red(red: RedTest) -> str:
    where = red.nodeid or f"suite {red.suite}"
    cause = f": {red.cause}" if red.cause else ""
    return f"{where} ({red.status}, {red.kind}){cause}"


def _why(result: MutantResult) -> Text:
    lines = [_red(red) for red in result.red[:SHOWN_RED]]
    if len(result.red) > SHOWN_RED:
        lines.append(f"... {len(result.red) - SHOWN_RED} more red")
    shown = result.not_evidence[:SHOWN_RED]
    lines += [f"not evidence: {_red(red)}" for red in shown]
    if len(result.not_evidence) > SHOWN_RED:
        lines.append(f"... {len(result.not_evidence) - SHOWN_RED} more not counted")
    if result.note:
        lines.append(result.note)
    if result.status is MutantStatus.SURVIVED:
        lines.append(f"every test of {', '.join(result.suites)} passed")
    return Text("\n".join(lines))  # Text is never parsed as markup


def _scores(record: MutateRecord) -> Table:
    table = Table(
        title="Mutation score per requirement", box=box.SIMPLE_HEAVY, title_justify="left"
    )
    for column in ("requirement", "caught", "by timeout only", "mutants", "score"):
        table.add_column(column)
    for requirement, caught, by_timeout, total in record.scores():
        style = "green" if caught == total else "red"
        table.add_row(
            escape(requirement),
            str(caught),
            str(by_timeout),
            str(total),
            Text(f"{100 * caught // total}%", style=style),
        )
    return table

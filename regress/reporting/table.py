"""The Rich report of a run: pure functions from its Judgement to renderables."""

from __future__ import annotations

from collections import Counter

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from regress.judging.repeats import FAILED_STATUSES
from regress.judging.results import Comparison, PassKind, SuiteStatus, TestStatus
from regress.judging.verdicts import Judgement, RequirementState, SuiteVerdict, Word
from regress.judging.wording import format_seconds, one_line, passes_phrase

VERDICT_STYLES = {
    Word.PASS: "bold green",
    Word.FAIL: "bold red",
    Word.ERROR: "bold red",
    Word.BLOCKED: "bold magenta",
    Word.TIMEOUT: "bold yellow",
    Word.INTERRUPTED: "bold yellow",
    Word.PENDING: "dim",
    Word.NOT_RUN: "dim",
    Word.FLAKY: "bold yellow",
    Word.NOT_VERIFIED: "bold cyan",
}
_FAILED = FAILED_STATUSES
_OTHER = tuple(s for s in TestStatus if s is not TestStatus.PASSED and s not in _FAILED)
_SHORT = {PassKind.ISOLATION: "iso", PassKind.COMBINED: "comb"}
_COMPARISONS = {
    Comparison.PASSED_BOTH: ("both", "green"),
    Comparison.INTERFERENCE: ("interference", "bold red"),
    Comparison.COMBINED_ONLY: ("fail alone", "yellow"),
    Comparison.FAILED_BOTH: ("fail both", "red"),
    Comparison.ISOLATION_ONLY: ("alone only", "default"),
    Comparison.COMBINED_ONLY_RUN: ("comb only", "default"),
}


def render_table(judgement: Judgement) -> Table:
    """One row per suite: counts per pass, alone vs combined, duration and verdict.

    Counts that differ between the passes show as two lines, `iso n` and `comb m`.

    Args:
        judgement: the run's judgement.

    Returns:
        A table whose caption names the artifacts of the suites that did not pass.
    """
    ran = judgement.ran
    table = Table(
        title=Text(f"Run {judgement.record.run_id}"),
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        padding=(0, 1),
        collapse_padding=True,
        caption_justify="left",
    )
    table.add_column("Req", style="bold", no_wrap=True)
    table.add_column("Suite", overflow="fold")
    table.add_column("Exp", justify="right", width=3)
    table.add_column("Passed", justify="right")
    table.add_column("Failed", justify="right")
    table.add_column("Other", justify="right")
    table.add_column("Alone vs combined", overflow="fold")
    table.add_column("Time", justify="right", width=6)
    table.add_column("Verdict", width=max(len(word.value) for word in VERDICT_STYLES))
    caption = Text()
    for verdict in judgement.suites:
        word = verdict.word
        table.add_row(
            Text(verdict.requirement),
            Text(verdict.suite),
            str(verdict.expected),
            _counts(verdict, ran, (TestStatus.PASSED,), "green", zero="red"),
            _counts(verdict, ran, _FAILED, "red", zero="dim"),
            _counts(verdict, ran, _OTHER, "yellow", zero="dim"),
            _comparisons(verdict),
            format_seconds(verdict.duration) if verdict.isolation or verdict.combined else "-",
            Text(word.value, style=VERDICT_STYLES[word]),
        )
        if word in {Word.PASS, Word.PENDING}:
            continue
        paths = [
            path
            for kind in ran
            if (result := verdict.result(kind)) is not None
            and result.status is not SuiteStatus.PASSED
            for path in verdict.artifacts_in(kind)
        ]
        if paths:
            caption.append(f"\n{verdict.suite}: ", style="bold").append(", ".join(paths))
    if caption:
        header = Text("artifacts, relative to the run directory:", style="dim", overflow="fold")
        table.caption = header + caption
    return table


def _counts(
    verdict: SuiteVerdict,
    ran: tuple[PassKind, ...],
    statuses: tuple[TestStatus, ...],
    style: str,
    *,
    zero: str,
) -> Text:
    values = [(k, r.count(*statuses) if (r := verdict.result(k)) else None) for k in ran]
    numbers = {value for _, value in values}
    if not values or numbers == {None}:
        return Text("-", style="dim")
    if len(numbers) == 1:
        (number,) = numbers
        return Text(str(number), style=zero if number == 0 else style)
    lines = [f"{_SHORT[k]} {'-' if v is None else v}" for k, v in values]
    return Text("\n".join(lines), style="yellow" if style == "green" else style)


def _comparisons(verdict: SuiteVerdict) -> Text:
    counts: Counter[Comparison] = Counter()
    not_run = flaky = deselected = 0
    for test in verdict.tests:
        outcomes = [o for o in (test.isolation, test.combined) if o is not None]
        statuses = {o.status for o in outcomes}
        if TestStatus.FLAKY in statuses:
            flaky += 1
        elif TestStatus.DESELECTED in statuses:
            deselected += 1
        elif test.comparison is None or TestStatus.NOT_RUN in statuses:
            not_run += 1
        else:
            counts[test.comparison] += 1
    parts = [
        (f"{counts[comparison]} {label}", style)
        for comparison, (label, style) in _COMPARISONS.items()
        if counts[comparison]
    ]
    if flaky:
        parts.append((f"{flaky} flaky", "bold yellow"))
    if deselected:
        parts.append((f"{deselected} deselected", "cyan"))
    if not_run:
        parts.append((f"{not_run} not run", "dim"))
    return Text("\n").join(Text(part, style=style) for part, style in parts) or Text("-")


def render_total(judgement: Judgement) -> Text:
    """One line: requirements satisfied, tests passed in every pass, duration."""
    record = judgement.record
    verdicts = judgement.requirements
    satisfied = judgement.satisfied
    passed, expected = judgement.passed, judgement.expected
    text = Text()
    if record.interrupted:
        text.append("INTERRUPTED", style="bold yellow").append(" · ")
    elif not record.complete:
        text.append("PARTIAL", style="bold yellow").append(" · ")
    noun = "requirement" if len(verdicts) == 1 else "requirements"
    text.append(f"{len(verdicts)} {noun} · ")
    text.append(f"{satisfied} satisfied", style="green" if satisfied else "")
    text.append(" · ")
    states = Counter(r.state for r in verdicts)
    unsatisfied = states[RequirementState.NOT_SATISFIED]
    text.append(f"{unsatisfied} not satisfied", style="bold red" if unsatisfied else "dim")
    for state, style in (
        (RequirementState.FLAKY, "bold yellow"),
        (RequirementState.NOT_VERIFIED, "bold cyan"),
    ):
        if states[state]:
            text.append(" · ").append(f"{states[state]} {state.value}", style=style)
    text.append(f" · {passed}/{expected} tests passed {_where(judgement.ran)}")
    repeats = max((r.attempts for p in record.passes for r in p.suites), default=1)
    if repeats > 1:
        text.append(f" · each {repeats} times")
    text.append(f" · {format_seconds(record.duration)}")
    if record.interpreter:
        text.append(f"\npython: {record.interpreter}", style="dim")
    return text


def _where(ran: tuple[PassKind, ...]) -> str:
    return "in both passes" if len(ran) == len(PassKind) else passes_phrase(ran)


def render_integrity(judgement: Judgement) -> Table | None:
    """The skip/xfail markers found in the selected suite files, or None when there are none."""
    record = judgement.record
    if not record.integrity:
        return None
    table = Table(
        title="Integrity: skip/xfail markers in selected suites",
        title_style="bold yellow",
        box=box.SIMPLE,
        pad_edge=False,
    )
    table.add_column("Location", overflow="fold")
    table.add_column("Kind", no_wrap=True)
    table.add_column("Code", overflow="fold")
    for finding in record.integrity:
        table.add_row(
            Text(f"{finding.path}:{finding.line}"), Text(finding.kind), Text(one_line(finding.text))
        )
    return table


def render_failures(judgement: Judgement) -> Text | None:
    """Each test that did not pass, with its message and artifacts, and each suite that errored,
    was blocked or did not run; None when there are none."""
    text = Text()
    for issue in judgement.failing:
        text.append("\n✗ ", style="bold red").append(f"{issue.requirement} {issue.suite} ")
        text.append(issue.nodeid, style="bold")
        text.append(f"\n    {issue.what}", style="red")
        if issue.message:
            text.append(f": {issue.message}")
        for kind, paths in issue.artifacts:
            if paths:
                text.append(f"\n    {kind.value}: ", style="dim").append(", ".join(paths))
    for problem in judgement.problems:
        text.append("\n✗ ", style="bold red").append(f"{problem.requirement} {problem.suite} ")
        text.append(f"{problem.status} in the {problem.kind.value} pass", style="bold")
        text.append(f"\n    {problem.reason}")
        if problem.not_run:
            text.append(f" ({problem.not_run} not run)", style="dim")
    if not text:
        return None
    return Text("Failures", style="bold red") + text


def render_notices(judgement: Judgement) -> Text | None:
    """Ports freed or refused before suites, and run notes; None when there are none."""
    record = judgement.record
    text = Text()
    for result in (s for p in record.passes for s in p.suites):
        for port in result.ports:
            pid = "?" if port.pid is None else port.pid
            action, style = ("freed", "dim") if port.freed else ("refused", "bold magenta")
            text.append(f"\nport {port.port} {action}", style=style)
            text.append(f" before {result.suite} ({result.kind.value}): pid {pid}, ")
            text.append(f"user {port.user or '?'}, {one_line(port.cmdline)}: {port.reason}")
    for leak in judgement.leaks:
        who = f"suite {leak.suite}" if leak.suite else "the combined pytest process"
        count = len(leak.processes)
        text.append(f"\n{who} leaked {count} process{'es' if count > 1 else ''}", style="yellow")
        text.append(f" in the {leak.kind.value} pass (stopped): {', '.join(leak.processes)}")
    for note in record.notes:
        text.append("\nnote: ", style="bold").append(one_line(note))
    if not text:
        return None
    return Text("Notices", style="bold") + text


def render_run(judgement: Judgement) -> Group:
    """The whole report: table, total line, integrity findings, failures and notices."""
    parts: list[RenderableType | None] = [
        render_table(judgement),
        render_total(judgement),
        render_integrity(judgement),
        render_failures(judgement),
        render_notices(judgement),
    ]
    shown = [part for part in parts if part is not None]
    spaced: list[RenderableType] = []
    for part in shown:
        spaced += [Text(), part] if spaced and isinstance(part, Text) else [part]
    return Group(*spaced)

"""`regress history`: one aligned line per recorded run, newest first, from each run's judgement."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence

from rich.text import Text

from regress.judging.history import StoredRun
from regress.judging.verdicts import Judgement, Word
from regress.judging.wording import format_seconds

HEADER = ("run", "started", "commit", "selection", "duration", "verdicts", "exit")
_WORD_STYLES = {Word.PASS: "green", Word.FAIL: "red", Word.ERROR: "red", Word.BLOCKED: "magenta"}


def render_history(
    runs: Sequence[tuple[StoredRun, Judgement | None]], in_progress: Collection[str]
) -> Text:
    """The listing: a header, then one line per run (a broken run.json is one line saying so)."""
    rows = [_cells(run, judgement, run.run_id in in_progress) for run, judgement in runs]
    widths = [max(len(row[i]) for row in [HEADER, *rows]) for i in range(len(HEADER) - 1)]
    text = Text()
    text.append(_line(HEADER, widths), style="bold")
    for row, (run, judgement) in zip(rows, runs, strict=True):
        text.append("\n")
        if judgement is None:
            text.append(f"{row[0].ljust(widths[0])}  ")
            text.append(f"unreadable: {run.problem}", style="red")
            continue
        line = Text(_line(row, widths))
        for word, style in _WORD_STYLES.items():
            line.highlight_words([f"{word.value}"], style=style)
        if row[-1] not in {"0", "-"}:
            line.stylize("bold red", len(line) - len(row[-1]))
        text.append_text(line)
    if not runs:
        text.append("\n(no runs recorded: run `regress run` first)", style="dim")
    return text


def _line(cells: Sequence[str], widths: Sequence[int]) -> str:
    padded = [cell.ljust(width) for cell, width in zip(cells, widths, strict=False)]
    return "  ".join([*padded, cells[-1]])


def _cells(run: StoredRun, judgement: Judgement | None, in_progress: bool) -> tuple[str, ...]:
    if judgement is None:
        return (run.run_id, "", "", "", "", "", "")
    record = judgement.record
    commit = record.git_head[:7] or "-"
    if record.git_head and record.files_modified:
        commit += "*"  # uncommitted changes when the run started
    exit_code = "-" if record.exit_code is None else str(record.exit_code)
    return (
        record.run_id,
        record.started[:16].replace("T", " "),
        commit,
        _selection(judgement),
        format_seconds(record.duration) if record.finished else "-",
        _verdicts(judgement, in_progress),
        exit_code,
    )


def _selection(judgement: Judgement) -> str:
    options = dict(judgement.record.options)
    parts = [f"--{key} {options[key]}" for key in ("phase", "suite") if options.get(key)]
    if not parts:
        parts.append(f"{len(judgement.suites)} suites")
    if options.get("passes"):
        parts.append(f"({options['passes']})")
    return " ".join(parts)


def _verdicts(judgement: Judgement, in_progress: bool) -> str:
    counts = Counter(verdict.word for verdict in judgement.suites)
    words = " ".join(f"{counts[word]} {word.value}" for word in Word if counts[word])
    record = judgement.record
    if in_progress:
        state = "in progress"
    elif record.interrupted:
        state = "interrupted"
    elif not record.complete:
        state = "incomplete: its regress process stopped before the end"
    else:
        return words
    return f"{words} ({state})" if words else state

"""`regress diff`: the per-test changes between two runs, grouped worst first."""

from __future__ import annotations

from collections import Counter

from rich.text import Text

from regress.judging.diff import Change, RunDiff
from regress.judging.results import RunRecord
from regress.judging.wording import passes_phrase

_STYLES = {
    Change.NEWLY_FAILING: "bold red",
    Change.NEWLY_FLAKY: "yellow",
    Change.NEWLY_MISSING: "bold red",
    Change.SLOWER: "yellow",
    Change.FIXED: "green",
    Change.FASTER: "green",
    Change.ADDED: "cyan",
    Change.REMOVED: "dim",
}
_TIMING = (Change.SLOWER, Change.FASTER)


def render_diff(result: RunDiff) -> Text:
    """Header (the two runs, the suites compared), one block per kind of change, a last line."""
    before, after = result.before.record, result.after.record
    text = Text()
    text.append("Comparing ", style="bold")
    text.append(f"{_describe(before)} → {_describe(after)}\n")
    text.append(f"suites compared: {', '.join(result.suites)}\n", style="dim")
    for label, names in ((before.run_id, result.only_before), (after.run_id, result.only_after)):
        if names:
            text.append(f"only in {label}: {', '.join(names)}\n", style="dim")
    ran_before, ran_after = passes_phrase(result.before.ran), passes_phrase(result.after.ran)
    if ran_before != ran_after:
        text.append(f"passes differ: {ran_before} → {ran_after}\n", style="yellow")
    counts = Counter(change.change for change in result.changes)
    for kind in Change:
        mine = [c for c in result.changes if c.change is kind]
        if not mine:
            continue
        text.append(f"\n{kind.value} ({len(mine)})\n", style=_STYLES[kind])
        for change in mine:
            text.append(f"  {change.suite}  {change.nodeid}  ")
            if kind not in _TIMING:
                text.append(f"{change.before} → {change.after}")
                text.append(f"  {change.detail}" if change.detail else "", style="dim")
            else:
                text.append(change.detail)
            text.append("\n")
    worse = [f"{counts[kind]} {kind.value}" for kind in Change if kind.worse and counts[kind]]
    if worse:
        text.append(f"\nworse: {', '.join(worse)}", style="bold red")
    elif result.changes:
        text.append("\nnothing got worse", style="green")
    else:
        text.append("\nno test changed", style="green")
    return text


def _describe(record: RunRecord) -> str:
    commit = record.git_head[:7]
    if commit and record.files_modified:
        commit += "*"
    started = record.started[:16].replace("T", " ")
    return f"{record.run_id} ({', '.join(p for p in (started, commit) if p)})"

"""The SUMMARY's `## Mutation Check`: the newest mutate record (its baseline, scores and
mutants), for one plan's requirements."""

from __future__ import annotations

from collections.abc import Collection

from regress.judging.evidence import BaselineResult, BaselineStatus
from regress.judging.mutations import MutantStatus, MutateRecord
from regress.judging.wording import format_seconds

PIPE = "\\|"  # a | inside a markdown table cell
FOOTER = "\n---\n*Phase:"  # the SUMMARY's footer; the section goes right before it


def mutation_check(record: MutateRecord, requirements: Collection[str]) -> str:
    """The section for the mutants of requirements (all of them if none matches)."""
    mutants = [m for m in record.mutants if set(m.requirements) & set(requirements)]
    lines = [
        "## Mutation Check",
        "",
        f"`regress mutate` {record.mutate_id} on {record.git_head[:12]} "
        f"({format_seconds(record.duration)}"
        + (", interrupted" if record.interrupted else "")
        + "):",
        "",
    ]
    if record.baseline is not None:
        lines += [_baseline(record.baseline), ""]
    scores = [s for s in record.scores() if s[0] in requirements]
    lines += [
        f"- {req}: {caught}/{total} caught"
        + (f" ({by_timeout} more by timeout only)" if by_timeout else "")
        for req, caught, by_timeout, total in scores
    ] or ["- no mutation of this plan's requirements was run"]
    if mutants:
        lines += ["", "| mutation | requirement | verdict | caught by |", "|---|---|---|---|"]
    for mutant in mutants:
        red = mutant.red[0] if mutant.red else None
        caught_by = (
            f"`{red.nodeid or red.suite}`: {red.cause}" if red is not None else mutant.note or "-"
        )
        if mutant.status is MutantStatus.SURVIVED:
            caught_by = "nothing: every test passed"
        lines.append(
            f"| {mutant.name} | {', '.join(mutant.requirements)} | {mutant.status.value} | "
            f"{caught_by.replace('|', PIPE)} |"
        )
    return "\n".join(lines) + "\n"


def _baseline(baseline: BaselineResult) -> str:
    """One line on the unmutated run whose passed tests are the only evidence."""
    if baseline.status is BaselineStatus.SKIPPED:
        return "Baseline: skipped (--no-baseline): any red test counted as a catch."
    excluded = f", {len(baseline.red)} red (not evidence)" if baseline.red else ""
    return (
        f"Baseline (unmutated HEAD) {baseline.run_id or '-'}: {baseline.status.value}, "
        f"{baseline.passed_tests} passed{excluded}."
    )


def with_mutation_check(summary: str, section: str) -> str:
    """The SUMMARY with the section placed before its footer (at the end if it has none)."""
    at = summary.find(FOOTER)
    if at < 0:
        return summary.rstrip("\n") + "\n\n" + section
    return summary[:at] + "\n\n" + section + summary[at:]

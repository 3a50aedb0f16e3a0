"""`regress summary`: one plan's GSD SUMMARY of a recorded run."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from regress.commands.common import reports_folder
from regress.errors import RegressError
from regress.judging.history import load_record
from regress.judging.judge import judge
from regress.judging.mutations import load_mutate_record
from regress.reporting.mutation_check import mutation_check, with_mutation_check
from regress.reporting.summary import run_summary
from regress.reporting.summary_paths import plan_keys


@dataclass(frozen=True)
class SummaryRequest:
    """`regress summary` as the user asked for it."""

    manifest: Path
    run_id: str | None = None
    phase: str | None = None
    reports: Path | None = None
    with_mutations: bool = False  # add `## Mutation Check` from the newest `regress mutate`


def summary(request: SummaryRequest) -> str:
    """The SUMMARY markdown of the one plan the request names (or the run's only plan)."""
    folder = reports_folder(request.reports, request.manifest)
    record = load_record(folder, request.run_id)
    keys = plan_keys(record)
    phase = request.phase
    if phase is not None:
        keys = tuple(k for k in keys if phase in (k.split("/")[0], k.split("-")[0]))
        if not keys:
            raise RegressError(
                f"--phase {phase}: run {record.run_id} has no such plan "
                f"(plans: {', '.join(plan_keys(record))})"
            )
    if len(keys) > 1:
        raise RegressError(
            f"run {record.run_id} covers {len(keys)} plans; pick one with --phase "
            f"({', '.join(k.split('/')[0] for k in keys)})"
        )
    text = run_summary(judge(record), keys[0], folder)
    if not request.with_mutations:
        return text
    plan = next(p for p in record.plans if keys[0] == f"{p.phase}/{p.plan}")
    section = mutation_check(load_mutate_record(folder), plan.requirements)
    return with_mutation_check(text, section)

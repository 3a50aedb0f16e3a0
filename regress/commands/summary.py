"""`regress summary`: one plan's GSD SUMMARY of a recorded run."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from regress.commands.common import reports_folder
from regress.errors import RegressError
from regress.judging.history import load_record
from regress.judging.judge import judge
from regress.judging.mutations import MutateRecord, load_mutate_record
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
    # `## Mutation Check` from the newest `regress mutate` (without it: only when that one ran
    # on the run's git HEAD)
    with_mutations: bool = False


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
    plan = next(p for p in record.plans if keys[0] == f"{p.phase}/{p.plan}")
    mutated = (
        load_mutate_record(folder)
        if request.with_mutations
        else _same_code(folder, record.git_head, plan.requirements)
    )
    if mutated is None:
        return text
    return with_mutation_check(text, mutation_check(mutated, plan.requirements))


def _same_code(folder: Path, head: str, requirements: Sequence[str]) -> MutateRecord | None:
    """The newest mutate record, if it checked the code the run tested (same git HEAD) and
    mutated one of the plan's requirements."""
    try:
        mutated = load_mutate_record(folder)
    except RegressError:
        return None
    covered = {r for mutant in mutated.mutants for r in mutant.requirements}
    if not head or mutated.git_head != head or not covered.intersection(requirements):
        return None
    return mutated

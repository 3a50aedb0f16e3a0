"""`regress summary`: the GSD SUMMARY of a recorded run, printed, written to a file, or put
where GSD keeps it (.planning/phases/<phase-slug>/)."""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from regress.commands.common import reports_folder
from regress.errors import RegressError
from regress.judging.history import load_record, write_text_atomic
from regress.judging.judge import judge
from regress.judging.mutations import MutateRecord, load_mutate_record
from regress.judging.results import RunRecord
from regress.judging.verdicts import Judgement
from regress.manifest import DEFAULT_MANIFEST
from regress.reporting.mutation_check import mutation_check, with_mutation_check
from regress.reporting.summary import run_summary
from regress.reporting.summary_paths import plan_keys, project_relative, summary_relpath

PLANNING = ".planning"


@dataclass(frozen=True)
class SummaryRequest:
    """`regress summary` as the user asked for it."""

    manifest: Path
    run_id: str | None = None
    phase: str | None = None
    reports: Path | None = None
    output: Path | None = None  # --output/-o: the first selected plan's SUMMARY into this file
    write: bool = False  # --write: every selected plan's SUMMARY into .planning/phases/
    # `## Mutation Check` from the newest `regress mutate` (without it: only when that one ran
    # on the run's git HEAD)
    with_mutations: bool = False


@dataclass(frozen=True)
class SummaryResult:
    """What `regress summary` produced: the text to print, the files written, a note."""

    text: str  # the SUMMARY for stdout; "" when it went to files
    written: tuple[str, ...] = ()  # files written (.planning/... relative to the project root)
    note: str = ""  # one line for stderr: the plans of the run not printed, and how to get them


def summary(request: SummaryRequest) -> SummaryResult:
    """The SUMMARY of the first plan the request selects (manifest order), or with --write
    every selected plan's SUMMARY in the project's .planning/ folder."""
    if request.output is not None and request.write:
        raise RegressError(
            "--output and --write: pick one (--write puts every plan's SUMMARY under "
            f"{PLANNING}/phases/, --output one plan's into a file)"
        )
    folder = reports_folder(request.reports, request.manifest)
    record = load_record(folder, request.run_id)
    keys = _selected(record, request.phase)
    judgement = judge(record)
    root = Path(record.project_root)
    if request.write:
        planning = root / PLANNING
        if not planning.is_dir():
            raise RegressError(
                f"--write: {root} has no {PLANNING}/ folder, so it is not a GSD project; "
                "print the SUMMARY (regress summary > FILE) or use --output FILE"
            )
        written = []
        for key in keys:
            path = root / summary_relpath(key)
            path.parent.mkdir(parents=True, exist_ok=True)
            _write(path, _text(request, judgement, key, folder, path))
            written.append(project_relative(path, root))
        return SummaryResult("", tuple(written))
    note = _others_note(request, record, keys)
    if request.output is None:
        return SummaryResult(_text(request, judgement, keys[0], folder), note=note)
    text = _text(request, judgement, keys[0], folder, request.output)
    _write(request.output, text)
    return SummaryResult("", (str(request.output),), note)


def _text(
    request: SummaryRequest, judgement: Judgement, key: str, folder: Path, path: Path | None = None
) -> str:
    """One plan's SUMMARY, with a `## Mutation Check` when --with-mutations asks for one or
    the newest `regress mutate` checked the same code."""
    text = run_summary(judgement, key, folder, path)
    record = judgement.record
    plan = next(p for p in record.plans if key == f"{p.phase}/{p.plan}")
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


def _selected(record: RunRecord, phase: str | None) -> tuple[str, ...]:
    """The run's plan keys (manifest order) that --phase names: a phase number, a slug, or
    <slug>/<plan> for one plan of a phase with several."""
    keys = plan_keys(record)
    if not keys:
        raise RegressError(f"run {record.run_id} covers no plan: run `regress run` again")
    if phase is None:
        return keys
    chosen = tuple(k for k in keys if phase in (k, k.split("/")[0], k.split("-")[0]))
    if not chosen:
        raise RegressError(
            f"--phase {phase}: run {record.run_id} has no such plan (plans: {', '.join(keys)})"
        )
    return chosen


def _others_note(request: SummaryRequest, record: RunRecord, keys: tuple[str, ...]) -> str:
    """ "run X covers 2 plans; this is A; for B: regress summary ..." (one line), or ""."""
    if len(keys) < 2:
        return ""
    common = ["regress", "summary", "--run", record.run_id]
    if request.manifest != Path(DEFAULT_MANIFEST):
        common += ["--manifest", str(request.manifest)]
    if request.reports is not None:
        common += ["--reports", str(request.reports)]
    slugs = [key.split("/")[0] for key in plan_keys(record)]
    others = "; ".join(
        f"for {key}: {shlex.join([*common, '--phase', _phase_option(key, slugs)])}"
        for key in keys[1:]
    )
    # plans of two phases may share a number (73-02 twice): the slug tells them apart
    return f"run {record.run_id} covers {len(keys)} plans; this is {keys[0]}; {others}"


def _phase_option(key: str, slugs: list[str]) -> str:
    """The --phase value that names just this plan: its slug, or the key when the run has
    several plans of that phase."""
    slug = key.split("/", maxsplit=1)[0]
    return slug if slugs.count(slug) == 1 else key


def _write(path: Path, text: str) -> None:
    """Write a SUMMARY atomically: on any error the file keeps its old content."""
    if path.is_dir():
        raise RegressError(f"{path} is a folder: name the SUMMARY file to write")
    if not path.parent.is_dir():
        raise RegressError(f"{path}: no folder {path.parent}; create it or write elsewhere")
    try:
        write_text_atomic(path, text)
    except OSError as exc:
        raise RegressError(f"cannot write {path}: {exc.strerror or exc}") from None

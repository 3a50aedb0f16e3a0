"""Where a plan's GSD SUMMARY lives: plan keys, file names, and folders in a run and in GSD."""

from __future__ import annotations

import os
from pathlib import Path

from regress.errors import RegressError
from regress.judging.results import RunRecord


def plan_keys(record: RunRecord) -> tuple[str, ...]:
    """The "<phase slug>/<plan>" keys of the plans in the run, in manifest order."""
    return tuple(f"{plan.phase}/{plan.plan}" for plan in record.plans)


def split_key(plan_key: str) -> tuple[str, str]:
    """ "73-some-phase/02" -> ("73-some-phase", "02"); a RegressError for anything else."""
    phase, sep, plan = plan_key.partition("/")
    if not sep or not phase or not plan or "/" in plan:
        raise RegressError(f"{plan_key!r} is not a plan key: write it as <phase slug>/<plan>")
    return phase, plan


def summary_filename(plan_key: str) -> str:
    """GSD file name of a plan's summary: "73-some-phase/02" -> 73-02-SUMMARY.md."""
    phase, plan = split_key(plan_key)
    return f"{phase.split('-', 1)[0]}-{plan}-SUMMARY.md"


def summary_relpath_in_run(plan_key: str) -> str:
    """Where `regress run` writes a plan's summary inside the run folder: one folder per phase
    slug, since plans of different phases may share a number (two 73-02 plans)."""
    phase, _ = split_key(plan_key)
    return f"{phase}/{summary_filename(plan_key)}"


def summary_relpath(plan_key: str) -> str:
    """Where GSD keeps a plan's summary, relative to the project root."""
    phase, _ = split_key(plan_key)
    return f".planning/phases/{phase}/{summary_filename(plan_key)}"


def project_relative(path: Path, root: Path) -> str:
    """A path as a SUMMARY names it: relative to the project root (../x for a folder beside
    it, as GSD resolves paths from there), absolute only on another drive."""
    try:
        return Path(os.path.relpath(path.resolve(), root.resolve())).as_posix()
    except ValueError:  # another drive (Windows): no relative path exists
        return path.resolve().as_posix()

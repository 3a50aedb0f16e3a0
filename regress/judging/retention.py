"""Keeping a reports folder bounded: which old runs to remove, and removing them whole."""

from __future__ import annotations

import secrets
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from regress.judging.history import latest_run_id, list_runs, run_dir


@dataclass(frozen=True)
class Pruned:
    """What pruning did to a reports folder."""

    folder: Path
    keep: int
    removed: tuple[str, ...]  # oldest first
    spared: tuple[tuple[str, str], ...]  # (run id, why) old runs left in place
    failed: tuple[tuple[str, str], ...] = ()  # (run id, error) runs that could not be removed
    total: int = 0  # runs before pruning


def prune_runs(reports: Path, keep: int, in_progress: Mapping[str, str]) -> Pruned:
    """Remove all but the newest `keep` runs, never the latest one nor one in progress.

    Args:
        reports: the reports folder.
        keep: how many of the newest runs stay (at least 1).
        in_progress: run id -> why it must stay (runs still being written).

    Returns:
        The runs removed, spared and failed.
    """
    runs = list_runs(reports)
    protected = dict(in_progress)
    latest = latest_run_id(reports)
    if latest:
        protected.setdefault(latest, "the latest run")
    if runs:
        protected.setdefault(runs[-1], "the newest run")
    removed, spared, failed = [], [], []
    for run_id in runs[: max(len(runs) - keep, 0)]:
        if run_id in protected:
            spared.append((run_id, protected[run_id]))
            continue
        try:
            remove_run(reports, run_id)
        except OSError as exc:
            failed.append((run_id, f"{exc.strerror or exc}"))
        else:
            removed.append(run_id)
    return Pruned(reports, keep, tuple(removed), tuple(spared), tuple(failed), len(runs))


def pruned_lines(pruned: Pruned) -> list[str]:
    """What `regress prune` (or a run with `keep` set) did, one line per kind of outcome."""
    lines = []
    if pruned.removed:
        lines.append(
            f"removed {len(pruned.removed)} old run(s) from {pruned.folder} "
            f"(keeping the newest {pruned.keep}): {', '.join(pruned.removed)}"
        )
    else:
        lines.append(
            f"nothing to remove: {pruned.total} run(s) in {pruned.folder}, keeping {pruned.keep}"
        )
    lines += [f"kept {run_id}: {why}" for run_id, why in pruned.spared]
    lines += [f"could not remove {run_id}: {error}" for run_id, error in pruned.failed]
    return lines


def remove_run(reports: Path, run_id: str) -> None:
    """Delete one run's folder: renamed aside first, so no half-removed run is ever listed."""
    directory = run_dir(reports, run_id)
    if directory.is_symlink() or not directory.is_dir():
        raise NotADirectoryError(20, "not a run folder", str(directory))
    aside = reports / f".{run_id}.{secrets.token_hex(4)}.removing"
    directory.rename(aside)
    shutil.rmtree(aside)

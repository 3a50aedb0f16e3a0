"""`regress prune`: remove old runs from the reports folder (never the latest, never one in
progress); also run after every finished `regress run` when the manifest sets `keep`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from regress.commands.common import reports_folder
from regress.errors import RegressError
from regress.judging.retention import Pruned, prune_runs
from regress.manifest.load import load_manifest
from regress.proc.lock import runs_in_progress


@dataclass(frozen=True)
class PruneRequest:
    """`regress prune` as the user asked for it."""

    manifest: Path
    keep: int | None = None  # None: the manifest's `keep`
    reports: Path | None = None


def prune(request: PruneRequest) -> Pruned:
    """Keep the newest N runs (--keep, else the manifest's `keep`) and remove the rest.

    Raises:
        RegressError: neither --keep nor `keep` gives N, or N is not positive.
    """
    keep = request.keep
    if keep is None:
        keep = load_manifest(request.manifest).keep
        if keep is None:
            raise RegressError(
                f"regress prune: how many runs to keep? pass --keep N or set `keep: N` in "
                f"{request.manifest}"
            )
    if keep < 1:
        raise RegressError(f"--keep {keep}: give a positive number of runs to keep, e.g. --keep 20")
    return prune_folder(reports_folder(request.reports, request.manifest), keep)


def prune_folder(folder: Path, keep: int) -> Pruned:
    """Remove all but the newest `keep` runs of folder; runs in progress are never removed."""
    in_progress = dict.fromkeys(runs_in_progress(folder), "in progress")
    return prune_runs(folder, keep, in_progress)

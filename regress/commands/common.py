"""What several commands share: the manifest selection and the reports folder they work on."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from regress.manifest.load import load_manifest
from regress.manifest.select import Selection, select


def selection_for(
    manifest: Path,
    phases: Sequence[str] = (),
    suites: Sequence[str] = (),
    params: tuple[tuple[str, str], ...] = (),
) -> Selection:
    """Load the manifest and select plans and suites (parameter overrides applied)."""
    loaded = load_manifest(manifest)
    return select(loaded, phases=tuple(phases), suites=tuple(suites), params=params)


def reports_folder(reports: Path | None, manifest: Path) -> Path:
    """--reports, or reports/ beside the manifest."""
    return reports if reports is not None else manifest.resolve().parent / "reports"

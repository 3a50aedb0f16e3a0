"""`regress parity`: which columns to ignore, from --exclude or the manifest's parity.exclude."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from regress.manifest import DEFAULT_MANIFEST


def excluded_columns(
    exclude: Sequence[str] | None, manifest: Path | None
) -> tuple[str, ...] | None:
    """--exclude when given; else the manifest's parity.exclude (of --manifest, or of
    ./suites.yaml when there is one); None (regress.parity's defaults) when neither names any.

    A --manifest that cannot be read is an error; the parity of two files needs no manifest,
    so a missing ./suites.yaml is not.
    """
    if exclude is not None:
        return tuple(exclude)
    path = manifest if manifest is not None else Path(DEFAULT_MANIFEST)
    if manifest is None and not path.is_file():
        return None
    from regress.manifest.load import load_manifest  # noqa: PLC0415 - YAML only with a manifest

    return load_manifest(path).parity_exclude or None

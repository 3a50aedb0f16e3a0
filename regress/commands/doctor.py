"""`regress doctor`: is this machine ready to run the manifest's suites?"""

from __future__ import annotations

from pathlib import Path

from regress.commands.common import reports_folder
from regress.proc.doctor import Check, run_checks


def doctor(manifest: Path, reports: Path | None, *, headed: bool) -> tuple[Check, ...]:
    """Every check, in the order a newcomer should fix them."""
    return run_checks(manifest, reports_folder(reports, manifest), headed=headed)

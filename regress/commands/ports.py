"""`regress ports`: who listens on each manifest port, and whether regress started it."""

from __future__ import annotations

from pathlib import Path

from regress.commands.common import reports_folder
from regress.manifest.load import load_manifest
from regress.proc.ledger import Ledger
from regress.proc.ports import Holder, listeners


def port_holders(manifest: Path, reports: Path | None) -> tuple[dict[int, str], tuple[Holder, ...]]:
    """(port -> suite, the listeners on those ports)."""
    loaded = load_manifest(manifest)
    ledger = Ledger.in_reports(reports_folder(reports, manifest))
    wanted: dict[int, str] = {}
    for suite in loaded.suites:
        for port in suite.ports:
            wanted[port] = f"{wanted[port]}, {suite.name}" if port in wanted else suite.name
    return wanted, listeners(sorted(wanted), ledger=ledger)

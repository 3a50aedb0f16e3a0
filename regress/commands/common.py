"""What several commands share: the manifest selection, the reports folder they work on, and
SIGINT/SIGTERM turned into an exception."""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import FrameType

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


_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@contextlib.contextmanager
def interrupts(exception: type[BaseException]) -> Iterator[None]:
    """SIGINT and SIGTERM raise `exception` in the main thread, once. After the first one both
    stay ignored for the rest of the process, so a second Ctrl-C cannot cut short the cleanup,
    the partial record or the table; without a signal the old handlers are restored."""
    received: list[int] = []

    def handler(signum: int, frame: FrameType | None) -> None:
        del frame
        for sig in _SIGNALS:
            signal.signal(sig, signal.SIG_IGN)
        received.append(signum)
        raise exception(signal.Signals(signum).name)

    previous = {sig: signal.signal(sig, handler) for sig in _SIGNALS}
    try:
        yield
    finally:
        if not received:
            for sig, old in previous.items():
                signal.signal(sig, old)

"""A virtual X display (Xvfb) for headed browser runs on a machine without a screen."""

from __future__ import annotations

import contextlib
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

from regress.errors import RegressError
from regress.proc import popen

SOCKET_DIR = Path("/tmp/.X11-unix")
FIRST_DISPLAY = 99
READY_SECONDS = 10.0


def _free_display() -> int:
    for number in range(FIRST_DISPLAY, FIRST_DISPLAY + 100):
        if not (SOCKET_DIR / f"X{number}").exists() and not Path(f"/tmp/.X{number}-lock").exists():
            return number
    raise RegressError("no free X display number between :99 and :198; stop stale Xvfb servers")


@contextlib.contextmanager
def virtual_display(
    headed: bool, log_dir: Path | None = None
) -> Iterator[tuple[tuple[str, str], ...]]:
    """Yield extra environment for headed runs: nothing when a display exists or the run is
    headless, else DISPLAY of an Xvfb started now and stopped after."""
    if not headed or os.environ.get("DISPLAY"):
        yield ()
        return
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        raise RegressError(
            "--headed needs a display: none is set and Xvfb is missing; "
            "install it (apt-get install -y xvfb) or run headless"
        )
    number = _free_display()
    log = (log_dir or Path(os.environ.get("TMPDIR", "/tmp"))) / f"xvfb-{number}.log"
    child = popen.spawn(
        [xvfb, f":{number}", "-screen", "0", "1280x1024x24", "-nolisten", "tcp"],
        cwd=Path.cwd(),
        env=dict(os.environ),
        log_path=log,
    )
    try:
        deadline = time.monotonic() + READY_SECONDS
        while not (SOCKET_DIR / f"X{number}").exists():
            if child.poll() is not None or time.monotonic() > deadline:
                raise RegressError(f"Xvfb :{number} did not start; see {log}")
            time.sleep(0.02)
        yield (("DISPLAY", f":{number}"),)
    finally:
        popen.stop(child, grace=2.0)

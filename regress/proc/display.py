"""A virtual X display (Xvfb) for headed browser runs on a machine without a screen.

Xvfb picks a free display itself (`-displayfd`) and writes its number once it accepts
connections, so there is no guessing of display numbers and no race on /tmp/.X11-unix.
"""

from __future__ import annotations

import contextlib
import os
import select
import shutil
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

from regress.errors import RegressError
from regress.proc import popen
from regress.proc.ledger import ROLE_ENV, TOKEN_ENV, Ledger

READY_SECONDS = 10.0
XVFB_ROLE = "xvfb"


@contextlib.contextmanager
def virtual_display(
    headed: bool,
    *,
    log_dir: Path | None = None,
    ledger: Ledger | None = None,
    run_id: str = "",
    token: str = "",
    env: Mapping[str, str] | None = None,
) -> Iterator[tuple[tuple[str, str], ...]]:
    """Yield extra environment for headed runs: nothing when a display exists or the run is
    headless, else DISPLAY of an Xvfb started now (carrying the run token, recorded in the
    ledger) and always stopped after."""
    if not headed or (env if env is not None else os.environ).get("DISPLAY"):
        yield ()
        return
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        raise RegressError(
            "a headed browser needs a display: none is set and Xvfb is missing; "
            "install it (apt-get install -y xvfb) or run headless"
        )
    log = (log_dir or Path(os.environ.get("TMPDIR", "/tmp"))) / "xvfb.log"
    child_env = {**(env if env is not None else os.environ)}
    if token:
        child_env.update({TOKEN_ENV: token, ROLE_ENV: XVFB_ROLE})
    read_end, write_end = os.pipe()
    try:
        child = popen.spawn(
            [
                xvfb,
                "-displayfd",
                str(write_end),
                "-screen",
                "0",
                "1280x1024x24",
                "-nolisten",
                "tcp",
            ],
            cwd=Path.cwd(),
            env=child_env,
            log_path=log,
            pass_fds=(write_end,),
        )
    finally:
        os.close(write_end)
    try:
        if ledger is not None:
            ledger.record(
                pid=child.pid,
                create_time=child.create_time,
                port=0,
                run_id=run_id,
                token=token,
                argv=child.argv,
                role=XVFB_ROLE,
            )
        number = _display_number(read_end, child, log)
        yield (("DISPLAY", f":{number}"),)
    finally:
        os.close(read_end)
        popen.stop(child, grace=2.0)
        if ledger is not None:
            ledger.forget(child.pid)


def _display_number(read_end: int, child: popen.Child, log: Path) -> str:
    """The display number Xvfb writes to -displayfd when it is ready."""
    deadline = time.monotonic() + READY_SECONDS
    data = b""
    while not data.endswith(b"\n"):
        remaining = deadline - time.monotonic()
        if remaining <= 0 or child.poll() is not None:
            raise RegressError(f"Xvfb did not start within {READY_SECONDS:g}s; see {log}")
        ready, _, _ = select.select([read_end], [], [], min(remaining, 0.1))
        if ready:
            chunk = os.read(read_end, 16)
            if not chunk:
                raise RegressError(f"Xvfb exited before it was ready; see {log}")
            data += chunk
    return data.decode().strip()

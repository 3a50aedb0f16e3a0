"""Find a usable Chromium (Debian's, or one named by $REGRESS_CHROMIUM) for Playwright."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

CHROMIUM_ENV = "REGRESS_CHROMIUM"
CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# Quiet, sandbox-free flags for a machine whose only network is loopback: without the
# background-networking flags Chromium keeps dialling Google services that cannot answer.
CHROMIUM_ARGS = (
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
)


def find_chromium() -> Path | None:
    """$REGRESS_CHROMIUM if set (even if wrong: the caller reports it), else the first on PATH."""
    override = os.environ.get(CHROMIUM_ENV)
    if override:
        return Path(override)
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return Path(found)
    return None


def launch_args(base: dict[str, Any]) -> dict[str, Any]:
    """Playwright launch arguments with the system Chromium, when one is found."""
    executable = find_chromium()
    if executable is None:
        return base
    args = [*base.get("args", []), *CHROMIUM_ARGS]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--no-sandbox")  # Chromium refuses to start its sandbox as root
    return {**base, "executable_path": str(executable), "args": args}

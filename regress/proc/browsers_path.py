"""A Playwright browsers folder whose Chromium is the system one, for the project's own fixtures.

pytest-playwright's `browser` fixture launches the Chromium build its Playwright package names
(`chromium-<revision>` under $PLAYWRIGHT_BROWSERS_PATH, default ~/.cache/ms-playwright) and
fails with "Executable doesn't exist" when none was downloaded. Rather than edit the project,
regress hands its pytest processes a folder laid out as Playwright expects, whose executables
are links to Debian's Chromium. Left alone: a browsers path the user set, and a download that
is already complete.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from regress.proc.browser import find_chromium

BROWSERS_ENV = "PLAYWRIGHT_BROWSERS_PATH"
MARKER = "INSTALLATION_COMPLETE"
# Playwright's folder and executable per browser name in browsers.json (Linux x64 layout).
LAYOUT = {
    "chromium": ("chromium", "chrome-linux64/chrome"),
    "chromium-headless-shell": (
        "chromium_headless_shell",
        "chrome-headless-shell-linux64/chrome-headless-shell",
    ),
}


@dataclass(frozen=True)
class BrowsersPath:
    """What the pytest process is given: extra environment, and a line saying why."""

    env: tuple[tuple[str, str], ...]
    detail: str


def playwright_revisions() -> dict[str, str]:
    """Browser name -> revision the installed Playwright package launches ({} without it)."""
    try:
        import playwright  # noqa: PLC0415 - optional: only projects using Playwright have it
    except ImportError:
        return {}
    listing = Path(playwright.__file__).parent / "driver" / "package" / "browsers.json"
    try:
        data = json.loads(listing.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {
        str(entry["name"]): str(entry["revision"])
        for entry in data.get("browsers", [])
        if entry.get("name") in LAYOUT and "revision" in entry
    }


def default_browsers_dir(environ: Mapping[str, str]) -> Path:
    """Where Playwright looks when $PLAYWRIGHT_BROWSERS_PATH is unset."""
    cache = environ.get("XDG_CACHE_HOME") or str(Path(environ.get("HOME", "~")) / ".cache")
    return Path(cache).expanduser() / "ms-playwright"


def system_browsers(directory: Path, environ: Mapping[str, str] | None = None) -> BrowsersPath:
    """Lay out directory as a Playwright browsers folder pointing at the system Chromium, and
    return the environment that makes Playwright use it (nothing when the user's own setting
    or download already works, or when there is nothing to point at)."""
    environ = os.environ if environ is None else environ
    if environ.get(BROWSERS_ENV):
        return BrowsersPath((), f"{BROWSERS_ENV}={environ[BROWSERS_ENV]} (set by you)")
    revisions = playwright_revisions()
    if not revisions:
        return BrowsersPath((), "playwright is not installed")
    downloaded = default_browsers_dir(environ)
    if all((downloaded / f"{LAYOUT[n][0]}-{r}" / MARKER).exists() for n, r in revisions.items()):
        return BrowsersPath((), f"Playwright's own download in {downloaded}")
    chromium = find_chromium()
    if chromium is None or not chromium.exists():
        return BrowsersPath((), f"no system Chromium ({chromium or 'none on PATH'})")
    target = chromium.resolve()
    for name, revision in revisions.items():
        folder, executable = LAYOUT[name]
        link = directory / f"{folder}-{revision}" / executable
        link.parent.mkdir(parents=True, exist_ok=True)
        if link.is_symlink() or link.exists():
            link.unlink()
        link.symlink_to(target)
        (directory / f"{folder}-{revision}" / MARKER).touch()
    return BrowsersPath(((BROWSERS_ENV, str(directory)),), f"{target} as Playwright's chromium")

"""`regress doctor`: is this machine ready to run the manifest's suites?"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from regress.errors import RegressError
from regress.proc.browser import CHROMIUM_ENV, find_chromium
from regress.proc.browsers_path import system_browsers
from regress.proc.causes import known_cause
from regress.proc.interpreter import with_interpreter
from regress.proc.popen import capture

PACKAGES = (
    "typer",
    "rich",
    "yaml",
    "psutil",
    "pandas",
    "pytest",
    "playwright",
    "pytest_playwright",
    "pytest_timeout",
    "flask",
    "flask_sock",
)


@dataclass(frozen=True)
class Check:
    """One doctor check: what was checked, whether it is fine, and the fix if not."""

    name: str
    ok: bool
    detail: str
    fix: str = ""


def run_checks(manifest: Path, reports: Path, *, headed: bool) -> tuple[Check, ...]:
    """Every check, in the order a newcomer should fix them."""
    checks = [_packages(), _chromium()]
    playwright = importlib.util.find_spec("pytest_playwright") is not None
    if playwright:
        checks.append(_playwright_launch())
    if headed or playwright:  # a project's own fixtures may launch headed: Xvfb is started
        checks.append(_xvfb())
    checks += [_manifest_ports(manifest, reports), _reports_writable(reports)]
    return tuple(checks)


def _packages() -> Check:
    missing = [name for name in PACKAGES if importlib.util.find_spec(name) is None]
    if missing:
        return Check("python packages", False, f"missing: {', '.join(missing)}", "pip install -e .")
    return Check("python packages", True, f"{len(PACKAGES)} packages importable")


def _chromium() -> Check:
    found = find_chromium()
    fix = f"apt-get install -y chromium, or set {CHROMIUM_ENV}=/path/to/chromium"
    if found is None:
        return Check("chromium", False, "no chromium on PATH", fix)
    done = capture([str(found), "--version"], timeout=30)
    if done.returncode is None:
        return Check("chromium", False, f"{found}: {done.error}", fix)
    if done.returncode != 0:
        return Check("chromium", False, f"{found} --version exited {done.returncode}", fix)
    return Check("chromium", True, f"{found}: {done.stdout.strip()}")


# What pytest-playwright's `browser` fixture does, in the environment `regress run` gives it.
_LAUNCH = """
from playwright.sync_api import sync_playwright
with sync_playwright() as playwright:
    browser = playwright.chromium.launch()
    print(browser.version)
    browser.close()
"""


def _playwright_launch() -> Check:
    name = "playwright chromium"
    with tempfile.TemporaryDirectory(prefix="regress-doctor-") as folder:
        browsers = system_browsers(Path(folder))
        env = with_interpreter({**os.environ, **dict(browsers.env)})
        done = capture([sys.executable, "-c", _LAUNCH], timeout=60, env=env)
    fix = f"apt-get install -y chromium, or set {CHROMIUM_ENV}=/path/to/chromium"
    if done.returncode != 0:
        why = (
            known_cause([done.error, done.stdout]) or (done.error.strip().splitlines() or ["?"])[-1]
        )
        return Check(name, False, f"launching as pytest-playwright does: {why}", fix)
    return Check(name, True, f"launches {done.stdout.strip()} via {browsers.detail}")


def _xvfb() -> Check:
    if os.environ.get("DISPLAY"):
        return Check("display", True, f"DISPLAY={os.environ['DISPLAY']}")
    found = shutil.which("Xvfb")
    if found is None:
        return Check(
            "xvfb", False, "no DISPLAY and no Xvfb for --headed", "apt-get install -y xvfb"
        )
    return Check("xvfb", True, f"{found} (started for headed runs)")


def _manifest_ports(manifest: Path, reports: Path) -> Check:
    from regress.manifest.load import load_manifest  # noqa: PLC0415
    from regress.proc.ledger import Ledger  # noqa: PLC0415 - psutil only when checking ports
    from regress.proc.ports import listeners  # noqa: PLC0415

    try:
        loaded = load_manifest(manifest)
    except RegressError as exc:
        return Check("manifest", False, exc.message, f"fix {manifest} or pass --manifest PATH")
    ports = sorted({port for suite in loaded.suites for port in suite.ports})
    holders = listeners(ports, ledger=Ledger(reports / ".regress" / "ledger.json"))
    foreign = [h for h in holders if not h.ours]
    if foreign:
        return Check(
            "ports",
            False,
            "; ".join(h.describe() for h in foreign),
            "stop those processes, or run with --force-ports",
        )
    ours = f" ({len(holders)} held by earlier regress runs, freed at start)" if holders else ""
    return Check("ports", True, f"{len(ports)} manifest ports usable{ours}")


def _reports_writable(reports: Path) -> Check:
    try:
        reports.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=reports, prefix=".doctor-"):
            pass
    except OSError as exc:
        return Check(
            "reports", False, f"{reports}: {exc}", f"make {reports} writable or pass --reports"
        )
    return Check("reports", True, f"{reports} writable")

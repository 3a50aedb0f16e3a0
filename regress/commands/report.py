"""`regress report` and `regress show-report`: (re)render a run's HTML report, open it, serve it.

The report of any recorded run can be rendered again from its run.json (older runs too); the
reports folder is served on 127.0.0.1 so traces, screenshots and logs open with one click.
"""

from __future__ import annotations

import errno
import functools
import os
import sys
import webbrowser
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from regress.commands.common import reports_folder
from regress.errors import RegressError
from regress.judging.history import load_record
from regress.judging.judge import judge
from regress.reporting.writers import html_path, write_html

DEFAULT_PORT = 9323
HOST = "127.0.0.1"


@dataclass(frozen=True)
class ReportRequest:
    """`regress report` / `regress show-report` as the user asked for them."""

    manifest: Path
    run_id: str | None = None
    reports: Path | None = None

    @property
    def reports_dir(self) -> Path:
        """The reports folder the run is read from."""
        return reports_folder(self.reports, self.manifest)


@dataclass(frozen=True)
class Rendered:
    """A written report: its run, path, and path relative to the reports folder."""

    run_id: str
    path: Path
    relative: str


def render_report(request: ReportRequest) -> Rendered:
    """Render the run's index.html from its run.json (the latest run by default)."""
    folder = request.reports_dir
    record = load_record(folder, request.run_id)
    path = html_path(folder, record.run_id)
    try:
        write_html(judge(record), folder)
    except OSError as exc:
        raise RegressError(
            f"cannot write {path}: {exc.strerror or exc}; check that the run folder is writable"
        ) from None
    return Rendered(record.run_id, path, f"{record.run_id}/{path.name}")


def has_desktop_browser() -> bool:
    """Whether a graphical browser can be opened here (macOS, Windows, or a Linux display)."""
    if sys.platform in ("darwin", "win32"):
        return True
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        return False
    try:
        webbrowser.get()
    except webbrowser.Error:
        return False
    return True


def open_report(path: Path) -> bool:
    """Open the file in the desktop's browser; False when there is none."""
    if not has_desktop_browser():
        return False
    return webbrowser.open(path.resolve().as_uri())


class _Quiet(SimpleHTTPRequestHandler):
    """Serves files; logs nothing (the command prints the URL once)."""

    def log_message(self, format: str, *args: Any) -> None:  # http.server's naming
        del format, args


def report_server(folder: Path, port: int) -> ThreadingHTTPServer:
    """A threaded HTTP server of the reports folder on 127.0.0.1:port (not yet serving).

    Raises:
        RegressError: the port is in use or cannot be bound (exit 2).
    """
    if not folder.is_dir():
        raise RegressError(f"{folder} does not exist: run `regress run` first")
    handler = functools.partial(_Quiet, directory=str(folder))
    try:
        return ThreadingHTTPServer((HOST, port), handler)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise RegressError(
                f"--port {port}: {HOST}:{port} is already in use; pick another with --port"
            ) from None
        raise RegressError(f"--port {port}: cannot listen on {HOST}:{port}: {exc}") from None

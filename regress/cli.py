"""The `regress` command line: thin Typer commands over the core functions."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from regress import __version__
from regress.errors import RegressError
from regress.manifest.load import DEFAULT_MANIFEST

app = typer.Typer(
    name="regress",
    help="Regression validation runner for multiplayer browser experiments.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

ManifestOpt = Annotated[
    Path, typer.Option("--manifest", "-m", help="Manifest file.", dir_okay=False)
]
PhaseOpt = Annotated[
    list[str] | None,
    typer.Option("--phase", "-p", help="Phase number (73: every plan of phase 73) or slug."),
]
SuiteOpt = Annotated[list[str] | None, typer.Option("--suite", "-s", help="Suite name.")]
ReportsOpt = Annotated[
    Path | None,
    typer.Option("--reports", help="Reports folder (default: reports/ beside the manifest)."),
]
DebugOpt = Annotated[bool, typer.Option("--debug", help="Show tracebacks.")]


@dataclass(frozen=True)
class State:
    """Options shared by every command."""

    debug: bool = False


PIPE_WIDTH = 120  # rich's 80-column default wraps the table badly in CI logs and files


def _console() -> Console:
    piped = not sys.stdout.isatty() and "COLUMNS" not in os.environ
    return Console(highlight=False, width=PIPE_WIDTH if piped else None)


def _errors() -> Console:
    return Console(stderr=True, highlight=False)


def _fail(exc: RegressError, debug: bool) -> NoReturn:
    if debug:
        _errors().print_exception()
    _errors().print(f"[bold red]error:[/] {escape(exc.message)}", markup=True, soft_wrap=True)
    raise typer.Exit(exc.exit_code)


@contextlib.contextmanager
def _user_errors(debug: bool) -> Iterator[None]:
    """The one place RegressError becomes a one-line message and an exit code."""
    try:
        yield
    except RegressError as exc:
        _fail(exc, debug)


@app.command()
def run(
    manifest: ManifestOpt = Path(DEFAULT_MANIFEST),
    phase: PhaseOpt = None,
    suite: SuiteOpt = None,
    stagger: Annotated[
        float | None, typer.Option(help="Arrival stagger in seconds (sets the 'stagger' param).")
    ] = None,
    param: Annotated[
        list[str] | None, typer.Option("--param", help="Suite parameter NAME=VALUE.")
    ] = None,
    no_combined: Annotated[
        bool, typer.Option("--no-combined", help="Skip the combined pass.")
    ] = False,
    combined_only: Annotated[
        bool, typer.Option("--combined-only", help="Skip the isolation pass.")
    ] = False,
    force_ports: Annotated[
        bool,
        typer.Option("--force-ports", help="Also stop port holders regress did not start."),
    ] = False,
    headed: Annotated[
        bool, typer.Option("--headed", help="Show browsers (Xvfb if no display).")
    ] = False,
    browser: Annotated[
        str | None, typer.Option("--browser", help="Browser for pytest-playwright.")
    ] = None,
    pytest_arg: Annotated[
        list[str] | None, typer.Option("--pytest-arg", help="Extra argument for pytest.")
    ] = None,
    reports: ReportsOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Run the selected suites in isolation, then together, and report per requirement."""
    from regress.commands.run import RunRequest, run  # noqa: PLC0415 - only runs need it
    from regress.judging.judge import judge  # noqa: PLC0415
    from regress.reporting.progress import LiveProgress  # noqa: PLC0415
    from regress.reporting.table import render_run  # noqa: PLC0415

    request = RunRequest(
        manifest=manifest,
        phases=tuple(phase or ()),
        suites=tuple(suite or ()),
        stagger=stagger,
        params=tuple(param or ()),
        no_combined=no_combined,
        combined_only=combined_only,
        force_ports=force_ports,
        headed=headed,
        browser=browser,
        pytest_args=tuple(pytest_arg or ()),
        reports=reports,
    )
    with _user_errors(debug):
        console = _console()
        with LiveProgress(console) as progress:
            record = run(request, progress)
        console.print(render_run(judge(record)))
        # one line whatever the width: the path is for copying
        console.print(escape(f"Report: {request.reports_dir / record.run_id}"), soft_wrap=True)
    raise typer.Exit(record.exit_code or 0)


@app.command()
def summary(
    run_id: Annotated[str | None, typer.Option("--run", help="Run id (default: latest).")] = None,
    phase: Annotated[
        str | None, typer.Option("--phase", "-p", help="Phase slug or number of the plan.")
    ] = None,
    manifest: ManifestOpt = Path(DEFAULT_MANIFEST),
    reports: ReportsOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Print the GSD SUMMARY of a run to stdout."""
    from regress.commands.summary import SummaryRequest  # noqa: PLC0415
    from regress.commands.summary import summary as plan_summary  # noqa: PLC0415

    with _user_errors(debug):
        text = plan_summary(SummaryRequest(manifest, run_id, phase, reports))
        sys.stdout.write(text)


@app.command(name="list")
def list_(
    manifest: ManifestOpt = Path(DEFAULT_MANIFEST),
    phase: PhaseOpt = None,
    suite: SuiteOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Show plans, suites, requirements, expected tests and servers; runs nothing."""
    from regress.commands.common import selection_for  # noqa: PLC0415
    from regress.reporting.listing import render_selection  # noqa: PLC0415

    with _user_errors(debug):
        selection = selection_for(manifest, phase or (), suite or ())
        _console().print(render_selection(selection))


@app.command()
def init(
    manifest: ManifestOpt = Path(DEFAULT_MANIFEST),
    debug: DebugOpt = False,
) -> None:
    """Write a first manifest: suites from the collected tests, ports from the conftests,
    plans and requirements from .planning/phases/*/*-PLAN.md."""
    from regress.commands.init import init as propose  # noqa: PLC0415
    from regress.reporting.listing import render_init  # noqa: PLC0415

    with _user_errors(debug):
        _console().print(render_init(propose(manifest)))


@app.command()
def inventory(
    manifest: ManifestOpt = Path(DEFAULT_MANIFEST),
    suite: SuiteOpt = None,
    write: Annotated[
        bool, typer.Option("--write", help="Write the collected ids as the suites' expected.")
    ] = False,
    debug: DebugOpt = False,
) -> None:
    """Collect each suite's tests with pytest and compare them with its expected tests."""
    from regress.commands.inventory import inventory as collect  # noqa: PLC0415
    from regress.reporting.listing import render_inventory  # noqa: PLC0415

    with _user_errors(debug):
        found = collect(manifest, suite or (), write=write)
        _console().print(render_inventory(found, written=write))


@app.command()
def ports(
    manifest: ManifestOpt = Path(DEFAULT_MANIFEST),
    reports: ReportsOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Show who holds the manifest's ports (and whether regress started them)."""
    from regress.commands.ports import port_holders  # noqa: PLC0415
    from regress.reporting.listing import render_ports  # noqa: PLC0415

    with _user_errors(debug):
        wanted, holders = port_holders(manifest, reports)
        _console().print(render_ports(wanted, holders))


@app.command()
def parity(
    paths: Annotated[list[Path], typer.Argument(help="Two CSV exports, or one data folder.")],
    exclude: Annotated[
        list[str] | None,
        typer.Option("--exclude", help="Column to ignore (repeatable; replaces the defaults)."),
    ] = None,
    row_tolerance: Annotated[
        int, typer.Option("--row-tolerance", min=0, help="Allowed row-count difference.")
    ] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
    debug: DebugOpt = False,
) -> None:
    """Compare two players' exports (or every pair in a data folder): exit 0 identical,
    1 divergent, 2 unusable input."""
    from regress.parity.report import run_parity_command  # noqa: PLC0415

    with _user_errors(debug):
        code = run_parity_command(paths, exclude, row_tolerance, as_json, _console())
    raise typer.Exit(code)


@app.command()
def doctor(
    manifest: ManifestOpt = Path(DEFAULT_MANIFEST),
    headed: Annotated[bool, typer.Option("--headed", help="Also check Xvfb.")] = False,
    reports: ReportsOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Check packages, Chromium, Xvfb, ports and reports/; each problem with a one-line fix."""
    from regress.commands.doctor import doctor as run_doctor  # noqa: PLC0415
    from regress.reporting.listing import render_checks  # noqa: PLC0415

    with _user_errors(debug):
        checks = run_doctor(manifest, reports, headed=headed)
        _console().print(render_checks(checks))
    raise typer.Exit(0 if all(check.ok for check in checks) else 1)


def _version(value: bool) -> None:
    if value:
        _console().print(f"regress {__version__}")
        raise typer.Exit()


@app.callback()
def main_callback(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show version.")
    ] = False,
) -> None:
    """regress: isolation + combined regression passes with a GSD SUMMARY."""
    del version


def main() -> None:
    """Console script entry point."""
    app()

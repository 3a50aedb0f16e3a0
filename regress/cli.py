"""The `regress` command line: thin Typer commands over the core functions."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from regress import __version__
from regress.errors import RegressError
from regress.manifest import DEFAULT_MANIFEST

if TYPE_CHECKING:
    from rich.console import Console

# Start-up: each command imports what it uses inside its function (rich, YAML, psutil, numpy
# load only for the commands that need them); `regress --version` loads typer and no more.

if TYPE_CHECKING:
    from regress.judging.verdicts import Judgement

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
JunitOpt = Annotated[
    Path | None,
    typer.Option("--junit", help="Also write one JUnit XML of the whole run here.", dir_okay=False),
]
JsonOpt = Annotated[
    bool,
    typer.Option("--json", help="Print the run's summary as JSON on stdout (the rest on stderr)."),
]


@dataclass(frozen=True)
class State:
    """Options shared by every command."""

    debug: bool = False


PIPE_WIDTH = 120  # rich's 80-column default wraps the table badly in CI logs and files


def _console() -> Console:
    from rich.console import Console  # noqa: PLC0415 - see start-up, above

    piped = not sys.stdout.isatty() and "COLUMNS" not in os.environ
    return Console(highlight=False, width=PIPE_WIDTH if piped else None)


def _errors() -> Console:
    from rich.console import Console  # noqa: PLC0415 - see start-up, above

    return Console(stderr=True, highlight=False)


def _fail(exc: RegressError, debug: bool) -> NoReturn:
    if debug:
        _errors().print_exception()
    from rich.markup import escape  # noqa: PLC0415 - only on errors

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
    port_offset: Annotated[
        int,
        typer.Option(
            "--port-offset",
            help="Add K to every manifest port for this run (side-by-side runs on one machine).",
        ),
    ] = 0,
    shard: Annotated[
        str | None,
        typer.Option(
            "--shard", help="Run only shard I of N (I/N), split by last known suite durations."
        ),
    ] = None,
    jobs: Annotated[
        int,
        typer.Option(
            "--jobs", min=1, help="Isolation pass: up to N suites at a time (each still alone)."
        ),
    ] = 1,
    junit: JunitOpt = None,
    as_json: JsonOpt = False,
    keyword: Annotated[
        str | None,
        typer.Option(
            "-k", help="Only tests matching this pytest -k expression; others deselected."
        ),
    ] = None,
    test: Annotated[
        list[str] | None,
        typer.Option("--test", help="Only this node id (or file/folder); repeatable."),
    ] = None,
    last_failed: Annotated[
        bool, typer.Option("--last-failed", help="Only the tests that did not pass last run.")
    ] = False,
    failed_from: Annotated[
        str | None,
        typer.Option("--failed-from", help="Only the tests that did not pass in this run id."),
    ] = None,
    repeat: Annotated[
        int, typer.Option("--repeat", help="Run each suite (and the combined pass) N times.")
    ] = 1,
    fail_fast: Annotated[
        bool, typer.Option("--fail-fast", "-x", help="Stop at the first failing suite.")
    ] = False,
    debug: DebugOpt = False,
) -> None:
    """Run the selected suites in isolation, then together, and report per requirement."""
    from rich.markup import escape  # noqa: PLC0415

    from regress.commands.run import RunRequest, run  # noqa: PLC0415 - only runs need it
    from regress.judging.judge import judge  # noqa: PLC0415
    from regress.reporting.html import REPORT_FILE  # noqa: PLC0415
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
        port_offset=port_offset,
        shard=shard,
        jobs=jobs,
        keyword=keyword,
        tests=tuple(test or ()),
        last_failed=last_failed,
        failed_from=failed_from,
        repeat=repeat,
        fail_fast=fail_fast,
    )
    with _user_errors(debug):
        console = _errors() if as_json else _console()  # stdout is the JSON's alone
        with LiveProgress(console) as progress:
            record = run(request, progress)
        judgement = judge(record)
        console.print(render_run(judgement))
        report = request.reports_dir / record.run_id / REPORT_FILE
        # one line whatever the width: the path is for copying
        console.print(f"Report: {escape(str(report))}", soft_wrap=True)
        _machine_reports(judgement, request.reports_dir / record.run_id, junit, as_json)
    raise typer.Exit(record.exit_code or 0)


def _machine_reports(judgement: Judgement, report: Path, junit: Path | None, as_json: bool) -> None:
    """--junit and --json of `run` and `merge`."""
    from regress.reporting.json_out import render_json  # noqa: PLC0415
    from regress.reporting.junit_out import write_junit  # noqa: PLC0415

    if junit is not None:
        write_junit(judgement, junit)
    if as_json:
        sys.stdout.write(render_json(judgement, report))


@app.command()
def merge(
    folders: Annotated[
        list[Path],
        typer.Argument(help="Each shard's run folder (reports/<run-id>) or reports folder."),
    ],
    out: Annotated[
        Path, typer.Option("--out", help="Reports folder the merged run is written to.")
    ] = Path("reports"),
    junit: JunitOpt = None,
    as_json: JsonOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Merge the runs of every shard of a split run (--shard I/N) into one run and report it."""
    from rich.markup import escape  # noqa: PLC0415

    from regress.commands.merge import merge as merge_shards  # noqa: PLC0415
    from regress.judging.judge import judge  # noqa: PLC0415
    from regress.reporting.html import REPORT_FILE  # noqa: PLC0415
    from regress.reporting.table import render_run  # noqa: PLC0415

    with _user_errors(debug):
        record = merge_shards(folders, out)
        judgement = judge(record)
        console = _errors() if as_json else _console()
        console.print(render_run(judgement))
        report = out / record.run_id / REPORT_FILE
        console.print(f"Report: {escape(str(report))}", soft_wrap=True)
        _machine_reports(judgement, out / record.run_id, junit, as_json)
    raise typer.Exit(record.exit_code or 0)


@app.command()
def summary(
    run_id: Annotated[str | None, typer.Option("--run", help="Run id (default: latest).")] = None,
    phase: Annotated[
        str | None,
        typer.Option(
            "--phase",
            "-p",
            help="Plan to show: phase number, slug, or <slug>/<plan> (default: the first).",
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Write the SUMMARY to this file (atomically).", dir_okay=False
        ),
    ] = None,
    write: Annotated[
        bool,
        typer.Option(
            "--write",
            help="Write each plan's SUMMARY to .planning/phases/<phase-slug>/ (GSD projects).",
        ),
    ] = False,
    manifest: ManifestOpt = Path(DEFAULT_MANIFEST),
    reports: ReportsOpt = None,
    with_mutations: Annotated[
        bool,
        typer.Option(
            "--with-mutations", help="Add a Mutation Check from the newest `regress mutate`."
        ),
    ] = False,
    debug: DebugOpt = False,
) -> None:
    """Print the GSD SUMMARY of a run's first plan (or of --phase), or write it to files."""
    from regress.commands.summary import SummaryRequest  # noqa: PLC0415
    from regress.commands.summary import summary as plan_summary  # noqa: PLC0415

    with _user_errors(debug):
        request = SummaryRequest(manifest, run_id, phase, reports, output, write, with_mutations)
        result = plan_summary(request)
    sys.stdout.write(result.text)
    for path in result.written:
        sys.stdout.write(f"wrote {path}\n")
    if result.note:
        sys.stderr.write(f"note: {result.note}\n")


@app.command()
def history(
    last: Annotated[int | None, typer.Option("--last", help="Only the newest N runs.")] = None,
    manifest: ManifestOpt = Path(DEFAULT_MANIFEST),
    reports: ReportsOpt = None,
    debug: DebugOpt = False,
) -> None:
    """List the recorded runs, newest first: id, start, commit, selection, duration, verdicts,
    exit code."""
    from regress.commands.history import HistoryRequest  # noqa: PLC0415
    from regress.commands.history import history as read_history  # noqa: PLC0415
    from regress.reporting.history_view import render_history  # noqa: PLC0415

    with _user_errors(debug):
        found = read_history(HistoryRequest(manifest, reports, last))
        _console().print(render_history(found.runs, found.in_progress), soft_wrap=True)


@app.command()
def diff(
    before: Annotated[
        str | None, typer.Argument(help="Earlier run id (default: see below).")
    ] = None,
    after: Annotated[str | None, typer.Argument(help="Later run id (default: newest).")] = None,
    threshold: Annotated[
        float, typer.Option("--threshold", help="Report duration changes of at least PCT %.")
    ] = 50.0,
    min_seconds: Annotated[
        float, typer.Option("--min-seconds", help="...and of at least this many seconds.")
    ] = 1.0,
    manifest: ManifestOpt = Path(DEFAULT_MANIFEST),
    reports: ReportsOpt = None,
    debug: DebugOpt = False,
) -> None:
    """What changed per test from run A to run B (default: the two newest finished runs that
    share suites): exit 1 when something got worse, 0 otherwise."""
    from regress.commands.diff import DiffRequest  # noqa: PLC0415
    from regress.commands.diff import diff as diff_runs  # noqa: PLC0415
    from regress.reporting.diff_view import render_diff  # noqa: PLC0415

    with _user_errors(debug):
        result = diff_runs(DiffRequest(manifest, before, after, reports, threshold, min_seconds))
        _console().print(render_diff(result), soft_wrap=True)
    raise typer.Exit(1 if result.worse else 0)


@app.command()
def prune(
    keep: Annotated[
        int | None,
        typer.Option("--keep", help="How many of the newest runs to keep (default: `keep:`)."),
    ] = None,
    manifest: ManifestOpt = Path(DEFAULT_MANIFEST),
    reports: ReportsOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Remove old runs from the reports folder; never the latest run nor one in progress."""
    from regress.commands.prune import PruneRequest  # noqa: PLC0415
    from regress.commands.prune import prune as prune_runs  # noqa: PLC0415
    from regress.judging.retention import pruned_lines  # noqa: PLC0415

    with _user_errors(debug):
        from rich.text import Text  # noqa: PLC0415 - see start-up, above

        pruned = prune_runs(PruneRequest(manifest, keep, reports))
        for line in pruned_lines(pruned):
            _console().print(Text(line), soft_wrap=True)
    raise typer.Exit(1 if pruned.failed else 0)


@app.command()
def mutate(
    manifest: ManifestOpt = Path(DEFAULT_MANIFEST),
    phase: PhaseOpt = None,
    mutation: Annotated[
        list[str] | None, typer.Option("--mutation", help="Mutation name (repeatable).")
    ] = None,
    combined: Annotated[
        bool, typer.Option("--combined", help="Also run the combined pass per mutant.")
    ] = False,
    jobs: Annotated[
        int, typer.Option("--jobs", "-j", help="Mutants run in parallel (distinct ports).")
    ] = 1,
    no_baseline: Annotated[
        bool,
        typer.Option(
            "--no-baseline",
            help="Skip the run on unmutated HEAD: any red test then counts as a catch.",
        ),
    ] = False,
    reports: ReportsOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Run the mutations' suites on HEAD (the baseline), then apply each declared mutation to
    a worktree of HEAD and check its suites go red in tests that passed on the baseline:
    exit 0 when every mutant is caught, 1 otherwise."""
    from regress.commands.mutate import MutateRequest  # noqa: PLC0415
    from regress.commands.mutate import mutate as run_mutate  # noqa: PLC0415
    from regress.reporting.mutations import ConsoleMutateSink, render_mutate  # noqa: PLC0415

    request = MutateRequest(
        manifest=manifest,
        phases=tuple(phase or ()),
        names=tuple(mutation or ()),
        combined=combined,
        jobs=jobs,
        reports=reports,
        baseline=not no_baseline,
    )
    with _user_errors(debug):
        console = _console()
        record = run_mutate(request, ConsoleMutateSink(console))
        console.print(render_mutate(record))
        console.print(f"Report: {request.reports_dir / record.mutate_id}", soft_wrap=True)
    raise typer.Exit(record.exit_code or 0)


RunIdOpt = Annotated[str | None, typer.Option("--run", help="Run id (default: latest).")]


@app.command()
def report(
    run_id: RunIdOpt = None,
    open_: Annotated[
        bool, typer.Option("--open", help="Open it in the desktop's browser.")
    ] = False,
    manifest: ManifestOpt = Path(DEFAULT_MANIFEST),
    reports: ReportsOpt = None,
    debug: DebugOpt = False,
) -> None:
    """(Re)render a run's HTML report from its run.json and print its path."""
    from rich.markup import escape  # noqa: PLC0415

    from regress.commands.report import (  # noqa: PLC0415
        DEFAULT_PORT,
        ReportRequest,
        open_report,
        render_report,
    )

    with _user_errors(debug):
        rendered = render_report(ReportRequest(manifest, run_id, reports))
        console = _console()
        if open_ and not open_report(rendered.path):
            console.print(
                "No desktop browser here: serve the reports with "
                f"`regress show-report --run {escape(rendered.run_id)}` and open "
                f"http://127.0.0.1:{DEFAULT_PORT}/{escape(rendered.relative)} "
                "(through an SSH tunnel from another machine).",
                soft_wrap=True,
            )
        console.print(f"Report: {escape(str(rendered.path))}", soft_wrap=True)


@app.command(name="show-report")
def show_report(
    run_id: RunIdOpt = None,
    port: Annotated[
        int, typer.Option("--port", min=1, max=65535, help="Port on 127.0.0.1.")
    ] = 9323,
    manifest: ManifestOpt = Path(DEFAULT_MANIFEST),
    reports: ReportsOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Serve the reports folder on 127.0.0.1 (traces, screenshots and logs one click away)."""
    from rich.markup import escape  # noqa: PLC0415

    from regress.commands.report import ReportRequest, render_report, report_server  # noqa: PLC0415

    with _user_errors(debug):
        request = ReportRequest(manifest, run_id, reports)
        rendered = render_report(request)
        server = report_server(request.reports_dir, port)
    host, bound = str(server.server_address[0]), int(server.server_address[1])
    console = _console()
    console.print(
        f"Serving {escape(str(request.reports_dir))} on http://{host}:{bound}/ (Ctrl-C stops)",
        soft_wrap=True,
    )
    console.print(f"Report: http://{host}:{bound}/{escape(rendered.relative)}", soft_wrap=True)
    sys.stdout.flush()  # the URL must show before serving, even when piped
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


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
        typer.Option(
            "--exclude",
            help="Column to ignore (repeatable; replaces the manifest's parity.exclude).",
        ),
    ] = None,
    row_tolerance: Annotated[
        int, typer.Option("--row-tolerance", min=0, help="Allowed row-count difference.")
    ] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
    manifest: Annotated[
        Path | None,
        typer.Option(
            "--manifest",
            "-m",
            help="Manifest whose parity.exclude applies (default: suites.yaml, if present).",
            dir_okay=False,
        ),
    ] = None,
    debug: DebugOpt = False,
) -> None:
    """Compare two players' exports (or every pair in a data folder): exit 0 identical,
    1 divergent, 2 unusable input."""
    # `regress parity` normally runs without Typer (regress.entry); this command answers
    # --help and argv that front end leaves to Typer, and prints the same output.
    from regress.commands.parity import ParityArgs, output  # noqa: PLC0415

    excluded = None if exclude is None else tuple(exclude)
    args = ParityArgs(tuple(paths), excluded, row_tolerance, as_json, manifest, debug)
    with _user_errors(debug):
        text, code = output(args, sys.stdout)
    sys.stdout.write(text)
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
        typer.echo(f"regress {__version__}")
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

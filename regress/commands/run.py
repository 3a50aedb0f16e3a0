"""`regress run`: select, run both passes under signal handling (and Xvfb for --headed), record."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from regress.commands.common import interrupts, reports_folder, selection_for
from regress.commands.prune import prune_folder
from regress.errors import RegressError
from regress.judging.history import load_record
from regress.judging.rerun import not_passed
from regress.judging.results import RunRecord
from regress.judging.retention import pruned_lines
from regress.manifest.offset import with_port_offset
from regress.manifest.select import parse_param
from regress.reporting.writers import WRITERS
from regress.running.events import ProgressSink
from regress.running.focus import Focus, focus_selection
from regress.running.pytest_run import PytestOptions
from regress.running.run import Interrupted, RunOptions, execute_run
from regress.running.shard import parse_shard, shard_of


@dataclass(frozen=True)
class RunRequest:
    """`regress run` as the user asked for it."""

    manifest: Path
    phases: tuple[str, ...] = ()
    suites: tuple[str, ...] = ()
    stagger: float | None = None
    params: tuple[str, ...] = ()  # NAME=VALUE, as typed
    no_combined: bool = False
    combined_only: bool = False
    force_ports: bool = False
    headed: bool = False
    browser: str | None = None
    pytest_args: tuple[str, ...] = ()
    reports: Path | None = None
    port_offset: int = 0
    shard: str | None = None  # "I/N", as typed
    jobs: int = 1
    keyword: str | None = None  # -k EXPR
    tests: tuple[str, ...] = ()  # --test NODEID
    last_failed: bool = False
    failed_from: str | None = None  # --failed-from RUN_ID
    repeat: int = 1
    fail_fast: bool = False

    @property
    def reports_dir(self) -> Path:
        """The reports folder this run writes to."""
        return reports_folder(self.reports, self.manifest)


def run(request: RunRequest, sink: ProgressSink) -> RunRecord:
    """Run the selection; SIGINT/SIGTERM end it early with a partial record (exit code 130)."""
    params = tuple(parse_param(p) for p in request.params)
    if request.stagger is not None:
        params += (("stagger", str(request.stagger)),)
    if request.repeat < 1:
        raise RegressError(f"--repeat {request.repeat}: give a number of attempts of 1 or more")
    if request.last_failed and request.failed_from:
        raise RegressError("--last-failed and --failed-from together: give one of them")
    selection = selection_for(request.manifest, request.phases, request.suites, params)
    keyword = ("-k", request.keyword) if request.keyword else ()
    pytest = PytestOptions(
        headed=request.headed, browser=request.browser, extra=(*request.pytest_args, *keyword)
    )
    wanted = _focus(request)
    selection, focus = focus_selection(selection, wanted, pytest)
    shard = None
    if request.shard is not None:
        index, total = parse_shard(request.shard)
        selection, shard = shard_of(selection, request.reports_dir, index, total)
        if not selection.suites:
            raise RegressError(
                f"--shard {index}/{total}: shard {index} has no suites (only "
                f"{len(shard.order)} selected); use at most {len(shard.order)} shards"
            )
        names = ", ".join(s.name for s in selection.suites)
        sink.message(f"shard {index}/{total}: {names} ({shard.reason})")
    selection = with_port_offset(selection, request.port_offset)
    options = RunOptions(
        reports=request.reports_dir,
        isolation=not request.combined_only,
        combined=not request.no_combined,
        force_ports=request.force_ports,
        pytest=pytest,
        invocation=_invocation(request, params, wanted.rerun_of),
        port_offset=request.port_offset,
        shard=shard,
        jobs=request.jobs,
        focus=focus,
        repeat=request.repeat,
        fail_fast=request.fail_fast,
    )
    with interrupts(Interrupted):
        record = execute_run(selection, options, sink, WRITERS)
    keep = selection.manifest.keep
    if keep is not None and not record.interrupted:  # the manifest's `keep`, after the run
        pruned = prune_folder(options.reports, keep)
        if pruned.removed or pruned.failed:
            for line in pruned_lines(pruned):
                sink.message(line)
    return record


def _focus(request: RunRequest) -> Focus:
    """-k, --test and the tests that did not pass in the run --last-failed/--failed-from name."""
    rerun: tuple[str, ...] | None = None
    rerun_of = ""
    if request.last_failed or request.failed_from:
        flag = "--last-failed" if request.last_failed else f"--failed-from {request.failed_from}"
        try:
            record = load_record(request.reports_dir, request.failed_from)
        except RegressError as exc:
            raise RegressError(f"{flag}: {exc.message}") from None
        rerun, rerun_of = not_passed(record), record.run_id
    return Focus(request.keyword, request.tests, rerun, rerun_of)


def _invocation(
    request: RunRequest, params: tuple[tuple[str, str], ...], rerun_of: str = ""
) -> tuple[tuple[str, str], ...]:
    """How the run was called, for the SUMMARY's decisions (empty options left out)."""
    passes = (
        "combined only"
        if request.combined_only
        else "isolation only"
        if request.no_combined
        else ""
    )
    return tuple(
        (key, value)
        for key, value in (
            ("phase", ",".join(request.phases)),
            ("suite", ",".join(request.suites)),
            ("params", ",".join(f"{k}={v}" for k, v in params)),
            ("passes", passes),
            ("force-ports", "yes" if request.force_ports else ""),
            ("headed", "yes" if request.headed else ""),
            ("shard", request.shard or ""),
            ("jobs", str(request.jobs) if request.jobs > 1 else ""),
            ("port-offset", str(request.port_offset) if request.port_offset else ""),
            ("keyword", request.keyword or ""),
            ("test", ",".join(request.tests)),
            ("failed-from", rerun_of),
            ("repeat", str(request.repeat) if request.repeat > 1 else ""),
            ("fail-fast", "yes" if request.fail_fast else ""),
        )
        if value
    )

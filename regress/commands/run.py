"""`regress run`: select, run both passes under signal handling (and Xvfb for --headed), record."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from regress.commands.common import interrupts, reports_folder, selection_for
from regress.commands.prune import prune_folder
from regress.errors import RegressError
from regress.judging.results import RunRecord
from regress.judging.retention import pruned_lines
from regress.manifest.offset import with_port_offset
from regress.manifest.select import parse_param
from regress.reporting.writers import WRITERS
from regress.running.events import ProgressSink
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

    @property
    def reports_dir(self) -> Path:
        """The reports folder this run writes to."""
        return reports_folder(self.reports, self.manifest)


def run(request: RunRequest, sink: ProgressSink) -> RunRecord:
    """Run the selection; SIGINT/SIGTERM end it early with a partial record (exit code 130)."""
    params = tuple(parse_param(p) for p in request.params)
    if request.stagger is not None:
        params += (("stagger", str(request.stagger)),)
    selection = selection_for(request.manifest, request.phases, request.suites, params)
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
        pytest=PytestOptions(
            headed=request.headed, browser=request.browser, extra=request.pytest_args
        ),
        invocation=_invocation(request, params),
        port_offset=request.port_offset,
        shard=shard,
        jobs=request.jobs,
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


def _invocation(
    request: RunRequest, params: tuple[tuple[str, str], ...]
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
        )
        if value
    )

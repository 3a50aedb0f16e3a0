"""The isolation pass: each suite alone: free ports, start server, pytest, judge, record; each
suite N times under --repeat N (a fresh server each time), the first failure ends it under -x."""

from __future__ import annotations

import os
import time
from collections.abc import Callable

from regress.judging.repeats import merge_attempts
from regress.judging.results import PassKind, SuiteResult, SuiteStatus
from regress.judging.suite import blocked_reason, judge_suite, judged, not_run, port_finding
from regress.manifest.model import Suite
from regress.parity.model import DEFAULT_EXCLUDE
from regress.running.events import forward
from regress.running.evidence import attach_evidence
from regress.running.freeing import free_suite_ports
from regress.running.parallel import run_concurrently
from regress.running.pytest_run import run_pytest
from regress.running.recorder import Recorder, now
from regress.running.servers import pytest_role, suite_servers
from regress.running.setup import Interrupted, RunSetup

KIND = PassKind.ISOLATION


def run_isolation(setup: RunSetup, recorder: Recorder) -> None:
    """Every selected suite alone, in manifest order (up to --jobs at a time, each still alone
    on its ports, server and pytest process); the record is saved after each."""
    suites = setup.selection.suites
    with recorder.pass_of(KIND):
        if setup.options.jobs > 1:
            recorder.note(
                f"isolation pass: up to {setup.options.jobs} suites at a time (--jobs), each on"
                f" its own ports, server and pytest process, sharing {os.cpu_count()} CPU(s)"
            )
            run_concurrently(
                suites,
                setup.options.jobs,
                recorder,
                lambda suite, stopping: _attempts(setup, recorder, suite, stopping),
            )
            return
        for index, suite in enumerate(suites):
            result = _attempts(setup, recorder, suite)
            recorder.add(result)
            if setup.options.fail_fast and result.status is not SuiteStatus.PASSED:
                recorder.stop_early(KIND, suite.name, suites[index + 1 :])
                break


def _attempts(
    setup: RunSetup, recorder: Recorder, suite: Suite, stopping: Callable[[], bool] = lambda: False
) -> SuiteResult:
    """The suite once, or --repeat times (the first failure stops it under --fail-fast); with
    --jobs, `stopping()` says Ctrl-C is stopping the run from the main thread (a worker thread
    never sees the signal)."""
    results: list[SuiteResult] = []
    for attempt in range(1, setup.options.repeat + 1):
        results.append(_suite(setup, recorder, suite, attempt, stopping))
        if setup.options.fail_fast and results[-1].status is not SuiteStatus.PASSED:
            break
    return merge_attempts(results)


def _suite(
    setup: RunSetup,
    recorder: Recorder,
    suite: Suite,
    attempt: int,
    stopping: Callable[[], bool],
) -> SuiteResult:
    directory = setup.pass_dir(KIND, attempt) / suite.name
    started, clock = now(), time.monotonic()
    setup.sink.suite_started(KIND, (suite.name,))
    ports = free_suite_ports(setup, [suite])
    if any(not event.freed for event in ports):
        return _finished(
            setup,
            stopping,
            not_run(
                suite,
                KIND,
                status=SuiteStatus.BLOCKED,
                reason=blocked_reason(ports),
                ports=ports,
                started=started,
                clock=clock,
            ),
        )
    try:
        with suite_servers(setup, recorder, [suite], directory.parent, KIND) as servers:
            if suite.name in servers.errors:
                error = servers.errors[suite.name]
            else:
                error = ""
                context = setup.context_for([suite], directory.parent, servers.url)
                run = run_pytest(
                    context,
                    directory=directory,
                    targets=suite.targets,
                    timeout=suite.timeout,
                    options=setup.options.pytest,
                    on_event=forward(setup.sink, KIND, lambda _: suite.name),
                    role=pytest_role(KIND, suite.name),
                    watch_ports=suite.ports,
                )
    except (Interrupted, KeyboardInterrupt):
        recorder.interrupted(KIND, [suite], started=started, clock=clock, ports=ports)
        raise
    if error:
        return _finished(
            setup,
            stopping,
            not_run(
                suite,
                KIND,
                status=SuiteStatus.ERROR,
                reason=error,
                ports=ports,
                started=started,
                clock=clock,
                artifacts=recorder.artifacts(directory),
            ),
        )
    told = context.suites[0]
    verdict = judge_suite(
        run, suite.name, told.owns, suite.expected, only_suite=True, min_tests=suite.min_tests
    )
    result = judged(
        suite,
        KIND,
        verdict,
        started=started,
        duration=time.monotonic() - clock,
        exit_code=run.exit_code,
        artifacts=recorder.artifacts(directory),
        ports=ports,
        ready_seconds=servers.ready_seconds(suite.name),
        teardown_seconds=servers.teardowns.get(suite.name),
        leaks=run.leaked + servers.leaks.get(suite.name, ()),
        takeover=port_finding(run, suite.ports, servers.takeovers.get(suite.name, "")),
    )
    return _finished(
        setup,
        stopping,
        attach_evidence(
            result,
            run_dir=setup.dir,
            suite_dir=directory,
            timings=run.timings,
            server=servers.times.get(suite.name),
            exclude=setup.selection.manifest.parity_exclude or DEFAULT_EXCLUDE,
        ),
    )


def _finished(setup: RunSetup, stopping: Callable[[], bool], result: SuiteResult) -> SuiteResult:
    if stopping():  # its children were stopped under it: not a verdict; recorded as interrupted
        raise Interrupted(f"suite {result.suite} stopped")
    setup.sink.suite_finished(result)
    return result

"""The combined pass: every suite at once in one pytest process, each with its own server; the
whole pass N times under --repeat N, each suite's attempts merged into one result."""

from __future__ import annotations

import time

from regress.judging.repeats import merge_attempts
from regress.judging.results import PassKind, SuiteResult, SuiteStatus
from regress.judging.suite import blocked_reason, judge_suite, judged, not_run, port_finding
from regress.parity.model import DEFAULT_EXCLUDE
from regress.running.events import forward
from regress.running.evidence import attach_evidence
from regress.running.freeing import free_suite_ports
from regress.running.pytest_run import run_pytest
from regress.running.recorder import OpenPass, Recorder, now
from regress.running.servers import pytest_role, suite_servers
from regress.running.setup import Interrupted, RunSetup

KIND = PassKind.COMBINED


def run_combined(setup: RunSetup, recorder: Recorder) -> None:
    """The combined pass, once or --repeat times; after --fail-fast stopped the run, every suite
    is recorded as not run."""
    suites = setup.selection.suites
    with recorder.pass_of(KIND) as open_pass:
        if recorder.stopped:  # --fail-fast stopped the isolation pass
            recorder.not_run(KIND, suites)
            return
        attempts: list[list[SuiteResult]] = []
        try:
            for attempt in range(1, setup.options.repeat + 1):
                _attempt(setup, recorder, open_pass, attempt)
                attempts.append(recorder.take())
                if setup.options.fail_fast and any(
                    r.status is not SuiteStatus.PASSED for r in attempts[-1]
                ):
                    break
        finally:
            attempts.append(recorder.take())
            for suite in suites:
                mine = [r for results in attempts for r in results if r.suite == suite.name]
                if mine:
                    recorder.add(merge_attempts(mine), save=False)


def _attempt(setup: RunSetup, recorder: Recorder, open_pass: OpenPass, attempt: int) -> None:
    """Free every port, start every suite's server, run all targets in one pytest process, and
    judge each suite from its share of the JUnit report; blocked or broken suites are left out."""
    directory = setup.pass_dir(KIND, attempt)
    suites = setup.selection.suites
    started, clock = now(), time.monotonic()
    setup.sink.suite_started(KIND, tuple(s.name for s in suites))
    ports = free_suite_ports(setup, suites)
    refused = {event.port for event in ports if not event.freed}
    for suite in (s for s in suites if refused.intersection(s.ports)):
        mine = tuple(e for e in ports if e.port in suite.ports)
        reason = blocked_reason(mine)
        _add(
            setup,
            recorder,
            not_run(
                suite,
                KIND,
                status=SuiteStatus.BLOCKED,
                reason=reason,
                ports=mine,
                started=started,
                clock=clock,
            ),
        )
    runnable = [s for s in suites if not refused.intersection(s.ports)]
    if not runnable:
        return
    try:
        with suite_servers(setup, recorder, runnable, directory, KIND) as servers:
            for suite in (s for s in runnable if s.name in servers.errors):
                _add(
                    setup,
                    recorder,
                    not_run(
                        suite,
                        KIND,
                        status=SuiteStatus.ERROR,
                        reason=servers.errors[suite.name],
                        ports=(),
                        started=started,
                        clock=clock,
                        artifacts=recorder.artifacts(directory / suite.name),
                    ),
                )
            running = [s for s in runnable if s.name not in servers.errors]
            if not running:
                return
            context = setup.context_for(running, directory, servers.url)
            run = run_pytest(
                context,
                directory=directory,
                targets=[t for s in running for t in s.targets],
                timeout=sum(s.timeout for s in running),
                options=setup.options.pytest,
                on_event=forward(
                    setup.sink,
                    KIND,
                    lambda nodeid: (context.suite_for(nodeid) or context.suites[0]).name,
                ),
                role=pytest_role(KIND, "all"),
                watch_ports=sorted({p for s in running for p in s.ports}),
            )
    except (Interrupted, KeyboardInterrupt):
        recorder.interrupted(KIND, runnable, started=started, clock=clock)
        raise
    for suite, told in zip(running, context.suites, strict=True):
        verdict = judge_suite(
            run,
            suite.name,
            told.owns,
            suite.expected,
            only_suite=False,
            min_tests=suite.min_tests,
        )
        result = judged(
            suite,
            KIND,
            verdict,
            started=started,
            # one process ran every suite: a suite's time is its tests' time
            duration=run.duration if run.timed_out else sum(t.duration for t in verdict.tests),
            exit_code=run.exit_code,
            artifacts=recorder.artifacts(directory / suite.name, shared=directory),
            ports=tuple(e for e in ports if e.port in suite.ports),
            ready_seconds=servers.ready_seconds(suite.name),
            teardown_seconds=servers.teardowns.get(suite.name),
            leaks=servers.leaks.get(suite.name, ()),
            takeover=port_finding(run, suite.ports, servers.takeovers.get(suite.name, "")),
        )
        _add(
            setup,
            recorder,
            attach_evidence(
                result,
                run_dir=setup.dir,
                suite_dir=told.suite_dir,
                timings=[t for t in run.timings if told.owns(t.nodeid)],
                server=servers.times.get(suite.name),
                exclude=setup.selection.manifest.parity_exclude or DEFAULT_EXCLUDE,
            ),
        )
    recorder.order([s.name for s in suites])
    if open_pass.exit_code in (None, 0):
        open_pass.exit_code = run.exit_code
    open_pass.leaks += run.leaked
    open_pass.artifacts += recorder.artifacts(directory)


def _add(setup: RunSetup, recorder: Recorder, result: SuiteResult) -> None:
    setup.sink.suite_finished(result)
    recorder.add(result, save=False)

"""The isolation pass: each suite alone: free ports, start server, pytest, judge, record."""

from __future__ import annotations

import time

from regress.judging.results import PassKind, SuiteResult, SuiteStatus
from regress.judging.suite import blocked_reason, judge_suite, judged, not_run, port_finding
from regress.manifest.model import Suite
from regress.running.freeing import free_suite_ports
from regress.running.pytest_run import run_pytest
from regress.running.recorder import Recorder, now
from regress.running.servers import pytest_role, suite_servers
from regress.running.setup import Interrupted, RunSetup

KIND = PassKind.ISOLATION


def run_isolation(setup: RunSetup, recorder: Recorder) -> None:
    """Every selected suite alone, in manifest order; the record is saved after each."""
    with recorder.pass_of(KIND):
        for suite in setup.selection.suites:
            recorder.add(_suite(setup, recorder, suite))


def _suite(setup: RunSetup, recorder: Recorder, suite: Suite) -> SuiteResult:
    directory = setup.dir / KIND.value / suite.name
    started, clock = now(), time.monotonic()
    setup.sink.suite_started(KIND, (suite.name,))
    ports = free_suite_ports(setup, [suite])
    if any(not event.freed for event in ports):
        return _finished(
            setup,
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
                    on_event=lambda nodeid, outcome: setup.sink.test_finished(
                        KIND, suite.name, nodeid, outcome
                    ),
                    role=pytest_role(KIND, suite.name),
                    watch_ports=suite.ports,
                )
    except (Interrupted, KeyboardInterrupt):
        recorder.add(
            not_run(
                suite,
                KIND,
                status=SuiteStatus.INTERRUPTED,
                reason="interrupted (Ctrl-C)",
                ports=ports,
                started=started,
                clock=clock,
            ),
            save=False,
        )
        raise
    if error:
        return _finished(
            setup,
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
    return _finished(
        setup,
        judged(
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
        ),
    )


def _finished(setup: RunSetup, result: SuiteResult) -> SuiteResult:
    setup.sink.suite_finished(result)
    return result

"""Step "free ports": stop stale holders of a suite's ports that regress can prove are its own."""

from __future__ import annotations

from collections.abc import Sequence

from regress.judging.results import PortEvent
from regress.manifest.model import Suite
from regress.proc.ports import free_ports
from regress.running.setup import RunSetup


def free_suite_ports(setup: RunSetup, suites: Sequence[Suite]) -> tuple[PortEvent, ...]:
    """Free the suites' ports; one event per holder stopped or refused, and per port still busy.

    Every event is also shown as a message.
    """
    outcome = free_ports(
        sorted({port for s in suites for port in s.ports}),
        ledger=setup.ledger,
        force=setup.options.force_ports,
        grace=max(s.grace for s in suites),
    )
    events = tuple(
        PortEvent(h.port, h.pid, h.user, " ".join(h.cmdline), h.reason, freed)
        for freed, holders in ((True, outcome.freed), (False, outcome.refused))
        for h in holders
    ) + tuple(
        PortEvent(port, None, "?", "?", "still not bindable after its holders stopped", False)
        for port in outcome.busy
    )
    for event in events:
        verb = "freed" if event.freed else "could not free"
        setup.sink.message(
            f"port {event.port}: {verb} pid {event.pid} ({event.user}: {event.cmdline})"
            f" - {event.reason}"
        )
    return events

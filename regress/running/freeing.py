"""Step "free ports": stop stale holders of a suite's ports that regress can prove are its own."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence

from regress.judging.results import PortEvent
from regress.manifest.model import Suite
from regress.proc.ports import free_ports, is_free
from regress.running.events import waiting_for
from regress.running.setup import RunSetup


def free_suite_ports(setup: RunSetup, suites: Sequence[Suite]) -> tuple[PortEvent, ...]:
    """Free the suites' ports; one event per holder stopped or refused, and per port still busy.

    Every event is also shown as a message.
    """
    ports = sorted({port for s in suites for port in s.ports})
    busy = [port for port in ports if not is_free(port)]
    with (
        waiting_for(setup.sink, f"port {', '.join(map(str, busy))} to be freed")
        if busy
        else contextlib.nullcontext()
    ):
        outcome = free_ports(
            ports,
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

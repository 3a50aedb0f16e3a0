"""`--port-offset K`: the same selection with every manifest port moved by K for one run."""

from __future__ import annotations

from dataclasses import replace

from regress.errors import RegressError
from regress.manifest.model import Suite
from regress.manifest.select import Selection

MAX_PORT = 65535


def with_port_offset(selection: Selection, offset: int) -> Selection:
    """The selection with K added to every suite's and server's port (0 returns it as is).
    A suite's own `ports` stay: its tests' own fixtures hard-code them.

    Raises:
        RegressError: a moved port falls outside 1-65535.
    """
    if offset == 0:
        return selection
    for suite in selection.suites:
        for port in (suite.port,) if suite.server is not None else ():
            moved = port + offset
            if not 1 <= moved <= MAX_PORT:
                raise RegressError(
                    f"--port-offset {offset}: suite '{suite.name}' port {port} would become "
                    f"{moved}, outside 1-{MAX_PORT}; choose an offset that keeps every port in "
                    "range"
                )
    return replace(selection, suites=tuple(_moved(s, offset) for s in selection.suites))


def _moved(suite: Suite, offset: int) -> Suite:
    server = suite.server
    if server is not None and server.port:
        server = replace(server, port=server.port + offset)
    if suite.server is None:
        return suite  # its `ports` are the ones its own fixtures hard-code: they cannot move
    return replace(suite, port=suite.port + offset, server=server)

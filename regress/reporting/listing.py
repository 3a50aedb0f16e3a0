"""Rich views of things that are not runs: the selection (`list`), port holders, doctor checks."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from regress.manifest.select import Selection
from regress.proc.doctor import Check
from regress.proc.ports import Holder


def render_selection(selection: Selection) -> RenderableType:
    """Plans with their suites, requirements, expected tests and servers."""
    parts: list[RenderableType] = []
    for plan in selection.plans:
        table = Table(
            title=f"{plan.phase} plan {plan.plan}: {plan.title}",
            title_justify="left",
            expand=False,
        )
        for column in (
            "requirement",
            "suite",
            "expected tests",
            "server",
            "port",
            "scope",
            "params",
        ):
            table.add_column(column)
        for suite in selection.suites:
            if suite.name not in plan.suites:
                continue
            table.add_row(
                suite.requirement,
                suite.name,
                "\n".join(test.split("::", 1)[-1] for test in suite.expected),
                suite.server.name,
                str(suite.port),
                suite.scope.value,
                ", ".join(f"{k}={v}" for k, v in suite.params) or "-",
            )
        parts.append(table)
    tests = sum(len(s.expected) for s in selection.suites)
    parts.append(
        Text(
            f"{len(selection.plans)} plans · {len(selection.suites)} suites"
            f" · {tests} expected tests"
        )
    )
    servers = {s.server.name: s.server for s in selection.suites}
    for spec in servers.values():
        parts.append(Text(f"server {spec.name}: {' '.join(spec.command)}", style="dim"))
    return Group(*parts)


def render_ports(wanted: Mapping[int, str], holders: Sequence[Holder]) -> RenderableType:
    """Who listens on each manifest port."""
    table = Table(title="Manifest ports", title_justify="left")
    for column in ("port", "suite", "pid", "user", "started by regress"):
        table.add_column(column, no_wrap=True)
    table.add_column("command", overflow="fold")  # never cut: the script name is at the end
    for port, suite in sorted(wanted.items()):
        mine = [h for h in holders if h.port == port]
        if not mine:
            table.add_row(str(port), suite, "-", "-", "-", Text("free", style="green"))
        for holder in mine:
            table.add_row(
                str(port),
                suite,
                str(holder.pid) if holder.pid is not None else "?",
                holder.user,
                Text(f"yes ({holder.reason})", style="yellow")
                if holder.ours
                else Text(f"no ({holder.reason})", style="red"),
                " ".join(holder.cmdline) or "?",
            )
    return table


def render_checks(checks: Sequence[Check]) -> RenderableType:
    """Doctor results: one row per check, the fix for each problem."""
    table = Table(title="regress doctor", title_justify="left")
    for column in ("check", "status", "detail"):
        table.add_column(column)
    for check in checks:
        status = Text("ok", style="green") if check.ok else Text("problem", style="bold red")
        detail = check.detail if check.ok else f"{check.detail}\nfix: {check.fix}"
        table.add_row(check.name, status, detail)
    return table

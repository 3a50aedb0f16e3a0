"""Rich views of things that are not runs: the selection (`list`), port holders, doctor checks."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from regress.judging.inventory import SuiteInventory
from regress.manifest.model import ALL_TESTS, Suite, is_pattern
from regress.manifest.propose import Proposal
from regress.manifest.select import Selection
from regress.proc.doctor import Check
from regress.proc.ports import Holder


def render_selection(selection: Selection) -> RenderableType:
    """Plans with their suites, requirements, expected tests and servers."""
    parts: list[RenderableType] = []
    for plan in selection.plans:
        table = Table(
            title=Text(f"{plan.phase} plan {plan.plan}: {plan.title}"),
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
                *(
                    Text(cell)  # plain text: "[chromium-100]" in a test id is not markup
                    for cell in (
                        suite.requirement,
                        suite.name,
                        _expected(suite),
                        suite.server.name if suite.server else "- (the tests' own)",
                        ", ".join(str(port) for port in suite.ports),
                        suite.scope.value,
                        ", ".join(f"{k}={v}" for k, v in suite.params) or "-",
                    )
                )
            )
        parts.append(table)
    tests = sum(1 for s in selection.suites for e in s.expected if not is_pattern(e))
    patterns = sum(1 for s in selection.suites for e in s.expected if is_pattern(e))
    parts.append(
        Text(
            f"{len(selection.plans)} plans · {len(selection.suites)} suites"
            f" · {tests} expected tests" + (f" · {patterns} patterns" if patterns else "")
        )
    )
    servers = {s.server.name: s.server for s in selection.suites if s.server is not None}
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
            table.add_row(str(port), Text(suite), "-", "-", "-", Text("free", style="green"))
        for holder in mine:
            table.add_row(
                str(port),
                Text(suite),
                str(holder.pid) if holder.pid is not None else "?",
                Text(holder.user),
                Text(f"yes ({holder.reason})", style="yellow")
                if holder.ours
                else Text(f"no ({holder.reason})", style="red"),
                Text(" ".join(holder.cmdline) or "?"),
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
        table.add_row(Text(check.name), status, Text(detail))
    return table


def _expected(suite: Suite) -> str:
    """Expected tests as listed: names without their file, `all` with its minimum count."""
    lines = []
    for test in suite.expected:
        if test == ALL_TESTS:
            lines.append(f"all (at least {suite.min_tests})")
        else:
            lines.append(test.split("::", 1)[-1])
    if suite.min_tests and ALL_TESTS not in suite.expected:
        lines.append(f"(at least {suite.min_tests} matching)")
    return "\n".join(lines)


def render_inventory(found: Sequence[SuiteInventory], *, written: bool) -> RenderableType:
    """Per suite: tests collected, expected ones pytest no longer finds, unlisted ones."""
    table = Table(title="Inventory (pytest --collect-only)", title_justify="left")
    for column in ("suite", "collected", "expected, not collected", "collected, not expected"):
        table.add_column(column, overflow="fold")
    for suite in found:
        table.add_row(
            Text(suite.suite),
            str(len(suite.collected)),
            Text("\n".join(suite.missing) or "-", style="red" if suite.missing else ""),
            Text("\n".join(suite.unlisted) or "-", style="yellow" if suite.unlisted else ""),
        )
    note = (
        "expected tests written into the manifest"
        if written
        else "run with --write to list the collected tests as each suite's expected tests"
    )
    return Group(table, Text(note, style="dim"))


def render_init(proposal: Proposal) -> RenderableType:
    """The suites `regress init` wrote, and where their ports and plans came from."""
    table = Table(title=Text(f"Wrote {proposal.path}"), title_justify="left")
    for column in ("suite", "target", "tests", "requirement", "plan", "ports"):
        table.add_column(column, overflow="fold")
    for suite in proposal.suites:
        table.add_row(
            *(
                Text(cell)
                for cell in (
                    suite.name,
                    suite.target,
                    str(len(suite.tests)),
                    suite.requirement,
                    suite.plan or "-",
                    ", ".join(str(p) for p in suite.ports) or "-",
                )
            )
        )
    lines = [f"port {port}: hard-coded in {where}" for port, where in proposal.ports]
    if not proposal.plans:
        lines.append("no GSD plans found (.planning/phases/*/*-PLAN.md): requirements are TEST-NN")
    lines.append("next: check the requirements, then `regress doctor` and `regress run`")
    return Group(table, Text("\n".join(lines), style="dim"))

"""`regress init`'s proposal: suites from the collected tests (one per browser test file, one
per folder of other tests), the ports hard-coded in conftests and fixtures, plans from GSD
PLAN.md files; rendered as a commented suites.yaml."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from regress.manifest.gsd_plans import PlanDoc
from regress.manifest.write import yaml_item

BROWSER_IDS = ("[chromium", "[firefox", "[webkit")
PORT_PATTERNS = (
    re.compile(r"\b[A-Z_]*PORT[A-Z_]*\s*=\s*(\d{4,5})\b"),
    re.compile(r"""["']--port["']\s*,\s*["']?(\d{4,5})\b"""),
    re.compile(r"(?:localhost|127\.0\.0\.1):(\d{4,5})\b"),
    re.compile(r"\bport\s*=\s*(\d{4,5})\b"),
)
UNPLANNED_PHASE = "00-regression"


@dataclass(frozen=True)
class ProposedSuite:
    """A suite regress init writes."""

    name: str
    target: str  # a test file or a folder, relative to the root
    tests: tuple[str, ...]  # node ids
    browser: bool  # its tests drive a browser (they get the conftests' ports)
    ports: tuple[int, ...] = ()
    requirement: str = ""
    plan: str = ""  # "phase/plan" of the GSD plan naming its file


@dataclass(frozen=True)
class Proposal:
    """What `regress init` wrote."""

    path: Path
    suites: tuple[ProposedSuite, ...]
    plans: tuple[str, ...]  # "phase/plan" keys read from GSD plans
    ports: tuple[tuple[int, str], ...]  # (port, file it is written in)


def hard_coded_ports(root: Path, folder: str) -> tuple[tuple[int, str], ...]:
    """(port, file) written into conftest.py files and fixtures modules above or under a
    test folder."""
    files: list[Path] = []
    here = root / folder
    for parent in [here, *here.parents]:
        files += [parent / "conftest.py"]
        if parent == root:
            break
    files += sorted(here.rglob("conftest.py")) + sorted(root.glob("tests/**/fixtures/**/*.py"))
    found: dict[int, str] = {}
    for path in dict.fromkeys(files):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        for pattern in PORT_PATTERNS:
            for match in pattern.finditer(text):
                port = int(match.group(1))
                if 1024 < port < 65536:
                    found.setdefault(port, str(path.relative_to(root)))
    return tuple(sorted(found.items()))


def propose_suites(ids: Sequence[str]) -> tuple[ProposedSuite, ...]:
    """One suite per test file whose tests run in a browser, one per folder for the rest."""
    by_file: dict[str, list[str]] = {}
    for nodeid in ids:
        by_file.setdefault(nodeid.split("::", 1)[0], []).append(nodeid)
    suites: dict[str, ProposedSuite] = {}
    folders: dict[str, list[str]] = {}
    for file, tests in by_file.items():
        path = PurePosixPath(file)
        if any(b in t for t in tests for b in BROWSER_IDS) or "e2e" in path.parts:
            name = _unique(path.stem.removeprefix("test_"), suites)
            suites[name] = ProposedSuite(name, file, tuple(tests), browser=True)
        else:
            folders.setdefault(str(path.parent), []).extend(tests)
    for folder, tests in folders.items():
        name = _unique(PurePosixPath(folder).name or "tests", suites)
        suites[name] = ProposedSuite(name, folder, tuple(tests), browser=False)
    return tuple(suites.values())


def _unique(name: str, taken: dict[str, ProposedSuite]) -> str:
    name = re.sub(r"[^A-Za-z0-9_.-]", "_", name) or "tests"
    candidate, n = name, 2
    while candidate in taken:
        candidate, n = f"{name}_{n}", n + 1
    return candidate


def render_manifest(
    suites: Sequence[ProposedSuite],
    plans: Sequence[PlanDoc],
    ports: Sequence[tuple[int, str]],
) -> str:
    """The commented suites.yaml for these suites and plans."""
    lines = [
        "# Written by `regress init`: one suite per browser test file, one per folder of the",
        "# other tests. Check each suite's requirement; `regress list` shows the plans.",
        "# `regress inventory --write` refreshes the expected tests after tests are added.",
        "version: 1",
        "",
        "plans:",
    ]
    for key, title, members in _plan_groups(suites, plans):
        phase, plan = key.split("/", 1)
        requirements = list(dict.fromkeys(s.requirement for s in members))
        lines += [
            f"  - phase: {phase}",
            f"    plan: {json.dumps(plan)}",
            f"    title: {json.dumps(title)}",
            f"    requirements: [{', '.join(requirements)}]",
            f"    suites: [{', '.join(s.name for s in members)}]",
        ]
    lines += ["", "suites:"]
    for suite in suites:
        lines += [f"  {suite.name}:"]
        if not suite.plan:
            lines += ["    # no GSD plan names this file: say which requirement it verifies"]
        lines += [
            f"    requirement: {suite.requirement}",
            f"    targets: [{suite.target}]",
            "    expected:",
            *(f"      - {yaml_item(_short(suite, t))}" for t in suite.tests),
        ]
        if suite.ports:
            where = ", ".join(sorted({f for p, f in ports if p in suite.ports}))
            lines += [
                f"    # the tests start their own server on these ports ({where}); regress",
                "    # frees stale ones it started, and waits for them to be free afterwards",
                f"    ports: [{', '.join(str(p) for p in suite.ports)}]",
            ]
    return "\n".join(lines) + "\n"


def _plan_groups(
    suites: Sequence[ProposedSuite], plans: Sequence[PlanDoc]
) -> list[tuple[str, str, list[ProposedSuite]]]:
    titles = {f"{p.phase}/{p.plan}": p.title for p in plans}
    groups: dict[str, list[ProposedSuite]] = {}
    for suite in suites:
        groups.setdefault(suite.plan or f"{UNPLANNED_PHASE}/01", []).append(suite)
    return [
        (key, titles.get(key, "Regression suites (no GSD plan names their tests)"), members)
        for key, members in groups.items()
    ]


def _short(suite: ProposedSuite, nodeid: str) -> str:
    return nodeid.removeprefix(f"{suite.target}::") if suite.target.endswith(".py") else nodeid

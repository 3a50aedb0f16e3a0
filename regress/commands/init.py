"""`regress init`: write a first suites.yaml for a project that has none, from what pytest
collects, the ports its conftests hard-code, and its GSD plans."""

from __future__ import annotations

import dataclasses
from pathlib import Path, PurePosixPath

from regress.errors import RegressError
from regress.manifest.gsd_plans import PlanDoc, read_plans
from regress.manifest.load import parse_manifest
from regress.manifest.propose import (
    Proposal,
    ProposedSuite,
    hard_coded_ports,
    propose_suites,
    render_manifest,
)
from regress.manifest.write import write_text
from regress.running.collect import collect_ids


def init(manifest: Path) -> Proposal:
    """Propose and write the manifest (never over an existing one)."""
    if manifest.exists():
        raise RegressError(
            f"{manifest} exists; regress init only writes a new manifest - edit it, or run "
            "`regress inventory --write` to refresh its expected tests"
        )
    root = manifest.resolve().parent
    ids = collect_ids(root)
    if not ids:
        raise RegressError(f"pytest collects no tests in {root}; run init in the project root")
    plans = read_plans(root)
    ports: dict[int, str] = {}
    suites = []
    unplanned = 0
    for suite in propose_suites(ids):
        planned = _planned(suite, plans)
        if planned is None:
            unplanned += 1
            planned = (f"TEST-{unplanned:02d}", "")
        found = (
            hard_coded_ports(root, str(PurePosixPath(suite.target).parent)) if suite.browser else ()
        )
        ports.update({p: f for p, f in found if p not in ports})
        suites.append(
            dataclasses.replace(
                suite,
                requirement=planned[0],
                plan=planned[1],
                ports=tuple(p for p, _ in found),
            )
        )
    text = render_manifest(suites, plans, tuple(ports.items()))
    parse_manifest(manifest, text)  # what init writes, run accepts
    write_text(manifest, text)
    return Proposal(
        path=manifest,
        suites=tuple(suites),
        plans=tuple(dict.fromkeys(s.plan for s in suites if s.plan)),
        ports=tuple(sorted(ports.items())),
    )


def _planned(suite: ProposedSuite, plans: tuple[PlanDoc, ...]) -> tuple[str, str] | None:
    """(requirement, "phase/plan") of the first plan naming the suite's file."""
    for plan in plans:
        for path, requirement in plan.tests:
            if path == suite.target:
                return requirement, f"{plan.phase}/{plan.plan}"
    return None

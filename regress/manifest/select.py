"""Selecting plans and suites of a manifest (`--phase`, `--suite`) with parameter overrides."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from regress.errors import RegressError
from regress.manifest.model import Manifest, Mutation, Plan, Suite


@dataclass(frozen=True)
class Selection:
    """Which plans and suites a command works on, with parameter overrides applied."""

    manifest: Manifest
    plans: tuple[Plan, ...]
    suites: tuple[Suite, ...]


def select(
    manifest: Manifest,
    *,
    phases: tuple[str, ...] = (),
    suites: tuple[str, ...] = (),
    params: tuple[tuple[str, str], ...] = (),
) -> Selection:
    """Select plans by phase number or slug and suites by name; apply parameter overrides."""
    plans = manifest.plans
    if phases:
        chosen = []
        for phase in phases:
            matched = [p for p in manifest.plans if phase in (p.phase, p.phase_number)]
            if not matched:
                known = ", ".join(sorted({p.phase for p in manifest.plans}))
                raise RegressError(
                    f"--phase {phase}: no plan has that phase number or slug (known: {known})"
                )
            chosen += [p for p in matched if p not in chosen]
        plans = tuple(chosen)
    names = [name for plan in plans for name in plan.suites]
    if suites:
        for name in suites:
            if name not in {s.name for s in manifest.suites}:
                hint = difflib.get_close_matches(name, [s.name for s in manifest.suites], n=1)
                extra = f"; did you mean '{hint[0]}'?" if hint else ""
                raise RegressError(f"--suite {name}: no such suite in {manifest.path}{extra}")
            if name not in names:
                raise RegressError(f"--suite {name}: not part of the selected phase(s)")
        names = [name for name in names if name in suites]
        plans = tuple(p for p in plans if any(name in p.suites for name in names))
    ordered = [s for s in manifest.suites if s.name in names]
    for key, _ in params:
        if not any(key in s.param_dict for s in ordered):
            declared = sorted({k for s in ordered for k in s.param_dict})
            raise RegressError(
                f"--param {key}: no selected suite has that parameter "
                f"(parameters: {', '.join(declared) or 'none'})"
            )
    overrides = dict(params)
    applied = tuple(
        _with_params(s, {k: v for k, v in overrides.items() if k in s.param_dict}) for s in ordered
    )
    return Selection(manifest=manifest, plans=plans, suites=applied)


def select_mutations(
    manifest: Manifest, *, phases: tuple[str, ...] = (), names: tuple[str, ...] = ()
) -> tuple[Mutation, ...]:
    """The mutations of the plans of phases (a mutation belongs to the plans of its
    requirements), narrowed to names."""
    if not manifest.mutations:
        raise RegressError(
            f"{manifest.path}: no 'mutations:' section; declare the bugs the suites must catch "
            "(see `mutations:` in the README's manifest reference)"
        )
    chosen = manifest.mutations
    if phases:
        plans = select(manifest, phases=phases).plans
        covered = {requirement for plan in plans for requirement in plan.requirements}
        chosen = tuple(m for m in chosen if covered.intersection(m.requirements))
    for name in names:
        if name not in {m.name for m in chosen}:
            known = [m.name for m in chosen]
            hint = difflib.get_close_matches(name, known, n=1)
            extra = f"did you mean '{hint[0]}'?" if hint else f"known: {', '.join(known) or 'none'}"
            raise RegressError(f"--mutation {name}: no such mutation in the selection ({extra})")
    if names:
        chosen = tuple(m for m in chosen if m.name in names)
    if not chosen:
        raise RegressError("no mutation selected: check --phase against the manifest's mutations")
    return chosen


def _with_params(suite: Suite, overrides: dict[str, str]) -> Suite:
    if not overrides:
        return suite
    params = tuple((k, overrides.get(k, v)) for k, v in suite.params)
    return Suite(**{**suite.__dict__, "params": params})


def parse_param(text: str) -> tuple[str, str]:
    """--param name=value."""
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise RegressError(f"--param {text}: expected NAME=VALUE, e.g. --param stagger=0.5")
    return name.strip(), value.strip()

"""`--shard I/N`: a deterministic split of the selected suites into N shards, longest first.

Every machine of a CI matrix computes the split from the same inputs (the selection, and the
durations found in the run history), so each runs its own share and no suite twice.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from regress.errors import RegressError
from regress.judging import history
from regress.judging.results import ShardInfo
from regress.manifest.select import Selection

_SHARD = re.compile(r"\s*(\d+)\s*/\s*(\d+)\s*")


@dataclass(frozen=True)
class Split:
    """Suite names per shard (shard 1 first), and the weight each suite was given."""

    shards: tuple[tuple[str, ...], ...]
    weights: tuple[tuple[str, float], ...]

    def load(self, index: int) -> float:
        """Total weight of shard `index` (0-based)."""
        weight = dict(self.weights)
        return sum(weight[name] for name in self.shards[index])


def parse_shard(text: str) -> tuple[int, int]:
    """--shard I/N with 1 <= I <= N."""
    match = _SHARD.fullmatch(text)
    if not match or not 1 <= int(match[1]) <= int(match[2]):
        raise RegressError(f"--shard {text}: expected I/N with 1 <= I <= N, e.g. --shard 2/3")
    return int(match[1]), int(match[2])


def split(names: Sequence[str], weights: Mapping[str, float], total: int) -> Split:
    """Longest processing time first: heaviest suite onto the least loaded shard.

    Ties (equal weights, equal loads) go by manifest order and the lowest shard number, so the
    same inputs give the same split; with equal weights this deals the suites out in turn.
    """
    loads = [0.0] * total
    shards: list[list[str]] = [[] for _ in range(total)]
    position = {name: i for i, name in enumerate(names)}
    for name in sorted(names, key=lambda n: (-weights[n], position[n])):
        target = min(range(total), key=lambda i: (loads[i], i))
        shards[target].append(name)
        loads[target] += weights[name]
    in_order = tuple(tuple(sorted(s, key=position.__getitem__)) for s in shards)
    return Split(in_order, tuple((name, float(weights[name])) for name in names))


def shard_of(
    selection: Selection, reports: Path, index: int, total: int
) -> tuple[Selection, ShardInfo]:
    """Shard `index` (1-based) of `total` of the selection, split by the history in reports.

    Suites the history does not know count as the mean of those it knows; with no history at
    all every suite weighs the same, which deals them out in manifest order.
    """
    names = tuple(s.name for s in selection.suites)
    known, runs = history.last_durations(reports, names)
    if known:
        mean = sum(known.values()) / len(known)
        weights = {n: round(known.get(n, mean), 1) for n in names}
        missing = len(names) - len(known)
        reason = f"longest first by last known duration from {runs} run(s) in {reports.name}/"
        if missing:
            reason += f"; {missing} suite(s) without history counted as the mean {mean:.1f}s"
    else:
        weights = dict.fromkeys(names, 1.0)
        reason = f"manifest order: no run history in {reports.name}/"
    parts = split(names, weights, total)
    mine = set(parts.shards[index - 1])
    info = ShardInfo(
        index=index,
        total=total,
        split=parts.shards,
        reason=reason,
        durations=parts.weights,
        order=names,
        plan_order=tuple(p.key for p in selection.plans),
    )
    chosen = replace(
        selection,
        plans=tuple(p for p in selection.plans if mine & set(p.suites)),
        suites=tuple(s for s in selection.suites if s.name in mine),
    )
    return chosen, info

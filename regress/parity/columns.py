"""Which columns a comparison covers (ColumnPlan), and the report made of per-column counts.

Pure Python: every reader (bytes, small files, pandas) shares it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from regress.parity.model import ColumnDivergence, Divergence, ParityReport, Reader, Verdict


class ColumnPlan(NamedTuple):
    """Which columns are compared and where they sit in each file."""

    compared: tuple[str, ...]
    only_in_a: tuple[str, ...]
    only_in_b: tuple[str, ...]
    excluded: tuple[str, ...]
    index_a: tuple[int, ...]
    index_b: tuple[int, ...]

    @classmethod
    def build(cls, names_a: list[str], names_b: list[str], exclude: tuple[str, ...]) -> ColumnPlan:
        skip, in_a, in_b = set(exclude), set(names_a), set(names_b)
        compared = tuple(n for n in names_a if n in in_b and n not in skip)
        return cls(
            compared=compared,
            only_in_a=tuple(n for n in names_a if n not in in_b and n not in skip),
            only_in_b=tuple(n for n in names_b if n not in in_a and n not in skip),
            excluded=exclude,
            index_a=tuple(names_a.index(n) for n in compared),
            index_b=tuple(names_b.index(n) for n in compared),
        )


def build_report(
    plan: ColumnPlan,
    counts: Sequence[int],
    examples: Sequence[Sequence[Divergence]],
    *,
    labels: tuple[str, str],
    rows: tuple[int, int],
    tolerance: int,
    reader: Reader,
) -> ParityReport:
    """The report: divergent columns (count and first examples, per compared column) and the
    verdict, which also weighs the row counts and the column sets."""
    divergent = tuple(
        ColumnDivergence(name, count, tuple(kept))
        for name, count, kept in zip(plan.compared, counts, examples, strict=True)
        if count
    )
    same = abs(rows[0] - rows[1]) <= tolerance and not (plan.only_in_a or plan.only_in_b)
    verdict = Verdict.IDENTICAL if same and not divergent else Verdict.DIVERGENT
    return ParityReport(
        a=labels[0],
        b=labels[1],
        rows_a=rows[0],
        rows_b=rows[1],
        row_tolerance=tolerance,
        compared=plan.compared,
        only_in_a=plan.only_in_a,
        only_in_b=plan.only_in_b,
        excluded=plan.excluded,
        divergent=divergent,
        reader=reader,
        verdict=verdict,
    )

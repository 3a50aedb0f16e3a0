"""Which columns a comparison covers (ColumnPlan) and the running divergence counts (Tally)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from regress.parity.csv_bytes import CellText, Mask
from regress.parity.model import ColumnDivergence, Divergence, ParityReport, Reader, Verdict


@dataclass(frozen=True)
class ColumnPlan:
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


class Tally:
    """Accumulates per-column divergence counts and the first examples, chunk by chunk."""

    def __init__(self, plan: ColumnPlan, max_examples: int) -> None:
        self.plan = plan
        self.max_examples = max_examples
        self.counts = np.zeros(len(plan.compared), np.int64)
        self.examples: list[list[Divergence]] = [[] for _ in plan.compared]

    def add(self, offset: int, divergent: Mask, text_a: CellText, text_b: CellText) -> None:
        counts = divergent.sum(axis=0)
        self.counts += counts
        for column in map(int, np.flatnonzero(counts)):
            kept = self.examples[column]
            need = self.max_examples - len(kept)
            if need > 0:
                for row in map(int, np.flatnonzero(divergent[:, column])[:need]):
                    kept.append(Divergence(offset + row, text_a(row, column), text_b(row, column)))

    def report(
        self, labels: tuple[str, str], rows: tuple[int, int], tolerance: int, reader: Reader
    ) -> ParityReport:
        plan = self.plan
        divergent = tuple(
            ColumnDivergence(name, int(count), tuple(examples))
            for name, count, examples in zip(plan.compared, self.counts, self.examples, strict=True)
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

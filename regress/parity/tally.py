"""The running divergence counts of a comparison read with numpy (Tally)."""

from __future__ import annotations

import numpy as np

from regress.parity.columns import ColumnPlan, build_report
from regress.parity.csv_bytes import CellText, Mask
from regress.parity.model import Divergence, ParityReport, Reader


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
        """The report of the rows tallied so far."""
        counts = [int(count) for count in self.counts]
        return build_report(
            self.plan,
            counts,
            self.examples,
            labels=labels,
            rows=rows,
            tolerance=tolerance,
            reader=reader,
        )

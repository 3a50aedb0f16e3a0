"""Rendering of parity reports (Rich and JSON) and the glue for ``regress parity``."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from regress.parity.check import check_paths, exit_code, to_json
from regress.parity.model import ColumnDivergence, ParityReport, Verdict
from regress.parity.pairing import DirParityReport

__all__ = ["render", "render_dir_report", "render_report", "run_parity_command", "to_json"]

_VERDICT_STYLE = {Verdict.IDENTICAL: "bold green", Verdict.DIVERGENT: "bold red"}
_SHOWN_COLUMNS = 3


def run_parity_command(
    paths: list[Path],
    exclude: Sequence[str] | None,
    row_tolerance: int,
    as_json: bool,
    console: Console,
) -> int:
    """Run ``regress parity A.csv B.csv`` or ``regress parity DATA_DIR`` and print the result.

    Args:
        paths: Two export files, or one data directory.
        exclude: Columns to ignore; ``None`` means ``DEFAULT_EXCLUDE``. A list replaces
            the defaults rather than adding to them.
        row_tolerance: Row-count difference still accepted.
        as_json: Print ``to_json(report)`` instead of tables.
        console: Where to print.

    Returns:
        0 when identical, 1 when divergent (or, for a directory, any export unpaired).

    Raises:
        RegressError: Wrong number of paths or an unusable input (exit code 2).
    """
    report = check_paths(paths, exclude, row_tolerance)
    if as_json:
        console.out(json.dumps(to_json(report), indent=2, ensure_ascii=False), highlight=False)
    else:
        console.print(render(report))
    return exit_code(report)


def render(report: ParityReport | DirParityReport) -> RenderableType:
    """The tables of a pair's or a data folder's report."""
    if isinstance(report, DirParityReport):
        return render_dir_report(report)
    return render_report(report)


def render_report(report: ParityReport) -> RenderableType:
    """Verdict, row and column summary, and a table of divergent columns."""
    parts: list[RenderableType] = [
        Text.assemble(_verdict(report.verdict), "  ", report.a, "  vs  ", report.b)
    ]
    parts.extend(Text(f"  - {reason}") for reason in report.reasons)
    summary = Table.grid(padding=(0, 2))
    summary.add_row("rows", f"a {report.rows_a}, b {report.rows_b}")
    summary.add_row("compared", f"{len(report.compared)} columns x {report.rows_compared} rows")
    summary.add_row("only in a", _names(report.only_in_a))
    summary.add_row("only in b", _names(report.only_in_b))
    summary.add_row("excluded", _names(report.excluded))
    parts.append(summary)
    if report.divergent:
        table = Table(title="Divergent columns", title_justify="left")
        table.add_column("Column")
        table.add_column("Cells", justify="right")
        table.add_column("First divergent rows (a | b)")
        for column in report.divergent:
            table.add_row(Text(column.column), str(column.count), _examples(column))
        parts.append(table)
    return Group(*parts)


def render_dir_report(report: DirParityReport) -> RenderableType:
    """One row per compared pair with a total, then the unpaired or unreadable exports."""
    table = Table(title=Text(f"Parity of {report.data_dir}"), title_justify="left")
    for name in ("Scene", "Game", "Episode", "Rows a/b", "Divergent columns", "Cells"):
        table.add_column(name, justify="right" if name in {"Episode", "Cells"} else "left")
    table.add_column("Verdict")
    for pair in report.pairs:
        result = pair.report
        names = [column.column for column in result.divergent]
        more = len(names) - _SHOWN_COLUMNS
        table.add_row(
            Text(pair.key.scene),
            Text(pair.key.game_id),
            str(pair.key.episode),
            f"{result.rows_a}/{result.rows_b}",
            Text(", ".join(names[:_SHOWN_COLUMNS]) + (f" (+{more})" if more > 0 else "")),
            str(result.divergent_cells),
            _verdict(result.verdict),
        )
    table.add_section()
    identical = len(report.pairs) - report.divergent_pairs
    table.add_row(
        "Total",
        f"{len(report.pairs)} pairs",
        "",
        "",
        f"{identical} identical, {report.divergent_pairs} divergent",
        str(sum(pair.report.divergent_cells for pair in report.pairs)),
        _verdict(report.verdict),
    )
    parts: list[RenderableType] = [table]
    if report.problems:
        problems = Table(title="Not compared", title_justify="left")
        problems.add_column("Problem")
        problems.add_column("Files")
        problems.add_column("Detail")
        for problem in report.problems:
            problems.add_row(
                problem.kind.value, Text("\n".join(problem.files)), Text(problem.message)
            )
        parts.append(problems)
    return Group(*parts)


def _verdict(verdict: Verdict) -> Text:
    return Text(verdict.name, style=_VERDICT_STYLE[verdict])


def _names(names: tuple[str, ...]) -> Text:
    return Text(", ".join(names) if names else "-")


def _examples(column: ColumnDivergence) -> Text:
    lines = [f"row {e.row}: {e.a!r} | {e.b!r}" for e in column.examples]
    if column.count > len(column.examples):
        lines.append(f"... {column.count - len(column.examples)} more")
    return Text("\n".join(lines))

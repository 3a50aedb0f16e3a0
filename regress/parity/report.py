"""The text `regress parity` prints: a pair's verdict and divergent columns, or a data folder's
table of pairs. Plain text, coloured only when asked: the command must start as fast as a
plain csv script, and importing Rich alone takes longer than comparing 450 rows.

Names and messages from the files are printed with control characters escaped, so a column
called ``\\x1b[2J`` cannot clear the user's terminal; cell values are shown as Python literals.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from regress.parity.check import to_json
from regress.parity.model import ColumnDivergence, ParityReport, Verdict

if TYPE_CHECKING:
    from regress.parity.pairing import DirParityReport

__all__ = ["render", "render_dir_report", "render_report", "to_json"]

_SHOWN_COLUMNS = 3
_GAP = "  "
_ESCAPES = {code: f"\\x{code:02x}" for code in (*range(32), 127)}
_COLOURS = {Verdict.IDENTICAL.name: "\x1b[1;32m", Verdict.DIVERGENT.name: "\x1b[1;31m"}
_RESET = "\x1b[0m"


def render(report: ParityReport | DirParityReport, *, colour: bool = False) -> str:
    """The text of a pair's or a data folder's report, ending with a newline."""
    if isinstance(report, ParityReport):
        return render_report(report, colour=colour)
    return render_dir_report(report, colour=colour)


def render_report(report: ParityReport, *, colour: bool = False) -> str:
    """Verdict, row and column summary, and a table of divergent columns."""
    lines = [f"{_verdict(report.verdict, colour)}  {_clean(report.a)}  vs  {_clean(report.b)}"]
    lines.extend(f"  - {reason}" for reason in report.reasons)
    summary = [
        ("rows", f"a {report.rows_a}, b {report.rows_b}"),
        ("compared", f"{len(report.compared)} columns x {report.rows_compared} rows"),
        ("only in a", _names(report.only_in_a)),
        ("only in b", _names(report.only_in_b)),
        ("excluded", _names(report.excluded)),
    ]
    width = max(len(label) for label, _ in summary)
    lines.extend(f"{label:<{width}}{_GAP}{value}" for label, value in summary)
    if report.divergent:
        lines += ["", "Divergent columns"]
        lines += _table(
            ("Column", "Cells", "First divergent rows (a | b)"),
            [
                (_clean(column.column), str(column.count), _examples(column))
                for column in report.divergent
            ],
            right={1},
        )
    return "\n".join(lines) + "\n"


def render_dir_report(report: DirParityReport, *, colour: bool = False) -> str:
    """One row per compared pair with a total, then the unpaired or unreadable exports."""
    rows: list[Sequence[str]] = []
    for pair in report.pairs:
        result = pair.report
        names = [_clean(column.column) for column in result.divergent]
        more = len(names) - _SHOWN_COLUMNS
        rows.append(
            (
                _clean(pair.key.scene),
                _clean(pair.key.game_id),
                str(pair.key.episode),
                f"{result.rows_a}/{result.rows_b}",
                ", ".join(names[:_SHOWN_COLUMNS]) + (f" (+{more})" if more > 0 else ""),
                str(result.divergent_cells),
                result.verdict.name,
            )
        )
    identical = len(report.pairs) - report.divergent_pairs
    total = (
        "Total",
        f"{len(report.pairs)} pairs",
        "",
        "",
        f"{identical} identical, {report.divergent_pairs} divergent",
        str(sum(pair.report.divergent_cells for pair in report.pairs)),
        report.verdict.name,
    )
    headers = ("Scene", "Game", "Episode", "Rows a/b", "Divergent columns", "Cells", "Verdict")
    table = _table(headers, [*rows, total], right={2, 5}, total=True)
    if colour:
        table = [_paint(line) for line in table]
    lines = [f"Parity of {_clean(report.data_dir)}", *table]
    if report.problems:
        lines += ["", "Not compared"]
        lines += _table(
            ("Problem", "Files", "Detail"),
            [
                (problem.kind.value, "\n".join(map(_clean, problem.files)), _clean(problem.message))
                for problem in report.problems
            ],
        )
    return "\n".join(lines) + "\n"


def _table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    right: set[int] | frozenset[int] = frozenset(),
    total: bool = False,
) -> list[str]:
    """Aligned columns under a ruled header; a cell may hold several lines. With ``total``, the
    last row is set off by a second rule."""
    cells = [[cell.split("\n") for cell in row] for row in rows]
    widths = [
        max([len(header), *(len(line) for row in cells for line in row[index])])
        for index, header in enumerate(headers)
    ]

    def line(parts: Sequence[str]) -> str:
        padded = [
            part.rjust(width) if index in right else part.ljust(width)
            for index, (part, width) in enumerate(zip(parts, widths, strict=True))
        ]
        return _GAP.join(padded).rstrip()

    rule = _GAP.join("-" * width for width in widths)
    out = [line(headers), rule]
    for number, row in enumerate(cells):
        if total and number == len(cells) - 1:
            out.append(rule)
        height = max(len(cell) for cell in row)
        for depth in range(height):
            out.append(line([cell[depth] if depth < len(cell) else "" for cell in row]))
    return out


def _verdict(verdict: Verdict, colour: bool) -> str:
    return _paint(verdict.name) if colour else verdict.name


def _paint(line: str) -> str:
    """The line with a verdict word at its end coloured (tables end with the verdict)."""
    for word, code in _COLOURS.items():
        if line.endswith(word):
            return f"{line[: -len(word)]}{code}{word}{_RESET}"
    return line


def _clean(text: str) -> str:
    """Control characters shown as escapes (a name from a file must not drive the terminal)."""
    return text.translate(_ESCAPES)


def _names(names: tuple[str, ...]) -> str:
    return ", ".join(map(_clean, names)) if names else "-"


def _examples(column: ColumnDivergence) -> str:
    lines = [f"row {e.row}: {e.a!r} | {e.b!r}" for e in column.examples]
    if column.count > len(column.examples):
        lines.append(f"... {column.count - len(column.examples)} more")
    return "\n".join(lines)

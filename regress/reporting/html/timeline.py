"""The run as an SVG timeline: one lane per suite and pass, with the server's spawn-to-ready,
its life, its teardown, and each test as a bar; the gaps between them are the runner's time.

Runs recorded before per-test times existed show one bar per suite (from its start and
duration) and say so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from regress.judging.results import SuiteResult, TestStatus
from regress.judging.verdicts import Judgement
from regress.reporting.html.markup import esc, seconds

LABEL = 230  # px for lane names
PLOT = 900  # px for time
LANE = 20  # px per lane
AXIS = 24  # px for the time axis at the top
MIN_BAR = 1.0  # px: a test of a millisecond is still drawn


@dataclass(frozen=True)
class Bar:
    """One drawn interval of a lane."""

    start: float
    end: float
    css: str
    title: str
    nodeid: str = ""


def render_timeline(judgement: Judgement) -> str:
    """The SVG (or a note when the record holds no times at all)."""
    lanes = [
        (f"{result.kind.value} · {result.suite}", _bars(result))
        for kind in judgement.ran
        if (whole := judgement.record.pass_of(kind)) is not None
        for result in whole.suites
    ]
    moments = [t for _, bars in lanes for bar in bars for t in (bar.start, bar.end)]
    if not moments:
        return "<p class='muted'>This run recorded no times to draw.</p>"
    start, end = min(moments), max(moments)
    span = max(end - start, 1e-3)

    def x(moment: float) -> float:
        return LABEL + (moment - start) / span * PLOT

    parts = [_axis(span, len(lanes))]
    for index, (label, bars) in enumerate(lanes):
        y = AXIS + index * LANE
        parts.append(f'<text x="4" y="{y + 14}">{esc(label)}</text>')
        for bar in bars:
            width = max(x(bar.end) - x(bar.start), MIN_BAR)
            inset = 7 if bar.css in ("alive",) else 3
            parts.append(
                f'<rect class="{bar.css}" x="{x(bar.start):.1f}" y="{y + inset}" '
                f'width="{width:.1f}" height="{LANE - 2 * inset}"><title>{esc(bar.title)}</title>'
                "</rect>"
            )
    height = AXIS + len(lanes) * LANE + 4
    note = (
        ""
        if any(bar.nodeid for _, bars in lanes for bar in bars)
        else "<p class='muted'>This run recorded no per-test times: suites are drawn whole.</p>"
    )
    return (
        f'{note}<svg class="timeline" role="img" aria-label="timeline of the run" '
        f'width="{LABEL + PLOT + 10}" height="{height}" '
        f'viewBox="0 0 {LABEL + PLOT + 10} {height}">{"".join(parts)}</svg>' + _legend()
    )


def _bars(result: SuiteResult) -> list[Bar]:
    bars: list[Bar] = []
    name = result.suite
    if result.server_started_at is not None and result.server_ready_at is not None:
        bars.append(
            Bar(
                result.server_started_at,
                result.server_ready_at,
                "spawn",
                f"{name}: server spawned, ready after {seconds(result.server_ready_seconds)}",
            )
        )
        if result.server_stopped_at is not None:
            down = result.server_stopped_at - (result.teardown_seconds or 0.0)
            bars.append(Bar(result.server_ready_at, down, "alive", f"{name}: server up"))
            bars.append(
                Bar(
                    down,
                    result.server_stopped_at,
                    "teardown",
                    f"{name}: teardown {seconds(result.teardown_seconds)}",
                )
            )
    for test in result.tests:
        if test.started_at is None:
            continue
        status = test.status.value.replace(" ", "-")
        css = "test passed" if test.status is TestStatus.PASSED else f"test {status}"
        bars.append(
            Bar(
                test.started_at,
                test.finished_at or test.started_at,
                css,
                f"{test.nodeid}: {test.status.value}, {seconds(test.duration)}",
                test.nodeid,
            )
        )
    if not bars:
        try:
            begun = datetime.fromisoformat(result.started).timestamp()
        except ValueError:
            return []
        bars.append(
            Bar(begun, begun + result.duration, "suite", f"{name}: {seconds(result.duration)}")
        )
    return bars


def _axis(span: float, lanes: int) -> str:
    ticks = []
    for step in range(6):
        offset = span * step / 5
        x = LABEL + PLOT * step / 5
        ticks.append(
            f'<line class="axis" x1="{x:.1f}" y1="{AXIS - 6}" x2="{x:.1f}" '
            f'y2="{AXIS + lanes * LANE}" stroke-dasharray="2 3"/>'
            f'<text x="{x - (30 if step == 5 else 0):.1f}" y="{AXIS - 9}">+{seconds(offset)}</text>'
        )
    return "".join(ticks)


def _legend() -> str:
    items = (
        ("#d4a72c", "server spawn to ready"),
        ("#dde3ea", "server up"),
        ("#8c959f", "teardown"),
        ("#1a7f37", "test passed"),
        ("#cf222e", "test not passed"),
    )
    return (
        '<p class="legend">'
        + "".join(f'<span><i style="background:{c}"></i>{esc(t)}</span>' for c, t in items)
        + " Gaps are the runner's own time.</p>"
    )

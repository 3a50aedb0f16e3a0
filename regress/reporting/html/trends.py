"""Trends across recent runs: per suite pass rate, duration and flakes; per test a sparkline.

Reads the judgements of earlier runs (oldest first) and the current one; a test "flaked" in a
run when its outcomes disagreed (alone vs combined, or repeated attempts) or when it passed in
one run and failed in the next.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence

from regress.judging.results import TestOutcome, TestStatus
from regress.judging.verdicts import Judgement
from regress.reporting.html.markup import esc, seconds

SPARK_WIDTH = 6  # px per run


def outcome_history(runs: Sequence[Judgement]) -> dict[str, list[bool | None]]:
    """Test id -> passed (True/False) or absent (None) in each run, oldest first."""
    ids = dict.fromkeys(t.nodeid for j in runs for v in j.suites for t in v.tests)
    found: dict[str, list[bool | None]] = {nodeid: [] for nodeid in ids}
    for judgement in runs:
        ran = {
            t.nodeid: t.passed
            for v in judgement.suites
            for t in v.tests
            if any(_ran(o) for o in (t.isolation, t.combined))
        }
        for nodeid, values in found.items():
            values.append(ran.get(nodeid))
    return found


def sparkline(values: Sequence[bool | None]) -> str:
    """A small SVG of a test's recent outcomes, oldest first: a tall green bar passed, a red
    one did not, a grey one did not run (one path per colour keeps 2,000 rows small)."""
    if not values:
        return ""
    paths = []
    for css in ("passed", "failed", "none"):
        bars = "".join(
            f"M{i * SPARK_WIDTH} {0 if css == 'passed' else 4}h{SPARK_WIDTH - 1}"
            f"v{12 if css == 'passed' else 8}h-{SPARK_WIDTH - 1}z"
            for i, v in enumerate(values)
            if _spark_class(v) == css
        )
        if bars:
            paths.append(f'<path class="{css}" d="{bars}"/>')
    passed = sum(1 for v in values if v)
    ran = sum(1 for v in values if v is not None)
    label = f"passed in {passed} of the {ran} recent runs that ran it"
    width = len(values) * SPARK_WIDTH
    return (
        f'<svg class="spark" role="img" width="{width}" height="12"'
        f' viewBox="0 0 {width} 12"><title>{label}</title>{"".join(paths)}</svg>'
    )


def _spark_class(value: bool | None) -> str:
    return "none" if value is None else ("passed" if value else "failed")


def render_trends(runs: Sequence[Judgement], history: Mapping[str, Sequence[bool | None]]) -> str:
    """A table per suite of the current run: pass rate, mean duration, flakes, over runs;
    history is outcome_history(runs)."""
    if len(runs) < 2:
        return "<p class='muted'>No earlier runs in this reports folder yet.</p>"
    current = runs[-1]
    by_suite = [{v.suite: v for v in j.suites} for j in runs]
    rows = []
    for verdict in current.suites:
        seen = [suites[verdict.suite] for suites in by_suite if verdict.suite in suites]
        ran = [v for v in seen if v.results]
        rate = sum(1 for v in ran if v.passed) / len(ran) if ran else 0.0
        durations = [v.duration for v in ran]
        mean = sum(durations) / len(durations) if durations else None
        flakes = sum(_flakes(history.get(t.nodeid, [])) for t in verdict.tests) + sum(
            1
            for v in ran
            for t in v.tests
            if t.comparison is not None
            and t.comparison.name in ("INTERFERENCE", "COMBINED_ONLY")
            and _ran(t.isolation)
            and _ran(t.combined)
        )
        rows.append(
            f"<tr><th scope='row'>{esc(verdict.suite)}</th><td class='num'>{len(ran)}</td>"
            f"<td class='num'>{rate:.0%}</td><td class='num'>{seconds(mean)}</td>"
            f"<td class='num'>{seconds(durations[-1] if durations else None)}</td>"
            f"<td class='num'>{flakes}</td>"
            f"<td>{sparkline([v.passed if v.results else None for v in seen])}</td></tr>"
        )
    first, last = runs[0].record.run_id, runs[-1].record.run_id
    return f"""<p class="muted">Last {len(runs)} runs, {esc(first)} to {esc(last)}.</p>
<table class="trends"><thead><tr><th scope="col">Suite</th><th scope="col">Runs</th>
<th scope="col">Pass rate</th><th scope="col">Mean time</th><th scope="col">This run</th>
<th scope="col">Flakes</th><th scope="col">Verdicts</th></tr></thead>
<tbody>{"".join(rows)}</tbody></table>"""


def _ran(outcome: TestOutcome | None) -> bool:
    """Whether the test ran in that pass (a blocked or interrupted suite's tests did not)."""
    return outcome is not None and outcome.status is not TestStatus.NOT_RUN


def _flakes(values: Sequence[bool | None]) -> int:
    """How often a test flipped between passing and failing from one run to the next."""
    ran = [v for v in values if v is not None]
    return sum(1 for a, b in itertools.pairwise(ran) if a != b)

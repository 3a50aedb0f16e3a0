"""The report's suites: per suite its passes, per test a row (alone, combined, duration,
interference, history) and the evidence of each pass that ran it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from regress.judging.results import (
    ParityEvidence,
    PassKind,
    SuiteResult,
    TestOutcome,
    TestStatus,
)
from regress.judging.verdicts import Judgement, SuiteVerdict, TestVerdict
from regress.reporting.html.markup import anchor, clock, esc, seconds, span, state
from regress.reporting.html.trends import sparkline

TRACEBACK_LINES = 15
WHERE = {PassKind.ISOLATION: "alone (isolation pass)", PassKind.COMBINED: "combined pass"}


def render_suites(judgement: Judgement, history: Mapping[str, Sequence[bool | None]]) -> str:
    """Every suite of the run, manifest order; history maps a test id to its recent outcomes."""
    return "\n".join(_suite(judgement, verdict, history) for verdict in judgement.suites)


def _suite(
    judgement: Judgement, verdict: SuiteVerdict, history: Mapping[str, Sequence[bool | None]]
) -> str:
    rows = "\n".join(_test_rows(judgement, verdict, test, history) for test in verdict.tests)
    passes = "".join(_pass_row(verdict, kind) for kind in judgement.ran)
    unattributed = [p for r in verdict.results for p in r.parity if not p.nodeid]
    parity = (
        "<h4>Exports not attributed to a test</h4>" + "".join(_parity(p) for p in unattributed)
        if unattributed
        else ""
    )
    return f"""<section class="suite" id="{anchor("suite", verdict.suite)}"
 data-suite="{esc(verdict.suite)}">
<h3>{esc(verdict.suite)} <span class="muted">{esc(verdict.requirement)}</span>
 {span(verdict.word.value)}</h3>
<table class="passes"><thead><tr><th scope="col">Pass</th><th scope="col">Status</th>
<th scope="col">Time</th><th scope="col">Server ready</th><th scope="col">Teardown</th>
<th scope="col">Exit</th><th scope="col">Reason</th><th scope="col">Files</th></tr></thead>
<tbody>{passes}</tbody></table>
<table class="tests"><thead><tr><th scope="col">Test</th><th scope="col">Alone</th>
<th scope="col">Combined</th><th scope="col">Duration</th><th scope="col">Interference</th>
<th scope="col">History</th></tr></thead>
<tbody>
{rows}
</tbody></table>{parity}
</section>"""


def _pass_row(verdict: SuiteVerdict, kind: PassKind) -> str:
    result = verdict.result(kind)
    if result is None:
        return (
            f"<tr><th scope='row'>{esc(kind.value)}</th><td colspan='7'>{span('not run')}</td></tr>"
        )
    files = [(label, path) for label, path in result.artifacts]
    if result.server_log and all(path != result.server_log for _, path in files):
        files.insert(0, ("server log", result.server_log))
    links = ", ".join(f'<a href="{esc(path)}">{esc(label)}</a>' for label, path in files)
    return (
        f"<tr><th scope='row'>{esc(kind.value)}</th><td>{span(result.status.value)}</td>"
        f"<td class='num'>{seconds(result.duration)}</td>"
        f"<td class='num'>{seconds(result.server_ready_seconds)}</td>"
        f"<td class='num'>{seconds(result.teardown_seconds)}</td>"
        f"<td class='num'>{esc('' if result.exit_code is None else result.exit_code)}</td>"
        f"<td>{esc(result.reason.splitlines()[0] if result.reason else '')}</td>"
        f"<td>{links}</td></tr>"
    )


def _test_rows(
    judgement: Judgement,
    verdict: SuiteVerdict,
    test: TestVerdict,
    history: Mapping[str, Sequence[bool | None]],
) -> str:
    detail = anchor("evidence", verdict.suite, test.nodeid)
    durations = [o.duration for o in (test.isolation, test.combined) if o is not None]
    failed = "0" if test.passed else "1"
    classification = test.comparison.value if test.comparison else "did not run"
    flag = (
        span("interference") if test.comparison and test.comparison.name == "INTERFERENCE" else ""
    )
    evidence = "".join(
        _evidence(judgement, verdict, test, kind)
        for kind in judgement.ran
        if test.outcome(kind) is not None
    )
    opened = " open" if failed == "1" and evidence else ""
    extra = "" if test.expected else " <em>(not expected)</em>"
    return f"""<tr class="test" data-suite="{esc(verdict.suite)}"
 data-req="{esc(verdict.requirement)}" data-failed="{failed}" data-detail="{detail}">
<td><a class="name" href="#{detail}">{esc(test.nodeid)}</a>{extra}</td>
<td>{_word(test.isolation)}</td><td>{_word(test.combined)}</td>
<td class="num">{" / ".join(seconds(d) for d in durations) or seconds(None)}</td>
<td>{esc(classification)} {flag}</td>
<td>{sparkline(history.get(test.nodeid, ()))}</td></tr>
<tr class="detail" id="{detail}"><td colspan="6"><details class="evidence"{opened}>
<summary>Evidence</summary>
{evidence or '<p class="muted">No evidence recorded: the test did not run.</p>'}
</details></td></tr>"""


def _word(outcome: TestOutcome | None) -> str:
    return span("absent") if outcome is None else span(outcome.status.value)


def _evidence(
    judgement: Judgement, verdict: SuiteVerdict, test: TestVerdict, kind: PassKind
) -> str:
    outcome = test.outcome(kind)
    result = verdict.result(kind)
    assert outcome is not None and result is not None
    parity = [_parity(p) for p in result.parity if p.nodeid == test.nodeid]
    if outcome.status is TestStatus.PASSED and not (outcome.artifacts or parity):
        return _passed(kind, result, outcome)
    parts = [f"<h4>{esc(WHERE[kind])}: {_word(outcome)}</h4>"]
    if outcome.started_at is not None:
        parts.append(
            f"<p class='muted'>{seconds(outcome.duration)}; ran {clock(outcome.started_at)} to "
            f"{clock(outcome.finished_at)}</p>"
        )
    if outcome.message:
        parts.append(f"<p class='message'><strong>{esc(outcome.message)}</strong></p>")
    if outcome.details:
        lines = outcome.details.splitlines()
        more = len(lines) - TRACEBACK_LINES
        shown = "\n".join(lines[:TRACEBACK_LINES])
        tail = f"\n… {more} more lines in the JUnit XML" if more > 0 else ""
        parts.append(f"<pre class='traceback'>{esc(shown + tail)}</pre>")
    parts.append(_log(result, outcome))
    parts.append(_artifacts(outcome))
    parts += parity
    del judgement
    return f'<div class="pass-evidence {state(kind.value)}">{"".join(parts)}</div>'


def _passed(kind: PassKind, result: SuiteResult, outcome: TestOutcome) -> str:
    """One line for a pass the test passed in: when, and where its log lines are."""
    when = (
        f", {clock(outcome.started_at)} to {clock(outcome.finished_at)}"
        if outcome.started_at is not None
        else ""
    )
    log = ""
    if result.server_log and outcome.log_lines:
        first, last = outcome.log_lines
        log = f", <a href='{esc(result.server_log)}'>server log lines {first}\u2013{last}</a>"
    return (
        f'<p class="pass-evidence {state(kind.value)}">{esc(WHERE[kind])}: '
        f"{_word(outcome)} in {seconds(outcome.duration)}{when}{log}</p>"
    )


def _log(result: SuiteResult, outcome: TestOutcome) -> str:
    own = next((path for label, path in outcome.artifacts if label == "server log"), "")
    log = result.server_log or own
    if not log or outcome.started_at is None:
        return ""  # no log, or no time window to point into
    if outcome.log_lines is None:
        return (
            f"<p>Server log: <a href='{esc(log)}'>{esc(log)}</a> "
            "<span class='muted'>(no lines in the test's time window)</span></p>"
        )
    first, last = outcome.log_lines
    head = f"<p>Server log lines {first}\u2013{last} of <a href='{esc(log)}'>{esc(log)}</a></p>"
    if not outcome.log_excerpt:
        return head
    shown = len(outcome.log_excerpt)
    note = f"\n… {last - first + 1 - shown} more lines" if last - first + 1 > shown else ""
    return head + f"<pre class='log'>{esc(chr(10).join(outcome.log_excerpt) + note)}</pre>"


def _artifacts(outcome: TestOutcome) -> str:
    parts = []
    for label, path in outcome.artifacts:
        link = f"<a href='{esc(path)}'>{esc(path)}</a>"
        if label == "screenshot":
            parts.append(
                f"<figure><a href='{esc(path)}'><img class='thumb' loading='lazy' "
                f"src='{esc(path)}' alt='screenshot {esc(path)}'></a>"
                f"<figcaption>{link}</figcaption></figure>"
            )
        elif label == "trace":
            parts.append(
                f"<p>Playwright trace: {link}<br>from the run folder: "
                f"<code>playwright show-trace {esc(path)}</code></p>"
            )
        elif label != "server log":
            parts.append(f"<p>{esc(label)}: {link}</p>")
    return "".join(parts)


def _parity(evidence: ParityEvidence) -> str:
    """An export pair: its verdict, per-column divergence counts, first divergent rows."""
    head = (
        f"<p>Export pair <a href='{esc(evidence.a)}'>{esc(evidence.a)}</a> and "
        f"<a href='{esc(evidence.b)}'>{esc(evidence.b)}</a>: {span(evidence.verdict)}"
        f" <span class='muted'>({evidence.rows_a} and {evidence.rows_b} rows)</span></p>"
    )
    reasons = "".join(f"<li>{esc(r)}</li>" for r in evidence.reasons)
    if not evidence.columns:
        return f'<div class="parity">{head}{f"<ul>{reasons}</ul>" if reasons else ""}</div>'
    rows = "".join(
        f"<tr><th scope='row'>{esc(c.column)}</th><td class='num'>{c.count}</td></tr>"
        for c in evidence.columns
    )
    examples = "".join(
        f"<tr><td>{esc(c.column)}</td><td class='num'>{row}</td>"
        f"<td class='a mono'>{esc(a)}</td><td class='b mono'>{esc(b)}</td></tr>"
        for c in evidence.columns
        for row, a, b in c.examples
    )
    return f"""<div class="parity"><ul>{reasons}</ul>{head}
<table class="columns"><thead><tr><th scope="col">Column</th><th scope="col">Divergent cells</th>
</tr></thead><tbody>{rows}</tbody></table>
<table class="divergent"><thead><tr><th scope="col">Column</th><th scope="col">Row</th>
<th scope="col">a</th><th scope="col">b</th></tr></thead><tbody>{examples}</tbody></table></div>"""

"""The whole HTML page: header facts, requirement matrix, failures, notices, filters, timeline,
suites with their tests' evidence, trends. A pure function of the judgement and history."""

from __future__ import annotations

from collections.abc import Sequence

from regress.judging.results import PassKind
from regress.judging.verdicts import Judgement
from regress.reporting.html.assets import CSS, JS
from regress.reporting.html.markup import anchor, esc, seconds, span, state
from regress.reporting.html.suites import render_suites
from regress.reporting.html.timeline import render_timeline
from regress.reporting.html.trends import outcome_history, render_trends

REPORT_FILE = "index.html"
HISTORY_RUNS = 20  # runs the trends look back over, the current one included


def render_html(judgement: Judgement, history: Sequence[Judgement] = ()) -> str:
    """The report of one run; history holds earlier runs' judgements, oldest first."""
    runs = [*history[-(HISTORY_RUNS - 1) :], judgement] if HISTORY_RUNS > 1 else [judgement]
    record = judgement.record
    history_of_tests = outcome_history(runs)
    title = f"regress {record.run_id}: {_verdict(judgement)}"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src 'self' file: data:;
 style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<title>{esc(title)}</title><style>{CSS}</style></head>
<body>
<header>{_header(judgement)}</header>
<main>
<h2 id="requirements">Requirements</h2>
{_matrix(judgement)}
{_failures(judgement)}
{_notices(judgement)}
<h2 id="timeline">Timeline</h2>
{render_timeline(judgement)}
<h2 id="suites">Suites and tests</h2>
{_filters(judgement)}
{render_suites(judgement, history_of_tests)}
<h2 id="trends">Trends</h2>
{render_trends(runs, history_of_tests)}
</main>
<footer>Written by regress from {esc(record.run_id)}/run.json; re-render with
<code>regress report --run {esc(record.run_id)}</code>.</footer>
<script>{JS}</script>
</body></html>
"""


def _verdict(judgement: Judgement) -> str:
    record = judgement.record
    if record.interrupted:
        return "INTERRUPTED"
    if not record.complete:
        return "PENDING"
    return "PASSED" if judgement.ok else "FAILED"


def _header(judgement: Judgement) -> str:
    record = judgement.record
    verdict = _verdict(judgement)
    css = {"PASSED": "s-pass", "FAILED": "s-fail"}.get(verdict, state(verdict))
    selection = ", ".join(f"{k}: {v}" for k, v in record.options) or "whole manifest"
    facts = [
        ("Exit code", "\u2013" if record.exit_code is None else str(record.exit_code)),
        ("Commit", (record.git_head[:12] or "not a git repository")),
        ("Modified files", ", ".join(record.files_modified) or "none"),
        ("Selection", selection),
        ("Plans", ", ".join(p.key for p in judgement.plans) or "none"),
        ("Passes", ", ".join(k.value for k in judgement.ran) or "none"),
        ("Started", record.started),
        ("Duration", seconds(record.duration)),
        ("Machine", ", ".join(f"{k} {v}" for k, v in record.machine) or "not recorded"),
        ("Tests", f"{judgement.passed}/{judgement.expected} passed in every pass that ran"),
    ]
    rows = "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in facts)
    return (
        f'<h1>regress run {esc(record.run_id)} <span class="verdict {css}">{esc(verdict)}</span>'
        f'</h1><dl class="facts">{rows}</dl>'
        '<nav><a href="#requirements">Requirements</a> · <a href="#timeline">Timeline</a> · '
        '<a href="#suites">Suites and tests</a> · <a href="#trends">Trends</a></nav>'
    )


def _matrix(judgement: Judgement) -> str:
    heads = "".join(f'<th scope="col">{esc(k.value)}</th>' for k in PassKind)
    rows = []
    for verdict in judgement.requirements:
        cells = "".join(
            f'<td class="{state(verdict.in_pass(k).value)}">{esc(verdict.in_pass(k).value)}</td>'
            for k in PassKind
        )
        overall = "satisfied" if verdict.satisfied else "not satisfied"
        suites = ", ".join(
            f'<a href="#{anchor("suite", name)}">{esc(name)}</a>' for name in verdict.suites
        )
        rows.append(
            f'<tr data-req="{esc(verdict.requirement)}"><th scope="row">'
            f"{esc(verdict.requirement)}</th><td>{suites}</td>{cells}"
            f'<td class="{state(overall)}">{esc(overall)}</td></tr>'
        )
    return (
        '<table class="matrix"><thead><tr><th scope="col">Requirement</th>'
        f'<th scope="col">Suites</th>{heads}<th scope="col">Overall</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _failures(judgement: Judgement) -> str:
    if not judgement.failing and not judgement.problems:
        return ""
    items = [
        f'<li><a href="#{anchor("evidence", f.suite, f.nodeid)}">{esc(f.nodeid)}</a> '
        f"<span class='muted'>{esc(f.requirement)} {esc(f.suite)}</span>: {esc(f.what)}"
        + (f"<br><code>{esc(f.message)}</code>" if f.message else "")
        + "</li>"
        for f in judgement.failing
    ]
    items += [
        f"<li>{esc(p.suite)} ({esc(p.kind.value)} pass): {span(p.status)} {esc(p.reason)}"
        + (f"; {p.not_run} tests did not run" if p.not_run else "")
        + "</li>"
        for p in judgement.problems
    ]
    return f'<h2 id="failures">Failures</h2><ul class="failures">{"".join(items)}</ul>'


def _notices(judgement: Judgement) -> str:
    record = judgement.record
    items = [
        f"<li>{esc(f.kind)} at <code>{esc(f.path)}:{f.line}</code>: <code>{esc(f.text)}</code></li>"
        for f in record.integrity
    ]
    items += [
        f"<li>{esc(leak.suite or 'combined pytest process')} ({esc(leak.kind.value)}) left "
        f"{esc(', '.join(leak.processes))}, stopped by regress</li>"
        for leak in judgement.leaks
    ]
    items += [f"<li>{esc(note)}</li>" for note in record.notes]
    if not items:
        return ""
    return f'<h2 id="notices">Notices</h2><ul class="notices">{"".join(items)}</ul>'


def _filters(judgement: Judgement) -> str:
    requirements = "".join(
        f'<option value="{esc(r.requirement)}">{esc(r.requirement)}</option>'
        for r in judgement.requirements
    )
    suites = "".join(
        f'<option value="{esc(v.suite)}">{esc(v.suite)}</option>' for v in judgement.suites
    )
    return f"""<form id="filters" hidden role="search" onsubmit="return false">
<label><input type="checkbox" id="f-failed"> failed only</label>
<label>requirement <select id="f-req"><option value="">all</option>{requirements}</select></label>
<label>suite <select id="f-suite"><option value="">all</option>{suites}</select></label>
<label>test name <input type="search" id="f-text" placeholder="search tests"></label>
<button type="button" id="f-expand">expand all</button>
<button type="button" id="f-collapse">collapse all</button>
<span id="f-count" class="muted" aria-live="polite"></span>
</form>"""

"""GSD SUMMARY markdown for one plan of a run: a pure function of the run's Judgement."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from regress.errors import RegressError
from regress.judging.history import RUN_FILE
from regress.judging.results import PassKind, PortEvent, RunRecord, SuiteResult, TestStatus
from regress.judging.verdicts import Judgement, Leak, PlanVerdict, RequirementState, SuiteVerdict
from regress.judging.wording import format_seconds, one_line, passes_phrase
from regress.reporting.sharding import shard_lines
from regress.reporting.summary_frontmatter import (
    OVERRIDES,
    SHORT_HASH,
    completed,
    decisions,
    frontmatter,
    minutes,
    plural,
    requirement_list,
    state_of,
)
from regress.reporting.summary_paths import (
    plan_keys,
    project_relative,
    split_key,
    summary_relpath,
    summary_relpath_in_run,
)


def render_summary(
    judgement: Judgement,
    plan_key: str,
    *,
    reports_dir: str = "reports",
    summary_path: str | None = None,
) -> str:
    """The GSD SUMMARY.md of one plan of a run.

    Args:
        judgement: the run's judgement (complete, interrupted or partial).
        plan_key: "<phase slug>/<plan>", one of plan_keys(judgement.record).
        reports_dir: the reports folder relative to the project root (key-files, and the
            artifacts named under Issues Encountered).
        summary_path: where the summary is written, relative to the project root; defaults
            to summary_relpath(plan_key).

    Returns:
        Markdown with YAML frontmatter, ending with a newline.
    """
    j, p = judgement, _find_plan(judgement, plan_key)
    record, plan = j.record, p.info
    created = [
        f"{reports_dir}/{record.run_id}/{RUN_FILE}",
        summary_path or summary_relpath(plan_key),
    ]
    parts = [
        frontmatter(j, p, created),
        f"# Phase {plan.phase.split('-', 1)[0]} Plan {plan.plan}: {plan.title} Summary",
        f"**{_one_liner(j, p)}**",
        _section("Performance", _performance(j, p)),
        _section("Accomplishments", _accomplishments(j, p)),
        _section("Task Commits", _task_commits(j, p)),
        _section("Files Created/Modified", _files(record, created)),
        _section("Decisions Made", _bullets(decisions(j, p))),
        _section("Deviations from Plan", _deviations(j, p)),
        _section("Issues Encountered", _issues(j, p, f"{reports_dir}/{record.run_id}")),
        _section("User Setup Required", ["None - no external service configuration required."]),
        _section("Next Phase Readiness", _readiness(j, p)),
        f"---\n*Phase: {plan.phase}*\n*Completed: {completed(record).isoformat()}*",
        _self_check(j, p),
    ]
    # the bold one-liner sits on the line right after the heading
    text = "\n\n".join(parts[:2]) + "\n" + "\n\n".join(parts[2:])
    return text.rstrip("\n") + "\n"


def run_summary(
    judgement: Judgement, plan_key: str, reports: Path, summary_path: Path | None = None
) -> str:
    """The SUMMARY as `regress run` writes it into reports/<run-id>/ (and `regress summary`
    prints it): every path relative to the project root.

    Args:
        judgement: the run's judgement.
        plan_key: one of plan_keys(judgement.record).
        reports: the reports folder of the run.
        summary_path: where this SUMMARY is written; default: its copy in the run folder.
    """
    record = judgement.record
    root = Path(record.project_root)
    base = project_relative(reports, root)
    where = (
        project_relative(summary_path, root)
        if summary_path is not None
        else f"{base}/{record.run_id}/{summary_relpath_in_run(plan_key)}"
    )
    return render_summary(judgement, plan_key, reports_dir=base, summary_path=where)


def _bullets(lines: list[str]) -> list[str]:
    return lines if lines[0].startswith("None") else [f"- {line}" for line in lines]


def _find_plan(judgement: Judgement, plan_key: str) -> PlanVerdict:
    split_key(plan_key)  # a malformed key is its own error
    try:
        return judgement.plan(plan_key)
    except KeyError:
        known = ", ".join(plan_keys(judgement.record)) or "none"
        raise RegressError(
            f"run {judgement.record.run_id} has no plan {plan_key} (its plans: {known})"
        ) from None


def _section(title: str, lines: Iterable[str]) -> str:
    return f"## {title}\n\n" + "\n".join(lines)


def _one_liner(j: Judgement, p: PlanVerdict) -> str:
    where = passes_phrase(j.ran)
    if p.self_check:
        return (
            f"All {p.expected} regression tests pass {where}; "
            f"{requirement_list(p.satisfied)} satisfied"
        )
    counts = f"{p.passed}/{p.expected} regression tests pass {where}"
    if j.record.interrupted:
        return f"Partial run (interrupted): {counts}; {_open(j, p)}"
    if j.partial:
        waiting = requirement_list(p.unverified)
        return f"Partial run (still running): {counts} so far; {waiting} not yet verified"
    reasons = _reasons(j, p)
    return f"{counts}; {_open(j, p)}" + (f" ({reasons})" if reasons else "")


def _open(j: Judgement, p: PlanVerdict) -> str:
    """What keeps the plan from being complete: "REG-01 not satisfied; REG-03 not run"."""
    focused = [r for r in p.unverified if state_of(j, r) is RequirementState.NOT_VERIFIED]
    parts = [
        f"{requirement_list(ids)} {what}"
        for ids, what in (
            (p.unsatisfied, "not satisfied"),
            (focused, "not verified (not every expected test ran)"),
            ([r for r in p.unverified if r not in focused], "not verified in both passes"),
            (p.not_selected, "not run"),
        )
        if ids
    ]
    return "; ".join(parts) or "not every suite of the plan passed"


def _reasons(j: Judgement, p: PlanVerdict) -> str:
    counts: dict[str, int] = {}
    for issue in p.failing:
        counts[issue.category] = counts.get(issue.category, 0) + 1
    for problem in p.problems:
        label = f"{problem.status} in {problem.kind.value}"
        counts[label] = counts.get(label, 0) + 1
    return ", ".join(f"{n} {label}" for label, n in counts.items())


def _performance(j: Judgement, p: PlanVerdict) -> list[str]:
    record = j.record
    own = sum(v.duration for v in p.suites)
    duration = minutes(record.duration)
    if len(record.plans) > 1:
        duration += f" (whole run; this plan's suites {format_seconds(own)})"
    tasks = sum(1 for v in p.suites if v.isolation or v.combined)
    finished = record.finished if not j.partial else f"{record.finished or 'n/a'} (partial)"
    return [
        f"- **Duration:** {duration}",
        f"- **Started:** {record.started}",
        f"- **Completed:** {finished}",
        f"- **Tasks:** {tasks}"
        + ("" if tasks == len(p.info.suites) else f" of {len(p.info.suites)}"),
        f"- **Files modified:** {len(record.files_modified)}",
    ]


def _suite_counts(j: Judgement, p: PlanVerdict, verdict: SuiteVerdict) -> str:
    passed, expected = verdict.passed_tests, verdict.expected
    verb = "passes" if expected == 1 else "pass"
    text = f"{passed}/{plural(expected, 'test')} {verb} {passes_phrase(j.ran)}"
    extra = [
        f"{n} {s.value}"
        for s in (TestStatus.DESELECTED, TestStatus.FLAKY)
        if (n := sum(1 for t in verdict.tests if t.expected and s in t.statuses))
    ]
    return text + (f" ({', '.join(extra)})" if extra else "")


def _accomplishments(j: Judgement, p: PlanVerdict) -> list[str]:
    lines = []
    # a suite of this plan may verify another plan's requirement: it is listed too, so the
    # headline's "REG-01 not satisfied" has its line here
    others = [v.requirement for v in p.suites if v.requirement not in p.info.requirements]
    for requirement in dict.fromkeys([*p.info.requirements, *others]):
        suites = [v for v in p.suites if v.requirement == requirement]
        state = (
            "satisfied"
            if requirement in p.satisfied
            or (requirement in others and all(v.passed for v in suites))
            else "not verified (not every expected test ran)"
            if state_of(j, requirement) is RequirementState.NOT_VERIFIED
            and requirement in p.unverified
            else "not verified in both passes"
            if requirement in p.unverified
            or (requirement in others and requirement not in p.unsatisfied)
            else "not verified"
            if requirement in p.not_selected
            else state_of(j, requirement).value
        )
        detail = "; ".join(f"`{v.suite}` {_suite_counts(j, p, v)}" for v in suites)
        owner = "" if requirement in p.info.requirements else " (another plan's requirement)"
        lines.append(
            f"- **{requirement}**{owner} {state}: {detail or 'no suite selected in this run'}"
        )
    return lines or ["- No requirements listed for this plan"]


def _task_commits(j: Judgement, p: PlanVerdict) -> list[str]:
    head = j.record.git_head
    commit = f"`{head[:SHORT_HASH]}`" if head else "no commit (working tree)"
    lines = ["Each suite ran as one task against the same tree:", ""]
    for number, verdict in enumerate(p.suites, start=1):
        ran = verdict.isolation is not None or verdict.combined is not None
        outcome = f"{commit} (test: {_suite_counts(j, p, verdict)})" if ran else "not run"
        lines.append(
            f"{number}. **Task {number}: Run `{verdict.suite}` ({verdict.requirement})** - "
            + outcome
        )
    return lines if p.suites else ["No suite of this plan was selected in this run."]


def _files(record: RunRecord, created: list[str]) -> list[str]:
    lines = [
        f"- `{created[0]}` - run record of {record.run_id}",
        f"- `{created[1]}` - this summary",
    ]
    lines += [f"- `{path}` - modified in the working tree" for path in record.files_modified]
    return lines


def _deviations(j: Judgement, p: PlanVerdict) -> list[str]:
    record, lines = j.record, []
    if record.interrupted:
        lines.append("- Run interrupted before completion; results are partial")
    elif not record.complete:
        lines.append("- Run still in progress when this summary was written; results are partial")
    for kind in PassKind:
        if kind not in j.ran:
            lines.append(f"- {kind.value.capitalize()} pass not run")
    selected = {v.suite for v in p.suites}
    lines += [f"- Suite `{s}` not selected in this run" for s in p.info.suites if s not in selected]
    lines += shard_lines(record)
    left_out = [_code(n) for n in p.deselected]
    if left_out:
        lines.append(f"- Deselected by -k/--test/--last-failed: {', '.join(left_out)}")
    lines += [
        f"- Parameter override `{item.strip()}` (instead of the manifest's value)"
        for key, value in record.options
        if key == OVERRIDES
        for item in value.split(",")
        if item.strip()
    ]
    return lines or ["None - plan executed exactly as written"]


def _issues(j: Judgement, p: PlanVerdict, run_dir: str) -> list[str]:
    """What went wrong; artifact paths relative to the project root, like every path here."""
    lines = []
    for issue in p.failing:
        text = f"- {_code(issue.nodeid)} ({issue.requirement}, {issue.suite}): {issue.what}"
        text += f": {issue.message}" if issue.message else ""
        paths = [f"{run_dir}/{path}" for _, found in issue.artifacts for path in found]
        logs = [path for path in paths if path.endswith(".log")] or paths
        if logs:
            text += " - see " + ", ".join(_code(path) for path in logs)
        lines.append(text)
    for problem in p.problems:
        not_run = f" ({plural(problem.not_run, 'test')} not run)" if problem.not_run else ""
        lines.append(
            f"- Suite {_code(problem.suite)} ({problem.requirement}) {problem.status} in the "
            f"{problem.kind.value} pass: {problem.reason}{not_run}"
        )
    lines += [_port_line(r, port) for v in p.suites for r in v.results for port in r.ports]
    lines += [_leak_line(leak) for leak in p.leaks]
    lines += [
        f"- Integrity: {finding.kind} at {_code(f'{finding.path}:{finding.line}')}: "
        f"{_code(one_line(finding.text))}"
        for finding in p.integrity
    ]
    lines += [f"- Run note: {one_line(note)}" for note in j.record.notes]
    return lines or ["None"]


def _port_line(result: SuiteResult, port: PortEvent) -> str:
    action = "freed" if port.freed else "refused to free"
    pid = "?" if port.pid is None else str(port.pid)
    return (
        f"- Port {port.port} {action} before {_code(result.suite)} ({result.kind.value} pass): "
        f"pid {pid}, user {port.user or '?'}, {_code(one_line(port.cmdline))} - "
        f"{one_line(port.reason)}"
    )


def _leak_line(leak: Leak) -> str:
    who = (
        f"Suite {_code(leak.suite)} ({leak.requirement})"
        if leak.suite
        else "The combined pytest process"
    )
    return (
        f"- {who} leaked {plural(len(leak.processes), 'process')} in the {leak.kind.value} pass, "
        f"stopped by regress: {', '.join(_code(p) for p in leak.processes)}"
    )


def _code(text: str) -> str:
    """Inline markdown code, safe for text holding backticks."""
    return f"`{text.replace('`', chr(39))}`"


def _readiness(j: Judgement, p: PlanVerdict) -> list[str]:
    if p.self_check:
        return [
            f"{requirement_list(p.satisfied)} verified {passes_phrase(j.ran)}; "
            "ready for the next plan."
        ]
    lines = [f"Not ready: {_open(j, p)}."]
    if p.not_selected:
        lines.append(
            f"{requirement_list(p.not_selected)} not verified: none of their suites was selected."
        )
    if j.partial:
        lines.append("The run did not finish; run it again to get a complete result.")
    elif p.failing or p.problems:
        lines.append("Fix what is listed under Issues Encountered and run the plan again.")
    if p.not_run and not j.partial:
        lines.append(
            f"Run every suite of the plan in both passes: regress run --phase {p.info.phase}"
        )
    return lines


def _self_check(j: Judgement, p: PlanVerdict) -> str:
    record = j.record
    where = passes_phrase(j.ran)
    if p.self_check:
        # Counts only: GSD reads fail/incomplete/blocked anywhere after the heading as a failed
        # check, and a requirement id or suite name (FAILOVER-01) may contain them.
        count = len(p.satisfied)
        lines = [
            f"- Run record {record.run_id} complete, not interrupted",
            f"- {p.expected}/{p.expected} expected tests passed {where}",
            f"- {count}/{count} requirements of this plan satisfied",
        ]
        found = len(p.integrity)
        lines.append(
            f"- Integrity scan of the selected suite files: {plural(found, 'finding')}"
            + (" (listed under Issues Encountered)" if found else "")
        )
        return "## Self-Check: PASSED\n\n" + "\n".join(lines)
    lines = []
    if j.partial:
        lines.append(
            f"- Run record {record.run_id} is partial"
            + (" (interrupted)" if record.interrupted else " (incomplete)")
        )
    lines.append(f"- {p.passed}/{p.expected} expected tests passed {where}")
    if p.deselected:
        lines.append(f"- {plural(len(p.deselected), 'expected test')} deselected")
    if p.satisfied:
        lines.append(f"- {requirement_list(p.satisfied)} satisfied")
    if p.unsatisfied:
        lines.append(f"- {requirement_list(p.unsatisfied)} not satisfied")
    if p.not_run:
        lines.append(f"- Not run: {'; '.join(p.not_run)}")
    elif p.unverified:
        lines.append(f"- {requirement_list(p.unverified)} not verified in both passes")
    return "## Self-Check: FAILED\n\n" + "\n".join(lines)

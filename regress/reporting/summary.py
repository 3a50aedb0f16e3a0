"""GSD SUMMARY markdown for one plan of a run: a pure function of the RunRecord."""

from __future__ import annotations

import contextlib
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from regress.errors import RegressError
from regress.judging.findings import (
    FailingTest,
    SuiteProblem,
    failing_tests,
    format_seconds,
    is_partial,
    one_line,
    passes_phrase,
    passes_run,
    suite_problems,
    tally,
)
from regress.judging.history import RUN_FILE
from regress.judging.results import (
    IntegrityFinding,
    PassKind,
    PlanInfo,
    PortEvent,
    RunRecord,
    SuiteResult,
)
from regress.judging.verdicts import SuiteVerdict, requirement_verdicts, suite_verdicts

PASS_PATTERN = "isolation + combined regression passes"
_OVERRIDES = "params"  # the run option holding `name=value,...` parameter overrides
_SHORT_HASH = 7

# --- the SUMMARY --------------------------------------------------------------------------------


def plan_keys(record: RunRecord) -> tuple[str, ...]:
    """The "<phase slug>/<plan>" keys of the plans in the run, in manifest order."""
    return tuple(f"{plan.phase}/{plan.plan}" for plan in record.plans)


def summary_filename(plan_key: str) -> str:
    """GSD file name of a plan's summary: "73-some-phase/02" -> 73-02-SUMMARY.md."""
    phase, plan = _split_key(plan_key)
    return f"{phase.split('-', 1)[0]}-{plan}-SUMMARY.md"


def summary_relpath_in_run(plan_key: str) -> str:
    """Where `regress run` writes a plan's summary inside the run folder: one folder per phase
    slug, since plans of different phases may share a number (two 73-02 plans)."""
    phase, _ = _split_key(plan_key)
    return f"{phase}/{summary_filename(plan_key)}"


def summary_relpath(plan_key: str) -> str:
    """Where GSD keeps a plan's summary, relative to the project root."""
    phase, _ = _split_key(plan_key)
    return f".planning/phases/{phase}/{summary_filename(plan_key)}"


def render_summary(
    record: RunRecord,
    plan_key: str,
    *,
    reports_dir: str = "reports",
    summary_path: str | None = None,
) -> str:
    """The GSD SUMMARY.md of one plan of a run.

    Args:
        record: the run (complete, interrupted or partial).
        plan_key: "<phase slug>/<plan>", one of plan_keys(record).
        reports_dir: the reports directory relative to the project root (for key-files).
        summary_path: where the summary is written, relative to the project root; defaults
            to summary_relpath(plan_key).

    Returns:
        Markdown with YAML frontmatter, ending with a newline.
    """
    plan = _find_plan(record, plan_key)
    facts = _Facts.of(record, plan)
    created = [
        f"{reports_dir}/{record.run_id}/{RUN_FILE}",
        summary_path or summary_relpath(plan_key),
    ]
    parts = [
        _frontmatter(facts, created),
        f"# Phase {plan.phase.split('-', 1)[0]} Plan {plan.plan}: {plan.title} Summary",
        f"**{_one_liner(facts)}**",
        _section("Performance", _performance(facts)),
        _section("Accomplishments", _accomplishments(facts)),
        _section("Task Commits", _task_commits(facts)),
        _section("Files Created/Modified", _files(record, created)),
        _section("Decisions Made", _bullets(_decisions(facts))),
        _section("Deviations from Plan", _deviations(facts)),
        _section("Issues Encountered", _issues(facts)),
        _section("User Setup Required", ["None - no external service configuration required."]),
        _section("Next Phase Readiness", _readiness(facts)),
        f"---\n*Phase: {plan.phase}*\n*Completed: {_completed(record).isoformat()}*",
        _self_check(facts),
    ]
    # the bold one-liner sits on the line right after the heading
    text = "\n\n".join(parts[:2]) + "\n" + "\n\n".join(parts[2:])
    return text.rstrip("\n") + "\n"


def run_summary(record: RunRecord, plan_key: str, reports: Path) -> str:
    """The SUMMARY as `regress run` writes it into reports/<run-id>/ (and `regress summary`
    prints it): key-files name the run's own files relative to the project root."""
    folder = reports.resolve()
    with contextlib.suppress(ValueError):
        folder = folder.relative_to(Path(record.project_root).resolve())
    base = folder.as_posix()
    return render_summary(
        record,
        plan_key,
        reports_dir=base,
        summary_path=f"{base}/{record.run_id}/{summary_relpath_in_run(plan_key)}",
    )


@dataclass(frozen=True)
class _Facts:
    """What the summary says about one plan, computed once."""

    record: RunRecord
    plan: PlanInfo
    ran: tuple[PassKind, ...]
    suites: tuple[SuiteVerdict, ...]  # the plan's suites that were selected
    satisfied: tuple[str, ...]
    unsatisfied: tuple[str, ...]  # selected for this run but not satisfied
    not_selected: tuple[str, ...]  # none of their suites was selected for this run
    passed: int
    expected: int
    issues: tuple[FailingTest, ...]
    problems: tuple[SuiteProblem, ...]

    @classmethod
    def of(cls, record: RunRecord, plan: PlanInfo) -> _Facts:
        verdicts = {v.requirement: v for v in requirement_verdicts(record)}
        suites = tuple(v for v in suite_verdicts(record) if v.suite in plan.suites)
        names = {v.suite for v in suites}
        passed, expected = tally(record, names)
        satisfied = tuple(
            r
            for r in plan.requirements
            if r in verdicts and verdicts[r].satisfied and not is_partial(record)
        )
        selected = {info.requirement for info in record.suites if info.name in plan.suites}
        return cls(
            record=record,
            plan=plan,
            ran=passes_run(record),
            suites=suites,
            satisfied=satisfied,
            unsatisfied=tuple(r for r in plan.requirements if r not in satisfied and r in selected),
            not_selected=tuple(r for r in plan.requirements if r not in selected),
            passed=passed,
            expected=expected,
            issues=failing_tests(record, names),
            problems=suite_problems(record, names),
        )

    @property
    def partial(self) -> bool:
        return is_partial(self.record)

    @property
    def self_check(self) -> bool:
        return bool(self.satisfied) and not self.unsatisfied and not self.partial


def _split_key(plan_key: str) -> tuple[str, str]:
    phase, sep, plan = plan_key.partition("/")
    if not sep or not phase or not plan or "/" in plan:
        raise RegressError(f"{plan_key!r} is not a plan key: write it as <phase slug>/<plan>")
    return phase, plan


def _find_plan(record: RunRecord, plan_key: str) -> PlanInfo:
    phase, number = _split_key(plan_key)
    for plan in record.plans:
        if plan.phase == phase and plan.plan == number:
            return plan
    known = ", ".join(plan_keys(record)) or "none"
    raise RegressError(f"run {record.run_id} has no plan {plan_key} (its plans: {known})")


def _completed(record: RunRecord) -> date:
    for stamp in (record.finished, record.started):
        try:
            return datetime.fromisoformat(stamp).date()
        except ValueError:
            continue
    raise RegressError(
        f"run {record.run_id} has no readable start or finish time: run `regress run` again"
    )


def _minutes(seconds: float) -> str:
    return f"{max(1, math.ceil(seconds / 60))}min"


def _frontmatter(facts: _Facts, created: list[str]) -> str:
    plan, record = facts.plan, facts.record
    data: dict[str, Any] = {
        "phase": plan.phase,
        "plan": plan.plan,
        "subsystem": plan.subsystem,
        "tags": list(plan.tags),
        "requires": [],  # the run record does not know the plan's depends_on
        "provides": [_provides(facts, v) for v in facts.suites],
        "affects": list(plan.requirements),
        "tech-stack": {"added": [], "patterns": [PASS_PATTERN]},
        "key-files": {"created": created, "modified": list(record.files_modified)},
        "key-decisions": _decisions(facts),
        "patterns-established": [],
        "requirements-completed": list(facts.satisfied),
        "duration": _minutes(record.duration),
        "completed": _completed(record),
    }
    text = yaml.dump(
        data,
        Dumper=_Dumper,
        sort_keys=False,
        default_flow_style=False,
        allow_unicode=True,
        width=4096,
    )
    return f"---\n{text}---"


class _Dumper(yaml.SafeDumper):
    """Safe YAML with block lists indented under their key, as GSD writes them."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _provides(facts: _Facts, verdict: SuiteVerdict) -> str:
    status = "verified" if verdict.passed else "not satisfied"
    return (
        f"{verdict.requirement} {status}: {verdict.suite} regression suite, "
        f"{_plural(verdict.expected, 'test')} {passes_phrase(facts.ran)}"
    )


def _bullets(lines: list[str]) -> list[str]:
    return lines if lines[0].startswith("None") else [f"- {line}" for line in lines]


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _section(title: str, lines: Iterable[str]) -> str:
    return f"## {title}\n\n" + "\n".join(lines)


def _requirement_list(ids: Iterable[str]) -> str:
    """REG-01, REG-02, REG-03, REG-05 -> "REG-01..REG-03, REG-05" (runs of three or more)."""
    groups: list[list[str]] = []
    previous: tuple[str, int, int] | None = None
    for rid in ids:
        match = re.fullmatch(r"(.*?)(\d+)", rid)
        key = (match.group(1), int(match.group(2)), len(match.group(2))) if match else None
        if (
            groups
            and key
            and previous
            and key[0::2] == previous[0::2]
            and key[1] == previous[1] + 1
        ):
            groups[-1].append(rid)
        else:
            groups.append([rid])
        previous = key
    return ", ".join(
        g[0] if len(g) == 1 else ", ".join(g) if len(g) == 2 else f"{g[0]}..{g[-1]}" for g in groups
    )


def _one_liner(facts: _Facts) -> str:
    where = passes_phrase(facts.ran)
    if facts.self_check:
        return (
            f"All {facts.expected} regression tests pass {where}; "
            f"{_requirement_list(facts.satisfied)} satisfied"
        )
    counts = f"{facts.passed}/{facts.expected} regression tests pass {where}"
    missing = f"{_requirement_list(facts.unsatisfied)} not satisfied"
    if facts.record.interrupted:
        return f"Partial run (interrupted): {counts}; {missing}"
    if facts.partial:
        waiting = _requirement_list(facts.unsatisfied)
        return f"Partial run (still running): {counts} so far; {waiting} not yet verified"
    reasons = _reasons(facts)
    return f"{counts}; {missing}" + (f" ({reasons})" if reasons else "")


def _reasons(facts: _Facts) -> str:
    counts: dict[str, int] = {}
    for issue in facts.issues:
        counts[issue.category] = counts.get(issue.category, 0) + 1
    for problem in facts.problems:
        label = f"{problem.status} in {problem.kind.value}"
        counts[label] = counts.get(label, 0) + 1
    return ", ".join(f"{n} {label}" for label, n in counts.items())


def _performance(facts: _Facts) -> list[str]:
    record = facts.record
    own = sum(v.duration for v in facts.suites)
    duration = _minutes(record.duration)
    if len(record.plans) > 1:
        duration += f" (whole run; this plan's suites {format_seconds(own)})"
    tasks = sum(1 for v in facts.suites if v.isolation or v.combined)
    finished = record.finished if not facts.partial else f"{record.finished or 'n/a'} (partial)"
    return [
        f"- **Duration:** {duration}",
        f"- **Started:** {record.started}",
        f"- **Completed:** {finished}",
        f"- **Tasks:** {tasks}"
        + ("" if tasks == len(facts.plan.suites) else f" of {len(facts.plan.suites)}"),
        f"- **Files modified:** {len(record.files_modified)}",
    ]


def _suite_counts(facts: _Facts, verdict: SuiteVerdict) -> str:
    passed, expected = tally(facts.record, {verdict.suite})
    verb = "passes" if expected == 1 else "pass"
    return f"{passed}/{_plural(expected, 'test')} {verb} {passes_phrase(facts.ran)}"


def _accomplishments(facts: _Facts) -> list[str]:
    lines = []
    for requirement in facts.plan.requirements:
        suites = [v for v in facts.suites if v.requirement == requirement]
        state = "satisfied" if requirement in facts.satisfied else "not satisfied"
        detail = "; ".join(f"`{v.suite}` {_suite_counts(facts, v)}" for v in suites)
        lines.append(f"- **{requirement}** {state}: {detail or 'no suite selected in this run'}")
    return lines or ["- No requirements listed for this plan"]


def _task_commits(facts: _Facts) -> list[str]:
    head = facts.record.git_head
    commit = f"`{head[:_SHORT_HASH]}`" if head else "no commit (working tree)"
    lines = ["Each suite ran as one task against the same tree:", ""]
    for number, verdict in enumerate(facts.suites, start=1):
        ran = verdict.isolation is not None or verdict.combined is not None
        outcome = f"{commit} (test: {_suite_counts(facts, verdict)})" if ran else "not run"
        lines.append(
            f"{number}. **Task {number}: Run `{verdict.suite}` ({verdict.requirement})** - "
            + outcome
        )
    return lines if facts.suites else ["No suite of this plan was selected in this run."]


def _files(record: RunRecord, created: list[str]) -> list[str]:
    lines = [
        f"- `{created[0]}` - run record of {record.run_id}",
        f"- `{created[1]}` - this summary",
    ]
    lines += [f"- `{path}` - modified in the working tree" for path in record.files_modified]
    return lines


def _decisions(facts: _Facts) -> list[str]:
    decisions = []
    if len(facts.ran) == len(PassKind):
        decisions.append(
            "Each suite ran alone, then all suites ran in one combined pytest process, "
            "so interference shows separately from plain failures"
        )
    decisions += [
        f"Run option `{key}={value}`" for key, value in facts.record.options if key != _OVERRIDES
    ]
    return decisions or ["None - followed plan as specified"]


def _deviations(facts: _Facts) -> list[str]:
    record, lines = facts.record, []
    if record.interrupted:
        lines.append("- Run interrupted before completion; results are partial")
    elif not record.complete:
        lines.append("- Run still in progress when this summary was written; results are partial")
    for kind in PassKind:
        if kind not in facts.ran:
            lines.append(f"- {kind.value.capitalize()} pass not run")
    selected = {v.suite for v in facts.suites}
    lines += [
        f"- Suite `{s}` not selected in this run" for s in facts.plan.suites if s not in selected
    ]
    lines += [
        f"- Parameter override `{item.strip()}` (instead of the manifest's value)"
        for key, value in record.options
        if key == _OVERRIDES
        for item in value.split(",")
        if item.strip()
    ]
    return lines or ["None - plan executed exactly as written"]


def _issues(facts: _Facts) -> list[str]:
    lines = []
    for issue in facts.issues:
        text = f"- {_code(issue.nodeid)} ({issue.requirement}, {issue.suite}): {issue.what}"
        text += f": {issue.message}" if issue.message else ""
        paths = [path for _, found in issue.artifacts for path in found]
        logs = [path for path in paths if path.endswith(".log")] or paths
        if logs:
            text += " - see " + ", ".join(_code(path) for path in logs)
        lines.append(text)
    for problem in facts.problems:
        not_run = f" ({_plural(problem.not_run, 'test')} not run)" if problem.not_run else ""
        lines.append(
            f"- Suite {_code(problem.suite)} ({problem.requirement}) {problem.status} in the "
            f"{problem.kind.value} pass: {problem.reason}{not_run}"
        )
    lines += [_port_line(r, port) for v in facts.suites for r in _results(v) for port in r.ports]
    lines += [
        f"- Integrity: {finding.kind} at {_code(f'{finding.path}:{finding.line}')}: "
        f"{_code(one_line(finding.text))}"
        for finding in _integrity(facts)
    ]
    lines += [f"- Run note: {one_line(note)}" for note in facts.record.notes]
    return lines or ["None"]


def _results(verdict: SuiteVerdict) -> tuple[SuiteResult, ...]:
    return tuple(r for r in (verdict.isolation, verdict.combined) if r is not None)


def _port_line(result: SuiteResult, port: PortEvent) -> str:
    action = "freed" if port.freed else "refused to free"
    pid = "?" if port.pid is None else str(port.pid)
    return (
        f"- Port {port.port} {action} before {_code(result.suite)} ({result.kind.value} pass): "
        f"pid {pid}, user {port.user or '?'}, {_code(one_line(port.cmdline))} - "
        f"{one_line(port.reason)}"
    )


def _integrity(facts: _Facts) -> tuple[IntegrityFinding, ...]:
    """Findings in this plan's suite files, and any the record cannot attribute to a suite."""
    files = {info.name: {t.split("::", 1)[0] for t in info.targets} for info in facts.record.suites}
    mine = {path for v in facts.suites for path in files.get(v.suite, ())}
    anyone = {path for paths in files.values() for path in paths}
    return tuple(f for f in facts.record.integrity if f.path in mine or f.path not in anyone)


def _code(text: str) -> str:
    """Inline markdown code, safe for text holding backticks."""
    return f"`{text.replace('`', chr(39))}`"


def _readiness(facts: _Facts) -> list[str]:
    unverified = (
        [
            f"{_requirement_list(facts.not_selected)} not verified: "
            "none of their suites was selected."
        ]
        if facts.not_selected
        else []
    )
    if facts.self_check and not facts.not_selected:
        return [
            f"{_requirement_list(facts.satisfied)} verified {passes_phrase(facts.ran)}; "
            "ready for the next plan."
        ]
    if facts.self_check:
        return [
            f"{_requirement_list(facts.satisfied)} verified {passes_phrase(facts.ran)}.",
            *unverified,
            "Run the whole plan before moving on.",
        ]
    lines = [f"Not ready: {_requirement_list(facts.unsatisfied)} not satisfied.", *unverified]
    if facts.partial:
        lines.append("The run did not finish; run it again to get a complete result.")
    elif facts.issues or facts.problems:
        lines.append("Fix what is listed under Issues Encountered and run the plan again.")
    return lines


def _self_check(facts: _Facts) -> str:
    record = facts.record
    where = passes_phrase(facts.ran)
    if facts.self_check:
        lines = [
            f"- Run record {record.run_id} complete, not interrupted",
            f"- {facts.expected}/{facts.expected} expected tests passed {where}",
            f"- {_requirement_list(facts.satisfied)} satisfied",
        ]
        found = len(_integrity(facts))
        lines.append(
            f"- Integrity scan of the selected suite files: {_plural(found, 'finding')}"
            + (" (listed under Issues Encountered)" if found else "")
        )
        return "## Self-Check: PASSED\n\n" + "\n".join(lines)
    lines = []
    if facts.partial:
        lines.append(
            f"- Run record {record.run_id} is partial"
            + (" (interrupted)" if record.interrupted else " (incomplete)")
        )
    lines.append(f"- {facts.passed}/{facts.expected} expected tests passed {where}")
    if facts.satisfied:
        lines.append(f"- {_requirement_list(facts.satisfied)} satisfied")
    lines.append(f"- {_requirement_list(facts.unsatisfied) or 'no requirement'} not satisfied")
    return "## Self-Check: FAILED\n\n" + "\n".join(lines)

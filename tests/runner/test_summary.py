"""The GSD SUMMARY: frontmatter, heading and one-liner, sections, and the Self-Check."""

from __future__ import annotations

import dataclasses
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from regress.errors import RegressError
from regress.judging.judge import judge
from regress.judging.results import PassKind, PlanInfo, RunRecord, SuiteStatus
from regress.judging.results import TestStatus as Status
from regress.reporting import summary as summary_module
from regress.reporting.summary_paths import plan_keys, summary_filename, summary_relpath
from tests.runner import records


def render_summary(record: RunRecord, key: str, **kwargs: Any) -> str:
    """The SUMMARY of one plan, rendered from the record's judgement."""
    return summary_module.render_summary(judge(record), key, **kwargs)


KEYS = [
    "phase",
    "plan",
    "subsystem",
    "tags",
    "requires",
    "provides",
    "affects",
    "tech-stack",
    "key-files",
    "key-decisions",
    "patterns-established",
    "requirements-completed",
    "duration",
    "completed",
]
SECTIONS = [
    "Performance",
    "Accomplishments",
    "Task Commits",
    "Files Created/Modified",
    "Decisions Made",
    "Deviations from Plan",
    "Issues Encountered",
    "User Setup Required",
    "Next Phase Readiness",
]
FORBIDDEN = re.compile(r"fail|incomplete|blocked", re.IGNORECASE)


def split(summary: str) -> tuple[str, str]:
    """(frontmatter YAML, markdown body)."""
    match = re.fullmatch(r"---\n(.*?)\n---\n(.*)", summary, re.DOTALL)
    assert match, summary[:200]
    return match.group(1), match.group(2)


def front(summary: str) -> dict[str, Any]:
    data = yaml.safe_load(split(summary)[0])
    assert isinstance(data, dict)
    return data


def section(summary: str, title: str) -> str:
    body = split(summary)[1]
    start = body.index(f"## {title}")
    end = body.find("\n## ", start + 1)
    return body[start : end if end >= 0 else None]


def after_self_check(summary: str) -> str:
    return summary[summary.index("## Self-Check") :]


def one_plan_fails() -> RunRecord:
    """Plan 02 passes everything; plan 01's network-disruption suite is blocked."""
    results = {
        kind: tuple(
            records.suite_result(
                s.name,
                kind,
                {records.nodeid(s.name, i): (Status.NOT_RUN, "") for i in range(3)},
                status=SuiteStatus.BLOCKED,
                reason="port 5707 held by pid 4242 (alice)",
                ports=(records.REFUSED_PORT,),
            )
            if s.name == "network-disruption"
            else records.suite_result(s.name, kind)
            for s in records.SUITES
        )
        for kind in PassKind
    }
    return records.make_record(results, exit_code=1, integrity=(records.SKIP_FINDING,))


PASSING_SUMMARIES = [
    pytest.param(records.passing_record(), records.PLAN_02, id="passing-02"),
    pytest.param(records.passing_record(), records.PLAN_01, id="passing-01"),
    pytest.param(one_plan_fails(), records.PLAN_02, id="other-plan-blocked"),
]
ALL_SUMMARIES = [
    *PASSING_SUMMARIES,
    pytest.param(records.isolation_only_record(), records.PLAN_02, id="isolation-only"),
    pytest.param(records.failing_record(), records.PLAN_02, id="failing-02"),
    pytest.param(records.failing_record(), records.PLAN_01, id="failing-01"),
    pytest.param(one_plan_fails(), records.PLAN_01, id="blocked-01"),
    pytest.param(records.interrupted_record(), records.PLAN_02, id="interrupted"),
    pytest.param(records.interrupted_record(complete=False), records.PLAN_02, id="partial"),
]


@pytest.mark.parametrize(("record", "key"), ALL_SUMMARIES)
def test_frontmatter_parses_with_keys_in_order(record: RunRecord, key: str) -> None:
    summary = render_summary(record, key)
    raw, _ = split(summary)
    top_level = [line.split(":", 1)[0] for line in raw.splitlines() if re.match(r"[a-z]", line)]
    assert top_level == KEYS
    data = front(summary)
    assert list(data) == KEYS
    assert list(data["tech-stack"]) == ["added", "patterns"]
    assert list(data["key-files"]) == ["created", "modified"]


def test_frontmatter_values_of_a_passing_plan() -> None:
    data = front(render_summary(records.passing_record(), records.PLAN_02))
    assert data["phase"] == records.PHASE
    assert data["plan"] == "02"
    assert data["subsystem"] == "testing"
    assert data["tags"] == ["e2e", "regression", "playwright"]
    assert data["requires"] == []
    assert len(data["provides"]) == 4
    assert data["provides"][0].startswith("REG-01 verified: data-comparison")
    assert data["tech-stack"] == {
        "added": [],
        "patterns": ["isolation + combined regression passes"],
    }
    assert data["key-files"] == {
        "created": [
            f"reports/{records.RUN_ID}/run.json",
            ".planning/phases/73-network-regression-validation/73-02-SUMMARY.md",
        ],
        "modified": [],
    }
    assert data["requirements-completed"] == ["REG-01", "REG-02", "REG-03", "REG-04"]
    assert data["duration"] == "23min"
    assert data["completed"] == date(2026, 11, 21)


@pytest.mark.parametrize(
    ("record", "key", "completed"),
    [
        pytest.param(records.failing_record(), records.PLAN_02, ["REG-04"], id="failing-02"),
        pytest.param(records.failing_record(), records.PLAN_01, ["NET-01"], id="failing-01"),
        pytest.param(one_plan_fails(), records.PLAN_01, ["NET-01"], id="blocked-01"),
        pytest.param(one_plan_fails(), records.PLAN_02, ["REG-01", "REG-02", "REG-03", "REG-04"]),
        pytest.param(records.interrupted_record(), records.PLAN_02, [], id="interrupted"),
    ],
)
def test_requirements_completed_lists_only_satisfied_ones(
    record: RunRecord, key: str, completed: list[str]
) -> None:
    assert front(render_summary(record, key))["requirements-completed"] == completed


def test_frontmatter_of_a_failing_plan_keeps_modified_files_and_options() -> None:
    data = front(render_summary(records.failing_record(), records.PLAN_02))
    assert data["key-files"]["modified"] == ["testbed/server.py"]
    assert "Run option `headed=yes`" in data["key-decisions"]
    assert not any("stagger" in decision for decision in data["key-decisions"])
    assert data["provides"][2].startswith("REG-03 not satisfied")


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        pytest.param(4.0, "1min", id="seconds-round-up-to-one"),
        pytest.param(60.0, "1min", id="exact-minute"),
        pytest.param(61.0, "2min", id="rounds-up"),
        pytest.param(1380.0, "23min", id="sample"),
        pytest.param(4000.0, "67min", id="over-an-hour"),
    ],
)
def test_duration_rounds_up_to_whole_minutes(seconds: float, expected: str) -> None:
    record = dataclasses.replace(records.passing_record(), duration=seconds)
    assert front(render_summary(record, records.PLAN_02))["duration"] == expected


def test_awkward_values_survive_the_yaml_round_trip() -> None:
    plan = dataclasses.replace(
        records.PLANS[1],
        title='Fix: "quotes" & #hashes',
        subsystem="ui: client",
        tags=("yes", "null", "- dash", "'single'"),
    )
    record = dataclasses.replace(
        records.passing_record(),
        plans=(records.PLANS[0], plan),
        files_modified=("a: b.py", "#c.js", "@d.md"),
    )
    summary = render_summary(record, records.PLAN_02)
    data = front(summary)
    assert data["subsystem"] == "ui: client"
    assert data["tags"] == ["yes", "null", "- dash", "'single'"]
    assert data["key-files"]["modified"] == ["a: b.py", "#c.js", "@d.md"]
    assert '# Phase 73 Plan 02: Fix: "quotes" & #hashes Summary' in summary


@pytest.mark.parametrize(("record", "key"), ALL_SUMMARIES)
def test_heading_then_bold_one_liner_on_the_very_next_line(record: RunRecord, key: str) -> None:
    _, body = split(render_summary(record, key))
    lines = body.splitlines()
    assert lines[0] == ""
    number = key.rsplit("/", 1)[1]
    title = next(p.title for p in record.plans if p.plan == number)
    assert lines[1] == f"# Phase 73 Plan {number}: {title} Summary"
    assert re.fullmatch(r"\*\*[^*]+\*\*", lines[2])


@pytest.mark.parametrize(
    ("record", "key", "line"),
    [
        pytest.param(
            records.passing_record(),
            records.PLAN_02,
            "**All 9 regression tests pass in isolation and combined; REG-01..REG-04 satisfied**",
            id="passing",
        ),
        pytest.param(
            records.passing_record(),
            records.PLAN_01,
            "**All 6 regression tests pass in isolation and combined; NET-01, NET-02 satisfied**",
            id="two-requirements",
        ),
        pytest.param(
            records.isolation_only_record(),
            records.PLAN_02,
            "**9/9 regression tests pass in isolation; "
            "REG-01..REG-04 not verified in both passes**",
            id="isolation-only",
        ),
        pytest.param(
            records.failing_record(),
            records.PLAN_02,
            "**6/9 regression tests pass in isolation and combined; REG-01..REG-03 not satisfied "
            "(1 failed, 1 missing, 1 interference)**",
            id="failing",
        ),
        pytest.param(
            one_plan_fails(),
            records.PLAN_01,
            "**3/6 regression tests pass in isolation and combined; NET-02 not satisfied "
            "(1 blocked in isolation, 1 blocked in combined)**",
            id="blocked",
        ),
        pytest.param(
            records.interrupted_record(),
            records.PLAN_02,
            "**Partial run (interrupted): 5/9 regression tests pass in isolation; "
            "REG-01..REG-04 not verified in both passes**",
            id="interrupted",
        ),
        pytest.param(
            records.interrupted_record(complete=False),
            records.PLAN_02,
            "**Partial run (still running): 5/9 regression tests pass in isolation so far; "
            "REG-01..REG-04 not yet verified**",
            id="partial",
        ),
    ],
)
def test_one_liner(record: RunRecord, key: str, line: str) -> None:
    assert split(render_summary(record, key))[1].splitlines()[2] == line


@pytest.mark.parametrize(("record", "key"), ALL_SUMMARIES)
def test_sections_in_order_with_self_check_last(record: RunRecord, key: str) -> None:
    body = split(render_summary(record, key))[1]
    headings = re.findall(r"^## (.+)$", body, re.MULTILINE)
    assert headings[:-1] == SECTIONS
    assert headings[-1] in {"Self-Check: PASSED", "Self-Check: FAILED"}
    assert body.endswith("\n") and not body.endswith("\n\n")


@pytest.mark.parametrize(("record", "key"), PASSING_SUMMARIES)
def test_passing_plan_self_check_passes_with_no_forbidden_words(
    record: RunRecord, key: str
) -> None:
    summary = render_summary(record, key)
    tail = after_self_check(summary)
    assert tail.startswith("## Self-Check: PASSED\n\n- ")
    assert FORBIDDEN.search(tail) is None, tail
    assert "complete, not interrupted" in tail


@pytest.mark.parametrize(
    ("record", "key", "expected"),
    [
        pytest.param(
            records.failing_record(), records.PLAN_02, "REG-01..REG-03 not satisfied", id="failing"
        ),
        pytest.param(one_plan_fails(), records.PLAN_01, "NET-02 not satisfied", id="blocked"),
        pytest.param(
            records.interrupted_record(),
            records.PLAN_02,
            f"Run record {records.RUN_ID} is partial (interrupted)",
            id="interrupted",
        ),
        pytest.param(
            records.interrupted_record(complete=False),
            records.PLAN_02,
            f"Run record {records.RUN_ID} is partial (incomplete)",
            id="partial",
        ),
    ],
)
def test_self_check_fails_honestly(record: RunRecord, key: str, expected: str) -> None:
    tail = after_self_check(render_summary(record, key))
    assert tail.startswith("## Self-Check: FAILED\n\n")
    assert expected in tail


def test_an_interrupted_run_that_passed_so_far_still_fails_the_self_check() -> None:
    """Every selected requirement passed, but the run was cut short: not a PASSED summary."""
    record = dataclasses.replace(records.isolation_only_record(), interrupted=True)
    summary = render_summary(record, records.PLAN_02)
    assert after_self_check(summary).startswith("## Self-Check: FAILED")
    assert "- Run interrupted before completion; results are partial" in summary
    partial = render_summary(records.interrupted_record(complete=False), records.PLAN_02)
    assert "- Run still in progress when this summary was written" in partial


def test_a_partial_record_claims_nothing_even_when_all_passed_so_far() -> None:
    record = dataclasses.replace(records.isolation_only_record(), complete=False)
    summary = render_summary(record, records.PLAN_02)
    assert front(summary)["requirements-completed"] == []
    assert after_self_check(summary).startswith("## Self-Check: FAILED")
    assert "is partial (incomplete)" in after_self_check(summary)


def test_performance_and_task_commits() -> None:
    summary = render_summary(records.failing_record(), records.PLAN_02)
    performance = section(summary, "Performance")
    assert "- **Duration:** 23min (whole run; this plan's suites 4m09s)" in performance
    assert f"- **Started:** {records.STARTED}" in performance
    assert f"- **Completed:** {records.FINISHED}\n" in performance
    assert "- **Tasks:** 4\n" in performance
    assert "- **Files modified:** 1" in performance
    commits = section(summary, "Task Commits")
    assert re.findall(r"^\d\. \*\*Task \d: Run `([a-z-]+)`", commits, re.MULTILINE) == [
        "data-comparison",
        "multiplayer-basic",
        "multi-participant",
        "focus-loss",
    ]
    assert commits.count("`3f9c2a1`") == 4
    unversioned = dataclasses.replace(records.passing_record(), git_head="")
    assert "no commit (working tree)" in render_summary(unversioned, records.PLAN_02)


def test_interrupted_performance_counts_tasks_reached() -> None:
    summary = render_summary(records.interrupted_record(), records.PLAN_02)
    performance = section(summary, "Performance")
    assert "- **Tasks:** 2 of 4" in performance
    assert "(partial)" in performance
    commits = section(summary, "Task Commits")
    assert "2. **Task 2: Run `multiplayer-basic` (REG-02)** - `3f9c2a1` (test: 1/2" in commits
    assert "3. **Task 3: Run `multi-participant` (REG-03)** - not run\n" in commits


def test_accomplishments_per_requirement() -> None:
    text = section(render_summary(records.failing_record(), records.PLAN_02), "Accomplishments")
    assert (
        "- **REG-01** not satisfied: `data-comparison` 3/4 tests pass in isolation and combined"
    ) in text
    assert "- **REG-04** satisfied: `focus-loss` 1/1 test passes in isolation and combined" in text


def test_deviations() -> None:
    none = "None - plan executed exactly as written"
    assert none in section(render_summary(records.passing_record(), records.PLAN_02), "Deviations")
    failing = section(render_summary(records.failing_record(), records.PLAN_02), "Deviations")
    assert "- Parameter override `stagger=1.0` (instead of the manifest's value)" in failing
    assert "- Parameter override `episodes=2` (instead" in failing
    assert none not in failing
    assert "headed" not in failing  # an option, not a deviation: listed under Decisions
    skipped = section(
        render_summary(records.isolation_only_record(), records.PLAN_02), "Deviations"
    )
    assert "- Combined pass not run" in skipped
    decisions = section(render_summary(records.isolation_only_record(), records.PLAN_02), "Dec")
    assert "- Run option `passes=isolation only`" in decisions
    narrowed = dataclasses.replace(
        records.passing_record(),
        suites=tuple(s for s in records.SUITES if s.name != "focus-loss"),
    )
    text = render_summary(narrowed, records.PLAN_02)
    assert "- Suite `focus-loss` not selected in this run" in section(text, "Deviations")
    assert front(text)["requirements-completed"] == ["REG-01", "REG-02", "REG-03"]
    # Not every suite of the plan ran: the plan is not complete, even though every selected
    # requirement is satisfied; the self-check names what did not run.
    tail = after_self_check(text)
    assert tail.startswith("## Self-Check: FAILED")
    assert tail.rstrip().endswith("- Not run: suites not selected: focus-loss")
    assert "REG-04 not verified: none of their suites was selected." in section(text, "Next")
    assert "REG-04" not in front(text)["requirements-completed"]


def test_a_plan_run_in_one_pass_only_is_not_complete() -> None:
    text = render_summary(records.isolation_only_record(), records.PLAN_02)

    tail = after_self_check(text)
    assert tail.startswith("## Self-Check: FAILED")
    assert tail.rstrip().endswith("- Not run: combined pass not run")
    assert front(text)["requirements-completed"] == []


def test_issues_encountered() -> None:
    assert section(render_summary(records.passing_record(), records.PLAN_02), "Issues").endswith(
        "\n\nNone\n"
    )
    issues = section(render_summary(records.failing_record(), records.PLAN_02), "Issues")
    assert (
        f"- `{records.FAILED_TEST}` (REG-01, data-comparison): failed alone and combined: "
        f"{records.FAILED_MESSAGE} - see `reports/{records.RUN_ID}/isolation/data-comparison/"
        f"pytest.log`, `reports/{records.RUN_ID}/combined/data-comparison/pytest.log`"
    ) in issues  # relative to the project root, as every path of a SUMMARY
    assert (
        f"- `{records.MISSING_TEST}` (REG-02, multiplayer-basic): missing alone and combined"
    ) in issues
    assert (
        f"- `{records.INTERFERENCE_TEST}` (REG-03, multi-participant): passed alone, failed "
        f"combined (interference): {records.INTERFERENCE_MESSAGE}"
    ) in issues
    assert (
        "- Port 5702 freed before `data-comparison` (isolation pass): pid 999, user ci, "
        "`python -m testbed.server --port 5702` - stale regress server"
    ) in issues
    assert (
        "- Integrity: skip marker at `tests/e2e/test_multi_participant.py:42`: "
        '`@pytest.mark.skip(reason="flaky")`'
    ) in issues
    assert "- Run note: chromium printed 3 GPU warnings" in issues
    assert "5707" not in issues  # plan 01's port belongs in plan 01's summary
    plan_01 = section(render_summary(records.failing_record(), records.PLAN_01), "Issues")
    assert (
        "- Suite `network-disruption` (NET-02) blocked in the isolation pass: port 5707 held by "
        "pid 4242 (alice), not started by regress (3 tests not run)"
    ) in plan_01
    assert (
        "- Port 5707 refused to free before `network-disruption` (isolation pass): pid 4242, "
        "user alice, `python -m http.server 5707` - not started by regress"
    ) in plan_01
    assert "skip marker" not in plan_01  # the finding is in a plan 02 file


def test_readiness() -> None:
    ready = section(render_summary(records.passing_record(), records.PLAN_02), "Next Phase")
    assert "REG-01..REG-04 verified in isolation and combined; ready for the next plan." in ready
    not_ready = section(render_summary(records.failing_record(), records.PLAN_02), "Next Phase")
    assert "Not ready: REG-01..REG-03 not satisfied." in not_ready
    assert "Fix what is listed under Issues Encountered" in not_ready
    blocked = section(render_summary(one_plan_fails(), records.PLAN_01), "Next Phase")
    assert "Fix what is listed under Issues Encountered" in blocked


def test_plan_keys_and_file_names() -> None:
    assert plan_keys(records.passing_record()) == (records.PLAN_01, records.PLAN_02)
    assert summary_filename(records.PLAN_02) == "73-02-SUMMARY.md"
    assert summary_filename("73-production-bug-fixes/02") == "73-02-SUMMARY.md"
    assert summary_relpath("73-production-bug-fixes/02") == (
        ".planning/phases/73-production-bug-fixes/73-02-SUMMARY.md"
    )
    custom = render_summary(
        records.passing_record(), records.PLAN_02, reports_dir="out", summary_path="S.md"
    )
    assert front(custom)["key-files"]["created"] == [f"out/{records.RUN_ID}/run.json", "S.md"]


@pytest.mark.parametrize(
    ("key", "message"),
    [
        pytest.param(
            "73-02", r"'73-02' is not a plan key: write it as <phase slug>/<plan>", id="no-slash"
        ),
        pytest.param("/02", r"is not a plan key", id="no-phase"),
        pytest.param(
            f"{records.PHASE}/09",
            rf"run {records.RUN_ID} has no plan {records.PHASE}/09 \(its plans: "
            rf"{records.PLAN_01}, {records.PLAN_02}\)",
            id="unknown-plan",
        ),
    ],
)
def test_bad_plan_keys(key: str, message: str) -> None:
    with pytest.raises(RegressError, match=message):
        render_summary(records.passing_record(), key)


def test_summary_is_a_pure_function_of_the_record() -> None:
    record = records.failing_record()
    assert render_summary(record, records.PLAN_02) == render_summary(record, records.PLAN_02)
    assert record == records.failing_record()


def test_a_plan_without_requirements_never_passes() -> None:
    empty = PlanInfo(
        phase=records.PHASE,
        plan="03",
        title="Nothing",
        subsystem="testing",
        tags=(),
        requirements=(),
        suites=(),
    )
    record = dataclasses.replace(records.passing_record(), plans=(*records.PLANS, empty))
    summary = render_summary(record, f"{records.PHASE}/03")
    assert after_self_check(summary).startswith("## Self-Check: FAILED")
    assert front(summary)["requirements-completed"] == []


@pytest.mark.parametrize(
    ("reports", "base"),
    [
        pytest.param("project/reports", "reports", id="inside"),
        pytest.param("elsewhere", "../elsewhere", id="beside-the-project"),
        pytest.param("a/b/c", "../a/b/c", id="deeper"),
    ],
)
def test_every_path_is_relative_to_the_project_root(
    tmp_path: Path, reports: str, base: str
) -> None:
    record = dataclasses.replace(records.failing_record(), project_root=str(tmp_path / "project"))
    text = summary_module.run_summary(judge(record), records.PLAN_02, tmp_path / reports)
    run = f"{base}/{records.RUN_ID}"
    assert front(text)["key-files"]["created"] == [
        f"{run}/run.json",
        f"{run}/{records.PHASE}/73-02-SUMMARY.md",
    ]
    issues = section(text, "Issues")
    assert f"see `{run}/isolation/data-comparison/pytest.log`" in issues
    assert str(tmp_path) not in text  # nothing absolute


def test_an_output_path_is_this_summary(tmp_path: Path) -> None:
    record = dataclasses.replace(records.passing_record(), project_root=str(tmp_path))
    text = summary_module.run_summary(
        judge(record), records.PLAN_02, tmp_path / "reports", tmp_path / "docs" / "S.md"
    )
    assert front(text)["key-files"]["created"][1] == "docs/S.md"
    assert "- `docs/S.md` - this summary" in text


def test_provides_names_the_commit_before_key_files_mention_the_run_id() -> None:
    text = render_summary(records.passing_record(), records.PLAN_02)
    hashes = re.findall(r"\b[0-9a-f]{7,40}\b", text)  # GSD's verify-summary reads the first 3
    assert hashes[0] == records.GIT_HEAD[:7], hashes[:3]
    assert all(p.endswith(f", at commit {records.GIT_HEAD[:7]}") for p in front(text)["provides"])

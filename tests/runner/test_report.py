"""The Rich report and the live progress, checked through the text a Console exports."""

from __future__ import annotations

import dataclasses
import io

import pytest
from rich.console import Console, RenderableType

from regress.judging.judge import judge
from regress.judging.results import Comparison, PassKind, RunRecord, SuiteStatus
from regress.judging.results import TestStatus as Status
from regress.reporting import table
from regress.reporting.progress import LiveProgress
from tests.runner import records


def render_table(record: RunRecord) -> RenderableType:
    return table.render_table(judge(record))


def render_total(record: RunRecord) -> RenderableType:
    return table.render_total(judge(record))


def render_integrity(record: RunRecord) -> RenderableType | None:
    return table.render_integrity(judge(record))


def render_failures(record: RunRecord) -> RenderableType | None:
    return table.render_failures(judge(record))


def render_notices(record: RunRecord) -> RenderableType | None:
    return table.render_notices(judge(record))


def render_run(record: RunRecord) -> RenderableType:
    return table.render_run(judge(record))


def verdict_words(record: RunRecord) -> list[str]:
    """Each suite's verdict word, in manifest order."""
    return [verdict.word.value for verdict in judge(record).suites]


def text_of(renderable: RenderableType, width: int = 100) -> str:
    console = Console(record=True, width=width, file=io.StringIO())
    console.print(renderable)
    return console.export_text()


def rows(record: RunRecord) -> dict[str, str]:
    """Table lines keyed by suite name (first line of each row, at 100 columns)."""
    lines = text_of(render_table(record)).splitlines()
    return {
        suite.name: next(line for line in lines if f" {suite.name} " in line)
        for suite in record.suites
    }


def test_table_has_the_columns_and_one_passing_row_per_suite() -> None:
    text = text_of(render_table(records.passing_record()))
    header = next(line for line in text.splitlines() if "Suite" in line)
    assert header.split() == [
        "Req",
        "Suite",
        "Exp",
        "Passed",
        "Failed",
        "Other",
        "Alone",
        "vs",
        "combined",
        "Time",
        "Verdict",
    ]
    table = rows(records.passing_record())
    assert table["data-comparison"].split() == [
        "REG-01",
        "data-comparison",
        "4",
        "4",
        "0",
        "0",
        "4",
        "both",
        "1m46s",
        "PASS",
    ]
    assert all(line.rstrip().endswith("PASS") for line in table.values())
    assert "artifacts" not in text


def test_failing_rows_show_counts_comparisons_and_verdicts() -> None:
    record = records.failing_record()
    table = rows(record)
    assert table["data-comparison"].split()[3:] == [
        "3",
        "1",
        "0",
        "3",
        "both",
        "1m46s",
        "FAIL",
    ]
    assert table["multiplayer-basic"].split()[3:6] == ["1", "0", "1"]  # the missing test is other
    # interference: passed counts differ between the passes, shown as iso / comb lines
    assert table["multi-participant"].split()[3:] == [
        "iso",
        "2",
        "iso",
        "0",
        "0",
        "1",
        "both",
        "56s",
        "FAIL",
    ]
    text = text_of(render_table(record))
    assert "comb 1  comb 1" in text
    assert "1 interference" in text
    assert table["network-disruption"].rstrip().endswith("BLOCKED")
    assert "3 not run" in table["network-disruption"]
    assert table["focus-loss"].rstrip().endswith("PASS")


def comparisons(record: RunRecord, suite: str) -> set[Comparison | None]:
    verdict = next(s for s in judge(record).suites if s.suite == suite)
    return {test.comparison for test in verdict.tests}


def test_a_pass_that_did_not_run_a_test_says_nothing_about_interference() -> None:
    # blocked alone (its tests not run), passed combined: not "fails alone, passes combined"
    assert comparisons(records.failing_record(), "network-disruption") == {
        Comparison.COMBINED_ONLY_RUN
    }
    # the combined pass stopped before the tests that passed alone: not interference
    record = records.passing_record()
    cut = records.suite_result("multi-participant", PassKind.COMBINED, only=0)
    combined = tuple(cut if s.suite == cut.suite else s for s in record.passes[1].suites)
    record = dataclasses.replace(
        record, passes=(record.passes[0], dataclasses.replace(record.passes[1], suites=combined))
    )
    assert comparisons(record, "multi-participant") == {Comparison.ISOLATION_ONLY}
    assert "interference" not in text_of(render_table(record))


def test_failing_rows_name_their_artifacts_in_the_caption() -> None:
    text = text_of(render_table(records.failing_record()))
    caption = text[text.index("artifacts, relative to the run directory") :]
    assert "multi-participant: combined/multi-participant/pytest.log" in caption
    assert "isolation/multi-participant" not in caption  # it passed alone
    assert "isolation/network-disruption/pytest.log" in caption
    assert "focus-loss" not in caption
    assert "latency-injection" not in caption


@pytest.mark.parametrize(
    ("record", "words"),
    [
        pytest.param(records.passing_record(), ["PASS"] * 6, id="passing"),
        pytest.param(
            records.failing_record(),
            ["FAIL", "FAIL", "FAIL", "PASS", "PASS", "BLOCKED"],
            id="failing",
        ),
        pytest.param(records.interrupted_record(), ["INTERRUPTED"] * 6, id="interrupted"),
        pytest.param(
            records.interrupted_record(complete=False),
            ["PASS", "INTERRUPTED", "PENDING", "PENDING", "PENDING", "PENDING"],
            id="partial",
        ),
    ],
)
def test_verdict_words(record: RunRecord, words: list[str]) -> None:
    assert verdict_words(record) == words
    assert [line.split()[-1] for line in rows(record).values()] == words


@pytest.mark.parametrize(
    ("status", "word"),
    [
        pytest.param(SuiteStatus.ERROR, "ERROR", id="error"),
        pytest.param(SuiteStatus.TIMEOUT, "TIMEOUT", id="timeout"),
        pytest.param(SuiteStatus.BLOCKED, "BLOCKED", id="blocked"),
    ],
)
def test_suite_status_decides_the_verdict(status: SuiteStatus, word: str) -> None:
    broken = records.suite_result(
        "focus-loss", PassKind.COMBINED, status=status, reason="junit.xml missing"
    )
    record = records.make_record(
        {
            PassKind.ISOLATION: tuple(
                records.suite_result(s.name, PassKind.ISOLATION) for s in records.SUITES
            ),
            PassKind.COMBINED: tuple(
                broken
                if s.name == "focus-loss"
                else records.suite_result(s.name, PassKind.COMBINED)
                for s in records.SUITES
            ),
        }
    )
    assert rows(record)["focus-loss"].split()[-1] == word
    failures = text_of(render_failures(record) or "")
    assert f"REG-04 focus-loss {status.value} in the combined pass" in failures
    assert "junit.xml missing" in failures


def test_total_line() -> None:
    assert text_of(render_total(records.passing_record())).strip() == (
        "6 requirements · 6 satisfied · 0 not satisfied · "
        "15/15 tests passed in both passes · 23m00s"
    )
    assert text_of(render_total(records.failing_record())).strip() == (
        "6 requirements · 2 satisfied · 4 not satisfied · 9/15 tests passed in both passes · 23m00s"
    )
    assert (
        text_of(render_total(records.isolation_only_record()))
        .strip()
        .endswith("15/15 tests passed in isolation · 23m00s")
    )
    assert text_of(render_total(records.interrupted_record()), width=200).startswith(
        "INTERRUPTED · 6 requirements · 0 satisfied · 6 not satisfied · 5/15 tests passed"
    )
    assert text_of(render_total(records.interrupted_record(complete=False))).startswith("PARTIAL")


def test_integrity_table_only_when_there_are_findings() -> None:
    assert render_integrity(records.passing_record()) is None
    table = render_integrity(records.failing_record())
    assert table is not None
    text = text_of(table)
    assert "tests/e2e/test_multi_participant.py:42" in text
    assert "skip marker" in text
    assert '@pytest.mark.skip(reason="flaky")' in text


def test_failures_list_each_failing_test_with_message_and_artifacts() -> None:
    assert render_failures(records.passing_record()) is None
    failures = render_failures(records.failing_record())
    assert failures is not None
    text = text_of(failures)
    assert f"REG-01 data-comparison {records.FAILED_TEST}" in text
    assert f"failed alone and combined: {records.FAILED_MESSAGE}\n" in text
    assert "at compare()" not in text  # only the first line of a message
    assert f"REG-02 data-comparison {records.MISSING_TEST}" not in text
    assert f"REG-02 multiplayer-basic {records.MISSING_TEST}" in text
    assert "missing alone and combined" in text
    assert f"passed alone, failed combined (interference): {records.INTERFERENCE_MESSAGE}" in text
    assert "    combined: combined/multi-participant/pytest.log" in text
    assert "NET-02 network-disruption blocked in the isolation pass" in text
    assert "(3 not run)" in text
    # the blocked suite's tests are summarised by the suite line, not listed one by one
    assert records.nodeid("network-disruption") not in text


def test_failures_of_an_interrupted_run_name_the_suites_not_reached() -> None:
    text = text_of(render_failures(records.interrupted_record()) or "")
    assert "REG-02 multiplayer-basic interrupted in the isolation pass" in text
    assert "REG-03 multi-participant not run in the isolation pass" in text
    assert "the run stopped before it (2 not run)" in text


def test_notices_show_ports_and_notes() -> None:
    assert render_notices(records.passing_record()) is None
    text = text_of(render_notices(records.failing_record()) or "", width=200)
    assert (
        "port 5707 refused before network-disruption (isolation): pid 4242, user alice, "
        "python -m http.server 5707: not started by regress"
    ) in text
    assert "port 5702 freed before data-comparison (isolation): pid 999" in text
    assert "note: chromium printed 3 GPU warnings" in text


def test_markup_in_data_is_shown_literally() -> None:
    record = records.failing_record()
    odd = records.suite_result(
        "focus-loss",
        PassKind.COMBINED,
        {records.nodeid("focus-loss"): (Status.FAILED, "[bold]boom[/bold] [/]")},
    )
    combined = dataclasses.replace(
        record.passes[1],
        suites=tuple(odd if s.suite == "focus-loss" else s for s in record.passes[1].suites),
    )
    record = dataclasses.replace(record, passes=(record.passes[0], combined))
    assert "[bold]boom[/bold] [/]" in text_of(render_run(record), width=200)


@pytest.mark.parametrize("width", [100, 80, 60, 40])
@pytest.mark.parametrize(
    "record",
    [
        pytest.param(records.passing_record(), id="passing"),
        pytest.param(records.failing_record(), id="failing"),
        pytest.param(records.interrupted_record(), id="interrupted"),
        pytest.param(records.interrupted_record(complete=False), id="partial"),
    ],
)
def test_whole_report_renders_at_any_width(record: RunRecord, width: int) -> None:
    text = text_of(render_run(record), width=width)
    assert max(len(line) for line in text.splitlines()) <= width
    assert f"Run {record.run_id}" in text
    if width >= 60:  # the verdict column is never squeezed out
        verdicts = verdict_words(record)
        assert all(word in text for word in verdicts)


def test_report_is_a_pure_function_of_the_record() -> None:
    record = records.failing_record()
    assert text_of(render_run(record)) == text_of(render_run(record))
    assert record == records.failing_record()


# --- live progress ---------------------------------------------------------------------------


def _drive(progress: LiveProgress) -> None:
    first, second = records.nodeid("data-comparison", 0), records.nodeid("data-comparison", 1)
    progress.suite_started(PassKind.ISOLATION, ("data-comparison",))
    progress.test_finished(PassKind.ISOLATION, "data-comparison", first, "passed")
    progress.test_finished(PassKind.ISOLATION, "data-comparison", second, "failed")
    progress.message("port 5702 freed (pid 999)")
    progress.suite_finished(records.failing_record().passes[0].suites[0])


def test_progress_prints_one_plain_line_per_event_when_not_a_terminal() -> None:
    out = io.StringIO()
    console = Console(file=out, force_terminal=False, width=40)
    with LiveProgress(console) as progress:
        assert not progress.live
        _drive(progress)
    assert out.getvalue().splitlines() == [
        "isolation: started data-comparison",
        f"isolation: data-comparison {records.nodeid('data-comparison', 0)} passed",
        f"isolation: data-comparison {records.nodeid('data-comparison', 1)} failed",
        "port 5702 freed (pid 999)",
        "isolation: data-comparison FAILED 3/4 passed in 53s",
    ]


def test_progress_is_live_on_a_terminal() -> None:
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, color_system=None, width=100)
    with LiveProgress(console) as progress:
        assert progress.live
        _drive(progress)
    shown = out.getvalue()
    assert "isolation data-comparison" in shown
    assert "2 done · 1 passed · 1 failed" in shown
    assert "isolation: data-comparison FAILED 3/4 passed in 53s" in shown
    assert "port 5702 freed (pid 999)" in shown
    assert "isolation: started" not in shown  # the live line replaces per-event lines


def test_progress_in_the_combined_pass_names_the_current_suite() -> None:
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, color_system=None, width=120)
    names = tuple(s.name for s in records.SUITES)
    with LiveProgress(console) as progress:
        progress.suite_started(PassKind.COMBINED, names)
        progress.test_finished(
            PassKind.COMBINED, "focus-loss", records.nodeid("focus-loss"), "passed"
        )
    assert "combined 6 suites (at focus-loss) · " in out.getvalue()
    assert "1 done · 1 passed · 0 failed" in out.getvalue()

"""The HTML report rendered from sample records, read back through a parsed DOM."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from typer.testing import CliRunner

from regress.cli import app
from regress.judging.history import load_record, write_record
from regress.judging.judge import judge
from regress.judging.results import PassKind, RunRecord, TestOutcome, TestStatus, to_jsonable
from regress.judging.verdicts import RequirementState
from regress.reporting.html import render_html
from regress.reporting.writers import earlier_runs, write_html
from tests.runner import html_records, records
from tests.runner.html_dom import Node, parse


def page(record: RunRecord, history: tuple[RunRecord, ...] = ()) -> Node:
    return parse(render_html(judge(record), tuple(judge(r) for r in history)))


def matrix(doc: Node) -> dict[str, list[str]]:
    """Requirement -> [suites, isolation, combined, overall] as the matrix shows them."""
    table = doc.find("table", class_="matrix")
    return {
        row.find("th").text: [cell.text for cell in row.find_all("td")]
        for row in table.find("tbody").find_all("tr")
    }


def rows_of(doc: Node) -> dict[str, Node]:
    return {row.find("a", class_="name").text: row for row in doc.find_all("tr", class_="test")}


def cells(row: Node) -> list[str]:
    return [cell.text for cell in row.find_all("td")]


def test_passing_run_header_and_matrix() -> None:
    doc = page(records.passing_record())
    header = doc.find("header")
    assert header.find("span", class_="verdict").text == "PASSED"
    facts = dict(
        zip(
            (dt.text for dt in header.find_all("dt")),
            (dd.text for dd in header.find_all("dd")),
            strict=True,
        )
    )
    assert facts["Exit code"] == "0"
    assert facts["Commit"] == records.GIT_HEAD[:12]
    assert facts["Tests"] == "15/15 passed in every pass that ran"
    assert matrix(doc)["REG-01"] == ["data-comparison", "satisfied", "satisfied", "satisfied"]
    assert len(rows_of(doc)) == 15
    assert all(row.attrs["data-failed"] == "0" for row in rows_of(doc).values())
    assert not doc.find_all("h2", id="failures")


def test_failing_run_shows_each_kind_of_failure() -> None:
    doc = page(records.failing_record())
    assert doc.find("span", class_="verdict").text == "FAILED"
    states = matrix(doc)
    assert states["REG-01"][1:] == ["not satisfied", "not satisfied", "not satisfied"]
    assert states["REG-03"][1:] == ["satisfied", "not satisfied", "not satisfied"]
    assert states["NET-02"][1] == "not satisfied"  # blocked in isolation
    assert states["REG-04"][1:] == ["satisfied", "satisfied", "satisfied"]
    rows = rows_of(doc)
    interference = cells(rows[records.INTERFERENCE_TEST])
    assert interference[1:3] == ["passed", "failed"]
    assert "passes alone, fails combined" in interference[4] and "interference" in interference[4]
    assert cells(rows[records.MISSING_TEST])[1:3] == ["missing", "missing"]
    failed = {name for name, row in rows.items() if row.attrs["data-failed"] == "1"}
    assert {records.FAILED_TEST, records.MISSING_TEST, records.INTERFERENCE_TEST} <= failed
    failures = doc.find("ul", class_="failures").text
    assert records.FAILED_MESSAGE in failures
    assert "blocked" in failures and "port 5707 held by pid 4242" in failures
    notices = doc.find("ul", class_="notices").text
    assert "skip marker" in notices and "tests/e2e/test_multi_participant.py:42" in notices
    evidence = doc.by_id(rows[records.INTERFERENCE_TEST].attrs["data-detail"])
    assert records.INTERFERENCE_MESSAGE in evidence.text
    assert "open" in evidence.find("details").attrs  # failures start expanded


def test_interrupted_run_leaves_requirements_not_verified() -> None:
    doc = page(records.interrupted_record())
    assert doc.find("span", class_="verdict").text == "INTERRUPTED"
    states = matrix(doc)
    assert states["REG-01"][1:] == ["not verified", "not verified", "not satisfied"]
    assert states["NET-01"][1:] == ["not verified", "not verified", "not satisfied"]
    assert "not run" in cells(rows_of(doc)[records.nodeid("multiplayer-basic", 1)])[1]


def test_evidence_of_a_failed_test() -> None:
    record = html_records.with_evidence(records.failing_record())
    doc = page(record)
    row = rows_of(doc)[records.FAILED_TEST]
    evidence = doc.by_id(row.attrs["data-detail"])
    combined = evidence.find("div", class_="s-combined")
    assert records.FAILED_MESSAGE in combined.find("p", class_="message").text
    traceback = combined.find("pre", class_="traceback").text
    assert "line 13 of the assertion" in traceback and "line 14 of" not in traceback
    assert "more lines in the JUnit XML" in traceback
    log = combined.find("pre", class_="log")
    assert '<script>alert("x")</script>' in log.text  # shown as text, not run
    assert not any("alert" in s.text for s in doc.find_all("script"))
    assert "Server log lines 3\u20134 of" in combined.text
    image = combined.find("img", class_="thumb")
    assert image.attrs["src"] == html_records.SCREENSHOT
    assert f"playwright show-trace {html_records.TRACE}" in combined.find("code").text
    parity = combined.find("div", class_="parity")
    counts = parity.find("table", class_="columns").find("tbody").find_all("tr")
    assert [(r.find("th").text, r.find("td").text) for r in counts] == [("score.0", "20")]
    sides = [cells(r) for r in parity.find("table", class_="divergent").find_all("tr")[1:]]
    assert sides == [["score.0", "455", "12", "13"], ["score.0", "456", "12", "14"]]


def test_timeline_has_one_bar_per_test_run_and_the_servers() -> None:
    record = html_records.with_evidence(records.failing_record())
    svg = page(record).find("svg", class_="timeline")
    timed = [t for p in record.passes for s in p.suites for t in s.tests if t.started_at]
    bars = svg.find_all("rect", class_="test")
    assert len(bars) == len(timed) > 20
    titles = sorted(b.find("title").text.rsplit(": ", 1)[0] for b in bars)
    assert titles == sorted(t.nodeid for t in timed)
    assert len(svg.find_all("rect", class_="spawn")) == sum(len(p.suites) for p in record.passes)
    assert len(svg.find_all("rect", class_="teardown")) == len(svg.find_all("rect", class_="spawn"))


def test_user_strings_are_escaped_everywhere() -> None:
    evil = 'tests/e2e/test_x.py::test_y[<img src=x onerror="alert(1)">]'
    record = records.passing_record()
    first = record.passes[0].suites[0]
    tests = (TestOutcome(evil, TestStatus.FAILED, message="<b>bold</b> & more"), *first.tests)
    passes = (
        dataclasses.replace(record.passes[0], suites=(dataclasses.replace(first, tests=tests),)),
    )
    doc = page(dataclasses.replace(record, passes=passes))
    assert not doc.find_all("img")  # the test id did not become an element
    assert not doc.find_all("b")
    row = rows_of(doc)[evil]
    assert row.find("a").text == evil
    assert "<b>bold</b> & more" in doc.by_id(row.attrs["data-detail"]).text


def test_nothing_is_fetched_from_the_network() -> None:
    record = html_records.with_evidence(records.failing_record())
    doc = page(record)
    for node in doc.iter():
        for name in ("src", "href"):
            value = node.attrs.get(name)
            if value is not None:
                assert "://" not in value and not value.startswith("//"), (node.tag, value)
    assert not doc.find_all("link") and all("src" not in s.attrs for s in doc.find_all("script"))


def test_trends_and_sparklines_from_history() -> None:
    old = [
        dataclasses.replace(records.passing_record(), run_id=f"20261120-10000{i}-ab12")
        for i in range(3)
    ]
    doc = page(records.failing_record(), tuple(old))
    trends = doc.find("table", class_="trends")
    rows = {r.find("th").text: cells(r) for r in trends.find("tbody").find_all("tr")}
    assert rows["data-comparison"][:2] == ["4", "75%"]  # failed only this time
    assert rows["data-comparison"][4] == "1"  # one test flipped from passing to failing
    assert rows["focus-loss"][:2] == ["4", "100%"]
    # blocked alone this time: three flips, and its not-run tests are no interference
    assert rows["network-disruption"][4] == "3"
    spark = rows_of(doc)[records.FAILED_TEST].find("svg", class_="spark")
    bars = {path.attrs["class"]: path.attrs["d"] for path in spark.find_all("path")}
    assert bars == {"passed": "M0 0h5v12h-5zM6 0h5v12h-5zM12 0h5v12h-5z", "failed": "M18 4h5v8h-5z"}
    assert spark.find("title").text == "passed in 3 of the 4 recent runs that ran it"


def test_requirement_is_flaky_when_attempts_disagree() -> None:
    record = records.passing_record()
    first = record.passes[1].suites[0]
    flaky = dataclasses.replace(first.tests[0], tries=(TestStatus.FAILED, TestStatus.PASSED))
    suite = dataclasses.replace(first, tests=(flaky, *first.tests[1:]))
    passes = (
        record.passes[0],
        dataclasses.replace(record.passes[1], suites=(suite, *record.passes[1].suites[1:])),
    )
    verdict = judge(dataclasses.replace(record, passes=passes)).requirements[0]
    assert verdict.in_pass(PassKind.ISOLATION) is RequirementState.SATISFIED
    assert verdict.in_pass(PassKind.COMBINED) is RequirementState.FLAKY


def test_an_old_run_json_still_renders(tmp_path: Path) -> None:
    """A run.json written before the evidence fields existed renders, drawn per suite."""
    reports = tmp_path / "reports"
    data = to_jsonable(records.failing_record())
    new_keys = {
        "started_at",
        "finished_at",
        "log_lines",
        "log_excerpt",
        "artifacts",
        "outcomes",
        "server_log",
        "server_started_at",
        "server_ready_at",
        "server_stopped_at",
        "parity",
        "machine",
    }
    for whole in data["passes"]:
        for result in whole["suites"]:
            for key in (
                "server_log",
                "server_started_at",
                "server_ready_at",
                "server_stopped_at",
                "parity",
            ):
                del result[key]
            for test in result["tests"]:
                for key in new_keys & set(test):
                    del test[key]
    del data["machine"]
    (reports / records.RUN_ID).mkdir(parents=True)
    (reports / records.RUN_ID / "run.json").write_text(json.dumps(data))
    write_html(judge(load_record(reports, records.RUN_ID)), reports)
    doc = parse((reports / records.RUN_ID / "index.html").read_text())
    notes = [p.text for p in doc.find("main").find_all("p", class_="muted")]
    assert "This run recorded no per-test times: suites are drawn whole." in notes
    assert len(doc.find("svg", class_="timeline").find_all("rect", class_="suite")) == 12
    assert len(rows_of(doc)) == 15


def test_earlier_runs_skip_a_broken_record(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    for index in range(2):
        write_record(
            reports,
            dataclasses.replace(records.passing_record(), run_id=f"2026112{index}-000000-ab12"),
        )
    (reports / "20261121-000000-ab12" / "run.json").write_text("{broken")
    found = earlier_runs(reports, "20261122-000000-ab12")
    assert [j.record.run_id for j in found] == ["20261120-000000-ab12"]


def test_a_report_that_cannot_be_written_is_one_line_exit_2(tmp_path: Path) -> None:
    """index.html is in the way (a folder of that name): one line, exit 2, nothing touched."""
    reports = tmp_path / "reports"
    write_record(reports, records.passing_record())
    blocker = reports / records.RUN_ID / "index.html"
    blocker.mkdir()
    (blocker / "keep.txt").write_text("mine\n")
    result = CliRunner().invoke(app, ["report", "--manifest", str(tmp_path / "suites.yaml")])
    assert result.exit_code == 2, result.output
    assert result.output.startswith(f"error: cannot write {blocker}: ")
    assert "check that the run folder is writable" in result.output
    assert (blocker / "keep.txt").read_text() == "mine\n"
    assert [p.name for p in blocker.parent.iterdir() if p.name.startswith(".")] == []

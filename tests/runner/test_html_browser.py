"""The HTML report in real headless Chromium, opened from file:// with every other request
blocked: no console errors, no failed requests, working filters and expanders, one timeline
bar per test run. A screenshot of the page is kept as the test's artifact (report.png in its
tmp_path)."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import ConsoleMessage, Page, Request, Route, sync_playwright

from regress.judging.history import write_record
from regress.judging.judge import judge
from regress.proc.browser import launch_args
from regress.reporting.writers import write_html
from tests.runner import html_records, records


def test_the_report_in_chromium(tmp_path: Path) -> None:
    record = html_records.with_evidence(records.failing_record())
    reports = tmp_path / "reports"
    html_records.lay_out(record, reports / record.run_id)
    write_record(reports, record)
    write_html(judge(record), reports)
    judgement = judge(record)
    failing = sum(1 for v in judgement.suites for t in v.tests if not t.passed)
    timed = sum(1 for p in record.passes for s in p.suites for t in s.tests if t.started_at)
    errors: list[str] = []
    failed: list[str] = []
    outside: list[str] = []

    def only_files(route: Route) -> None:
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    def console(message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            errors.append(f"{message.type}: {message.text}")

    def request_failed(request: Request) -> None:
        failed.append(f"{request.url}: {request.failure}")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(**launch_args({"headless": True}))
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("console", console)
            page.on("pageerror", lambda error: errors.append(f"page error: {error}"))
            page.on("requestfailed", request_failed)
            page.route("**/*", only_files)
            page.goto((reports / record.run_id / "index.html").as_uri())
            page.wait_for_load_state("load")

            assert page.locator("#filters").is_visible()  # the script ran
            assert page.locator("svg.timeline rect.test").count() == timed
            thumb = page.locator("img.thumb")
            thumb.scroll_into_view_if_needed()
            page.wait_for_function(LOADED, arg=thumb.element_handle())
            check_filters(page, failing)
            check_expanders(page)
            page.screenshot(path=tmp_path / "report.png", full_page=True)
        finally:
            browser.close()
    assert (tmp_path / "report.png").stat().st_size > 10_000
    assert errors == []
    assert failed == []
    assert outside == []


LOADED = "image => image.complete && image.naturalWidth > 0"


def shown(page: Page) -> int:
    """Test rows visible now."""
    return page.locator("tr.test:visible").count()


def check_filters(page: Page, failing: int) -> None:
    """Failed only (by keyboard), suite, requirement and text filters, and back to all."""
    assert shown(page) == 15
    page.focus("#f-failed")
    page.keyboard.press("Space")
    assert shown(page) == failing
    assert page.locator("#f-count").inner_text() == f"{failing} tests shown"
    page.keyboard.press("Space")
    page.select_option("#f-suite", "multi-participant")
    assert shown(page) == 2
    assert page.locator("section.suite:visible").count() == 1
    page.select_option("#f-suite", "")
    page.select_option("#f-req", "NET-01")
    assert shown(page) == 3
    page.select_option("#f-req", "")
    page.fill("#f-text", "FOCUS_LOSS")  # case-insensitive, over whole test ids
    assert shown(page) == 2  # one in data-comparison, the focus-loss suite's one
    page.fill("#f-text", "")
    assert shown(page) == 15


def check_expanders(page: Page) -> None:
    """Collapse all, open one by keyboard, expand all."""
    opened = "details.evidence[open]"
    page.click("#f-collapse")
    assert page.locator(opened).count() == 0
    page.locator("tr.detail summary").first.focus()
    page.keyboard.press("Enter")
    assert page.locator(opened).count() == 1
    page.click("#f-expand")
    assert page.locator(opened).count() == page.locator("details.evidence").count()

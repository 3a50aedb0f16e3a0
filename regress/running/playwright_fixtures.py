"""Browser fixtures for multi-player suites, opted into with
`pytest_plugins = ["regress.playwright_fixtures"]` in a conftest.

pytest-playwright parametrises every test that uses its `browser` fixture with the browser
name, so node ids become `test_x[chromium]` and no longer match a suite's expected tests.
These fixtures launch the browser named by pytest-playwright's `--browser` option (Debian's
Chromium through `executable_path`, see regress.browser) without that parametrisation, and keep
a Playwright trace and a screenshot of every page when a test fails (`--tracing`,
`--screenshot` and `--output`, as pytest-playwright spells them).
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Error, Playwright, sync_playwright

from regress.proc.browser import launch_args
from regress.running.context import output_folder_name

REPORT_KEY = pytest.StashKey[dict[str, pytest.TestReport]]()
NewContext = Callable[..., BrowserContext]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Remember each phase's report so fixtures can tell a failed test at teardown."""
    del call
    report = yield
    item.stash.setdefault(REPORT_KEY, {})[report.when] = report
    return report


def _option(config: pytest.Config, name: str, default: Any) -> Any:
    """A pytest-playwright option, or the default when that plugin is not loaded."""
    try:
        return config.getoption(name)
    except ValueError:
        return default


@pytest.fixture(scope="session")
def regress_playwright() -> Iterator[Playwright]:
    """One Playwright driver for the session."""
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def regress_browser(
    regress_playwright: Playwright, pytestconfig: pytest.Config
) -> Iterator[Browser]:
    """The session's browser: `--browser` (first one named, default chromium), `--headed`."""
    names = _option(pytestconfig, "--browser", None) or ["chromium"]
    name = names[0]
    browser_type = getattr(regress_playwright, name)
    args: dict[str, Any] = {"headless": not _option(pytestconfig, "--headed", False)}
    if name == "chromium":
        args = launch_args(args)
    browser = browser_type.launch(**args)
    yield browser
    browser.close()


@pytest.fixture
def new_player_context(
    regress_browser: Browser,
    request: pytest.FixtureRequest,
    pytestconfig: pytest.Config,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[NewContext]:
    """A factory of browser contexts (one per player). When a context closes (by the test or
    at teardown) its trace and a screenshot of each page are taken; they are kept under
    --output/<test>/ only if the test failed (per --tracing and --screenshot)."""
    tracing = _option(pytestconfig, "--tracing", "off")
    screenshots = _option(pytestconfig, "--screenshot", "off")
    output = Path(_option(pytestconfig, "--output", "test-results"))
    staging = tmp_path_factory.mktemp("player-contexts")
    contexts: list[BrowserContext] = []

    def capture(context: BrowserContext, index: int) -> None:
        with contextlib.suppress(Error):  # a crashed page must not hide the test's own error
            if screenshots != "off":
                for number, page in enumerate(context.pages, start=1):
                    page.screenshot(path=staging / f"context-{index}-page-{number}.png")
            if tracing != "off":
                context.tracing.stop(path=staging / f"trace-{index}.zip")

    def create(**kwargs: Any) -> BrowserContext:
        context = regress_browser.new_context(**kwargs)
        if tracing != "off":
            context.tracing.start(screenshots=True, snapshots=True, sources=False)
        contexts.append(context)
        index = len(contexts)
        original_close = context.close

        def close(*args: Any, **kw: Any) -> None:
            if context in contexts:
                contexts.remove(context)
                capture(context, index)
                original_close(*args, **kw)

        context.close = close  # type: ignore[method-assign]
        return context

    yield create
    for context in list(contexts):
        with contextlib.suppress(Error):
            context.close()
    reports = request.node.stash.get(REPORT_KEY, {})
    failed = any(report.failed for report in reports.values())
    keep_traces = tracing == "on" or (failed and tracing == "retain-on-failure")
    keep_shots = screenshots == "on" or (failed and screenshots == "only-on-failure")
    kept = [
        path
        for path in sorted(staging.iterdir())
        if (path.suffix == ".zip" and keep_traces) or (path.suffix == ".png" and keep_shots)
    ]
    if kept:
        folder = output / output_folder_name(request.node.nodeid)
        folder.mkdir(parents=True, exist_ok=True)
        for path in kept:
            shutil.move(path, folder / path.name)
    shutil.rmtree(staging, ignore_errors=True)

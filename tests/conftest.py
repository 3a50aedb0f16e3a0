"""Shared pytest configuration: Playwright launches the system Chromium (no browser download)."""

from __future__ import annotations

from typing import Any

import pytest

from regress.browser import launch_args

# new_player_context / regress_browser: system Chromium, no [chromium] suffix on test ids, and
# traces + screenshots kept when a test fails.
pytest_plugins = ["regress.playwright_fixtures"]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """pytest-playwright's launch arguments plus the system Chromium's path and flags."""
    return launch_args(browser_type_launch_args)

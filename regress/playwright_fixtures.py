"""Public, stable plugin path for projects' conftests:
`pytest_plugins = ["regress.playwright_fixtures"]` (the code lives in regress.running).
"""

from __future__ import annotations

from regress.running.playwright_fixtures import (
    NewContext,
    new_player_context,
    pytest_runtest_makereport,
    regress_browser,
    regress_playwright,
)

__all__ = [
    "NewContext",
    "new_player_context",
    "pytest_runtest_makereport",
    "regress_browser",
    "regress_playwright",
]

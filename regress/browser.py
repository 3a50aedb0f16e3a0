"""Public, stable import path for projects' conftests: `from regress.browser import launch_args`.

The code lives in regress.proc.browser.
"""

from __future__ import annotations

from regress.proc.browser import CHROMIUM_ARGS, CHROMIUM_ENV, find_chromium, launch_args

__all__ = ["CHROMIUM_ARGS", "CHROMIUM_ENV", "find_chromium", "launch_args"]

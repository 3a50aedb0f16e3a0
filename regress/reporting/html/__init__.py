"""The HTML report: one self-contained page (inline CSS, JS, SVG) rendered from a Judgement.

`render_html(judgement, history)` is a pure function; `regress.reporting.writers` writes it as
reports/<run-id>/index.html.
"""

from __future__ import annotations

from regress.reporting.html.page import REPORT_FILE, render_html

__all__ = ["REPORT_FILE", "render_html"]

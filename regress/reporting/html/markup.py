"""Small pieces every part of the HTML report uses: escaping, CSS state classes, numbers."""

from __future__ import annotations

import hashlib
import html
from datetime import UTC, datetime


def esc(text: object) -> str:
    """Text (any user string: test ids, messages, log lines, paths) safe inside HTML."""
    return html.escape(str(text), quote=True)


def state(word: str) -> str:
    """The CSS class of a state word: "not satisfied" -> "s-not-satisfied"."""
    return "s-" + "-".join(word.lower().split())


def span(word: str) -> str:
    """A state word, coloured by its class."""
    return f'<span class="{state(word)}">{esc(word)}</span>'


def seconds(value: float | None) -> str:
    """A duration for people: 0.42 s, 12.3 s, 4 min 05 s."""
    if value is None:
        return "\u2013"
    if value < 10:
        return f"{value:.2f} s"
    if value < 120:
        return f"{value:.1f} s"
    minutes, rest = divmod(round(value), 60)
    return f"{minutes} min {rest:02d} s"


def clock(epoch: float | None) -> str:
    """An epoch time as UTC HH:MM:SS.mmm (the report may be read in another zone)."""
    if epoch is None:
        return "\u2013"
    return datetime.fromtimestamp(epoch, UTC).strftime("%H:%M:%S.%f")[:-3] + " UTC"


def anchor(*parts: str) -> str:
    """A short stable HTML id from parts (test ids hold characters ids should not)."""
    digest = hashlib.blake2b("\x00".join(parts).encode(), digest_size=8).hexdigest()
    return f"t{digest}"

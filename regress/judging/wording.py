"""How verdicts are worded wherever they are shown: durations, first lines, where tests passed."""

from __future__ import annotations

from collections.abc import Collection

from regress.judging.results import PassKind

MESSAGE_WIDTH = 200


def format_seconds(seconds: float) -> str:
    """Compact duration: `0.4s`, `45s`, `3m12s`, `1h05m`."""
    if seconds < 10:
        return f"{seconds:.1f}s"
    whole = round(seconds)
    if whole < 60:
        return f"{whole}s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes}m{secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


def one_line(text: str, width: int = MESSAGE_WIDTH) -> str:
    """The first non-blank line of text, shortened to width."""
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    return line if len(line) <= width else line[: width - 1] + "…"


def passes_phrase(ran: Collection[PassKind]) -> str:
    """Where tests passed: "in isolation and combined", "in isolation", ..."""
    if PassKind.ISOLATION in ran and PassKind.COMBINED in ran:
        return "in isolation and combined"
    if PassKind.ISOLATION in ran:
        return "in isolation"
    if PassKind.COMBINED in ran:
        return "in the combined pass"
    return "in no pass"

"""The cause of a failure in one line: a known root cause found anywhere in its text (server
log lines captured by pytest, Playwright's browser log), else the innermost exception of the
chain, with the line of the test code that led there."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

# Causes that sit deep in a long message or in captured output, in the order they are tried.
KNOWN = (
    re.compile(r"Executable doesn't exist at \S+"),
    re.compile(r"Missing X server or \$DISPLAY"),
    re.compile(r"(?:ModuleNotFoundError: )?No module named '?[\w.]+'?"),
    re.compile(r"ImportError: [^\n]+"),
    re.compile(r"(?:OSError: )?\[Errno 98\] Address already in use"),
    re.compile(r"FileNotFoundError: \[Errno 2\] No such file or directory: '[^']+'"),
)
MAX_CAUSE = 300


def known_cause(texts: Iterable[str]) -> str:
    """The first known root cause in any of the texts ("" if none)."""
    joined = "\n".join(texts)
    for pattern in KNOWN:
        found = pattern.search(joined)
        if found:
            text = found.group(0)
            if text.startswith("No module named"):
                text = f"ModuleNotFoundError: {text}"
            return text
    return ""


def innermost(error: BaseException) -> BaseException:
    """The first exception of the chain (what was raised first: __cause__, else __context__)."""
    seen = {id(error)}
    while True:
        inner = error.__cause__ or (None if error.__suppress_context__ else error.__context__)
        if inner is None or id(inner) in seen:
            return error
        seen.add(id(inner))
        error = inner


def describe(error: BaseException) -> str:
    """`Type: first line of the message`."""
    lines = [line for line in str(error).splitlines() if line.strip()]
    name = type(error).__name__
    return f"{name}: {lines[0].strip()}" if lines else name


def exception_texts(error: BaseException) -> list[str]:
    """The messages of every exception in the chain, outermost first."""
    texts = []
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        texts.append(f"{type(current).__name__}: {current}")
        current = current.__cause__ or current.__context__
    return texts


def one_line(error: BaseException, extra_texts: Iterable[str], site: str) -> str:
    """The failure in one line: known cause or innermost exception, and where (site)."""
    texts = [*exception_texts(error), *extra_texts]
    cause = known_cause(texts) or describe(innermost(error))
    cause = cause[:MAX_CAUSE]
    return f"{cause} ({site})" if site else cause


def call_site(frames: Iterable[tuple[Path, int]], test_file: Path, root: Path) -> str:
    """`path:line` of the last frame in the test file, else in the project outside
    site-packages ("" when there is none)."""
    frames = list(frames)
    in_test = [(path, line) for path, line in frames if path == test_file]
    in_project = [
        (path, line)
        for path, line in frames
        if path.is_relative_to(root) and "site-packages" not in path.parts
    ]
    for mine in (in_test, in_project):
        if mine:
            path, line = mine[-1]
            shown = path.relative_to(root) if path.is_relative_to(root) else path
            return f"{shown}:{line}"
    return ""

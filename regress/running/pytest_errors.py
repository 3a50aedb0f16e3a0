"""pytest's own error line from its output, for runs that ended before any test: a usage error
(unknown option), a conftest that cannot be imported, a test file that does not collect, or an
internal error."""

from __future__ import annotations

import re
from pathlib import Path

_USAGE = re.compile(r"^\S*: error: (?P<text>.+)$")
_CONFTEST = re.compile(r"^ImportError while loading conftest '(?P<path>.+)'\.$")
_COLLECTING = re.compile(r"^_+ ERROR collecting (?P<path>\S+) _+$")
_SECTION_END = re.compile(r"^(=|_|-){3,}")
_E_LINE = re.compile(r"^E\s+(?P<text>\S.*)$")
_EXCEPTION = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Exit|Warning|Interrupt)\b.*$")
_FILE_LINE = re.compile(r'File "(?P<path>[^"]+)", line (?P<line>\d+)')
_TRACE_LINE = re.compile(r"^(?P<path>[^\s:]+\.py):(?P<line>\d+): in ")
_INTERNAL = re.compile(r"^INTERNALERROR> (?:E\s+)?(?P<text>\S.*)$")


def pytest_error_line(output: str, root: Path) -> str:
    """The one line that says why pytest stopped before running tests, or "" if none is found.

    Args:
        output: pytest's combined stdout and stderr.
        root: the project root, to shorten paths.

    Returns:
        e.g. `error: unrecognized arguments: --lf`,
        `SyntaxError: invalid syntax at checks/check_x.py:12`, or
        `ModuleNotFoundError: No module named 'x' in conftest checks/conftest.py:1`.
    """
    lines = output.splitlines()
    for line in lines:
        if match := _USAGE.match(line):
            return f"error: {match['text'].strip()}"
    for index, line in enumerate(lines):
        if match := _CONFTEST.match(line):
            return _located(lines[index + 1 :], root, "in conftest", match["path"])
        if match := _COLLECTING.match(line):
            section = []
            for following in lines[index + 1 :]:
                if _SECTION_END.match(following):
                    break
                section.append(following)
            return _located(section, root, "at", match["path"])
    internal = [m["text"] for line in lines if (m := _INTERNAL.match(line))]
    exceptions = [text for text in internal if _EXCEPTION.match(text)]
    if exceptions or internal:
        return f"INTERNALERROR {(exceptions or internal)[-1]}"
    return ""


def _located(section: list[str], root: Path, word: str, fallback: str) -> str:
    """The last exception line of a traceback section, with where it happened."""
    errors = [m["text"] for line in section if (m := _E_LINE.match(line))]
    exception = next((e for e in reversed(errors) if _EXCEPTION.match(e)), "")
    places = [
        (_short(m["path"], root), m["line"])
        for line in section
        if (m := _FILE_LINE.search(line) or _TRACE_LINE.match(line))
    ]
    mine = [place for place in places if not Path(place[0]).is_absolute()] or places
    where = f"{mine[-1][0]}:{mine[-1][1]}" if mine else ""
    if not exception:
        exception = errors[-1] if errors else "error"
    return f"{exception} {word} {where or _short(fallback, root)}"


def _short(path: str, root: Path) -> str:
    try:
        return Path(path).relative_to(root).as_posix()
    except ValueError:
        return path

"""The git state a run records: the commit checked out and the files changed in the working tree."""

from __future__ import annotations

import os
from pathlib import Path

from regress.proc import popen

_TIMEOUT = 10.0


def git_head(root: Path) -> str:
    """The commit checked out in the project, or "" when it is not in a git repository."""
    return _git(root, "rev-parse", "HEAD").strip()


def files_modified(root: Path) -> tuple[str, ...]:
    """Changed and untracked files of the working tree, as paths relative to the project root
    (a file of the repository outside the project reads as ../x); () outside a repository."""
    top = _git(root, "rev-parse", "--show-toplevel").strip()
    status = _git(root, "status", "--porcelain=v1", "-z")
    if not top or not status:
        return ()
    # -z: "XY path\0", and for a rename or copy "XY new\0old\0"; paths relative to the top
    entries = status.split("\0")
    paths, index = [], 0
    while index < len(entries):
        entry = entries[index]
        index += 1
        if len(entry) < 4:  # "XY " and at least one character
            continue
        if entry[0] in "RC":
            index += 1  # the old path of a rename or copy
        name = entry[3:]
        paths.append(_relative(Path(top) / name, root) + ("/" if name.endswith("/") else ""))
    return tuple(paths)


def _relative(path: Path, root: Path) -> str:
    """path relative to the project root, with / separators; absolute only across drives."""
    try:
        relative = os.path.relpath(path, root.resolve())
    except ValueError:  # another drive (Windows)
        return path.as_posix()
    return Path(relative).as_posix()


def _git(root: Path, *args: str) -> str:
    """Output of a git query in the project root, or "" when it fails (not a repository)."""
    done = popen.capture(["git", *args], cwd=root, timeout=_TIMEOUT)
    return done.stdout if done.returncode == 0 else ""

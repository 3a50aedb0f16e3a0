"""Copies of tests/runner/fixture_project with its manifest's PORT_* placeholders on free ports."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from regress.proc.ports import free_port, is_free

FIXTURE = Path(__file__).parent / "fixture_project"
PLACEHOLDER = r"\bPORT_[A-Z]+\b"
MAX_PORT = 65535


def copy_fixture_project(base: Path, offsets: tuple[int, ...] = (0,)) -> Path:
    """base/project: the fixture project with suites.yaml rendered from suites.yaml.in, on
    ports that are free (and distinct) moved by each of the offsets too (--port-offset)."""
    root = base / "project"
    shutil.copytree(FIXTURE, root)
    template = (root / "suites.yaml.in").read_text()
    chosen: dict[str, int] = {}
    taken: set[int] = set()
    for name in re.findall(PLACEHOLDER, template):
        while name not in chosen:
            port = free_port()  # the OS may hand out a just-closed port again: keep them distinct
            moved = {port + offset for offset in offsets}
            if not moved & taken and all(p <= MAX_PORT and is_free(p) for p in moved):
                chosen[name] = port
                taken |= moved
    (root / "suites.yaml").write_text(
        re.sub(PLACEHOLDER, lambda match: str(chosen[match.group()]), template)
    )
    return root

"""Copies of tests/runner/fixture_project with its manifest's PORT_* placeholders on free ports."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from regress.proc.ports import free_port

FIXTURE = Path(__file__).parent / "fixture_project"
PLACEHOLDER = r"\bPORT_[A-Z]+\b"


def copy_fixture_project(base: Path) -> Path:
    """base/project: the fixture project with suites.yaml rendered from suites.yaml.in."""
    root = base / "project"
    shutil.copytree(FIXTURE, root)
    template = (root / "suites.yaml.in").read_text()
    chosen: dict[str, int] = {}
    for name in re.findall(PLACEHOLDER, template):
        while name not in chosen:
            port = free_port()  # the OS may hand out a just-closed port again: keep them distinct
            if port not in chosen.values():
                chosen[name] = port
    (root / "suites.yaml").write_text(
        re.sub(PLACEHOLDER, lambda match: str(chosen[match.group()]), template)
    )
    return root

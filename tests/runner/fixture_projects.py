"""Copies of tests/runner/fixture_project with its manifest's PORT_* placeholders on free ports."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from regress.ports import free_port

FIXTURE = Path(__file__).parent / "fixture_project"


def copy_fixture_project(base: Path) -> Path:
    """base/project: the fixture project with suites.yaml rendered from suites.yaml.in."""
    root = base / "project"
    shutil.copytree(FIXTURE, root)
    template = (root / "suites.yaml.in").read_text()
    (root / "suites.yaml").write_text(
        re.sub(r"\bPORT_[A-Z]+\b", lambda _: str(free_port()), template)
    )
    return root

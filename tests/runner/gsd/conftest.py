"""GSD's own tool (gsd-tools.cjs of get-shit-done-cc, pinned in scripts/gsd-tools.sh), run on
the SUMMARY files regress writes."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[3]
INSTALL = ROOT / "scripts" / "gsd-tools.sh"

Gsd = Callable[..., dict[str, Any]]


@pytest.fixture(scope="session")
def gsd_tools() -> Path:
    """Path of gsd-tools.cjs, installed at the pinned version (quick when already there)."""
    done = subprocess.run(
        ["bash", str(INSTALL)], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, f"{INSTALL} failed: {done.stderr}"
    tool = Path(done.stdout.strip().splitlines()[-1])
    assert tool.is_file(), done.stdout
    return tool


@pytest.fixture(scope="session")
def gsd(gsd_tools: Path) -> Gsd:
    """gsd(project, "verify-summary", path, ...) -> the tool's JSON answer, run in project."""

    def run(project: Path, *args: str) -> dict[str, Any]:
        done = subprocess.run(
            ["node", str(gsd_tools), *args, "--cwd", str(project)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, (args, done.stdout, done.stderr)
        answer: dict[str, Any] = json.loads(done.stdout)
        return answer

    return run

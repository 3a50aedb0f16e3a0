"""Start-up: each command imports only what it uses (read from `python -X importtime`).

How long the imports take is measured by benchmarks/startup.py; these tests only say which
libraries a command loads, so they hold on any machine.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("rich", "yaml", "numpy", "pandas", "psutil", "pydantic")


def imported(*args: str, cwd: Path, codes: set[int] | None = None) -> set[str]:
    """Top-level packages `python -m regress ARGS` imports."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "regress", *args],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode in (codes or {0, 1}), done.stderr[-2000:]
    lines = [line for line in done.stderr.splitlines() if line.startswith("import time:")]
    assert lines, done.stderr[-2000:]
    return {line.rsplit("|", 1)[1].strip().split(".")[0] for line in lines[1:]}


@pytest.fixture
def pair(tmp_path: Path) -> tuple[Path, Path]:
    """Two small exports (a 450-frame episode) in a folder without a suites.yaml."""
    header = "gameId,frame,timestamp," + ",".join(f"s{i}" for i in range(20))
    paths = (tmp_path / "a_ep0.csv", tmp_path / "b_ep0.csv")
    for player, path in enumerate(paths):
        rows = [f"g1,{f},{f * 33 + player}," + ",".join(["7"] * 20) for f in range(450)]
        path.write_text("\n".join([header, *rows]) + "\n")
    return paths


def test_version_loads_no_library_but_typer(tmp_path: Path) -> None:
    loaded = imported("--version", cwd=tmp_path)
    assert "typer" in loaded  # the check sees imports at all
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))


def test_parity_of_small_exports_loads_no_library_at_all(pair: tuple[Path, Path]) -> None:
    a, b = pair
    slow = {"typer", "click", "rich", "dataclasses", *HEAVY}
    for extra in ([], ["--json"], ["--exclude", "timestamp", "--row-tolerance=0"]):
        loaded = imported("parity", str(a), str(b), *extra, cwd=a.parent)
        assert "regress" in loaded  # the check sees imports at all
        assert not loaded & slow, (extra, sorted(loaded & slow))


def test_parity_help_and_usage_errors_are_typer_s(pair: tuple[Path, Path]) -> None:
    a, b = pair
    assert "typer" in imported("parity", "--help", cwd=a.parent)
    assert "typer" in imported("parity", str(a), str(b), "--bogus", cwd=a.parent, codes={2})


def test_the_console_script_is_the_entry_that_skips_typer() -> None:
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts == {"regress": "regress.entry:main"}
    assert "regress.entry import main" in (ROOT / "regress" / "__main__.py").read_text()

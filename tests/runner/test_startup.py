"""Start-up: each command imports only what it uses (read from `python -X importtime`).

How long the imports take is measured by benchmarks/startup.py; these tests only say which
libraries a command loads, so they hold on any machine.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("rich", "yaml", "numpy", "pandas", "psutil", "pydantic")


def imported(*args: str, cwd: Path) -> set[str]:
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
    assert done.returncode in {0, 1}, done.stderr[-2000:]
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


def test_parity_of_small_exports_loads_neither_numpy_nor_pandas(pair: tuple[Path, Path]) -> None:
    a, b = pair
    table = imported("parity", str(a), str(b), cwd=a.parent)
    assert "rich" in table
    assert not table & {"numpy", "pandas", "yaml"}, sorted(table & {"numpy", "pandas", "yaml"})
    as_json = imported("parity", str(a), str(b), "--json", cwd=a.parent)
    assert not as_json & {"numpy", "pandas", "yaml", "rich"}, sorted(as_json)

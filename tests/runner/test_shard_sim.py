"""scripts/shard_sim.py on the fixture project: shards, merge, and the comparison it prints."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.runner.fixture_projects import copy_fixture_project

ROOT = Path(__file__).resolve().parents[2]


def test_the_simulation_prints_split_times_and_the_verdicts_that_differ(tmp_path: Path) -> None:
    project = copy_fixture_project(tmp_path)
    suites = [arg for name in ("passing", "polluter", "victim") for arg in ("--suite", name)]
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "shard_sim.py"), "--manifest",
         str(project / "suites.yaml"), "--phase", "90", "--shards", "2", *suites,
         "--run-unsharded", "--work", str(tmp_path / "work")],
        cwd=ROOT, env={**os.environ}, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    out = done.stdout
    assert done.returncode == 0, out + done.stderr
    assert "split: manifest order" in out
    assert "shard 1: weight 2, measured" in out and "passing (1), victim (1)" in out
    assert "shard 2: weight 1, measured" in out and "polluter (1)" in out
    assert "projected on 2 machines (longest shard):" in out
    assert "unsharded run on this machine:" in out
    # apart, the polluter cannot break the victim's combined pass: the merge says so
    assert [line.split() for line in out.splitlines() if line.strip().startswith("victim")] == [
        ["victim", "PASS", "FAIL", "<-", "differs"]
    ]
    assert "tests with other outcomes merged than unsharded: 1" in out

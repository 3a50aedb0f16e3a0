"""One representative case of the signal soak (scripts/soak.py): a run killed with SIGKILL
part-way, then a clean run that must find and stop what it left, with the clean verdicts."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_a_killed_run_leaves_nothing_that_changes_the_next_run() -> None:
    # seed 5 draws SIGKILL at about three quarters of a clean run's time (the combined pass)
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "soak.py"), "--runs", "1", "--seed", "5"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    out = done.stdout + done.stderr
    assert "SIGKILL" in out, out
    assert "orphans found after the next run: 0" in out, out
    assert "false verdicts: 0" in out, out
    assert "unreadable: 0" in out, out
    assert done.returncode == 0, out

"""Ask pytest which tests exist: `pytest --collect-only -q` in the project, as `regress run`
would start it (the interpreter first on PATH), node ids back."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

from regress.errors import RegressError
from regress.proc.interpreter import with_interpreter
from regress.proc.popen import capture

COLLECT_SECONDS = 300.0


def collect_ids(
    root: Path, targets: Sequence[str] = (), extra: Sequence[str] = ()
) -> tuple[str, ...]:
    """Node ids pytest collects under targets (the whole project when none), in its order;
    extra are more pytest arguments (`-k EXPR`).

    Raises:
        RegressError: pytest could not collect (names its exit code and last lines).
    """
    command = [
        sys.executable,
        "-m",
        "pytest",
        "--collect-only",
        "-q",
        f"--rootdir={root}",
        "-p",
        "no:cacheprovider",
        *targets,
        *extra,
    ]
    env = with_interpreter({**os.environ, "REGRESS_COLLECTING": "1"})
    done = capture(command, cwd=root, timeout=COLLECT_SECONDS, env=env)
    ids = tuple(line.strip() for line in done.stdout.splitlines() if "::" in line)
    if done.returncode not in (0, 5) or (done.returncode is None):
        tail = (done.error or done.stdout).strip().splitlines()[-5:]
        raise RegressError(
            f"pytest could not collect {' '.join(targets) or 'the project'} in {root} "
            f"(exit {done.returncode}): {' / '.join(tail)}; fix the collection error and retry"
        )
    return ids

"""The testbed's JavaScript tests (`node --test` on the engine and client folders), run as part of
pytest."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
JS_TESTS = (Path("tests/testbed/engine/"), Path("tests/testbed/client/"))
TIMEOUT = 180.0  # seconds for the whole node run; it takes about two on a laptop


def _counter(output: str, name: str) -> int | None:
    """The N of a `# name N` line of node's TAP summary, or None if absent."""
    found = re.findall(rf"^# {name} (\d+)$", output, flags=re.MULTILINE)
    return int(found[-1]) if found else None


def test_node_tests_pass() -> None:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not on PATH; run `make setup` (Node 20 runs the engine tests)")
    # TAP explicitly: without a terminal Node 20 picks TAP anyway, but a developer's terminal
    # would get the spec reporter, whose summary lines read differently.
    argv = [node, "--test", "--test-reporter=tap", *map(str, JS_TESTS)]
    proc = subprocess.Popen(
        argv,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        text=True,
        start_new_session=True,  # node runs each file in a child: stop them all on timeout
    )
    try:
        output, _ = proc.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        output, _ = proc.communicate()
        pytest.fail(f"{' '.join(argv)} did not finish in {TIMEOUT:.0f}s:\n{output}")

    passed = _counter(output, "pass")
    failed = _counter(output, "fail")
    cancelled = _counter(output, "cancelled")  # a test that timed out inside node
    assert proc.returncode == 0, f"node --test exited {proc.returncode}:\n{output}"
    assert passed is not None and failed is not None, f"no '# pass/# fail' summary:\n{output}"
    assert passed > 0, f"node ran no passing tests:\n{output}"
    assert failed == 0, f"{failed} engine tests failed:\n{output}"
    assert cancelled in (None, 0), f"{cancelled} engine tests were cancelled:\n{output}"


@pytest.mark.parametrize(
    ("output", "expected"),
    [
        pytest.param("# tests 3\n# pass 3\n# fail 0\n", (3, 0), id="clean"),
        pytest.param("ok 1 - x\n# pass 12\n# fail 2\n", (12, 2), id="failures"),
        pytest.param(  # a test that logs "# pass 9" comes before node's own summary
            "# pass 9\n# fail 9\nok 1 - x\n1..1\n# pass 1\n# fail 0\n", (1, 0), id="last-wins"
        ),
        pytest.param("\u2139 pass 3\n\u2139 fail 0\n", (None, None), id="spec-reporter-is-not-tap"),
    ],
)
def test_summary_counter_parsing(output: str, expected: tuple[int | None, int | None]) -> None:
    assert (_counter(output, "pass"), _counter(output, "fail")) == expected

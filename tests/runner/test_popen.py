"""popen: spawning into a log, escalating stop, group and descendants, the live registry."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import psutil
import pytest

from regress.errors import RegressError
from regress.proc import popen

Launch = Callable[..., popen.Child]  # the conftest fixture

IGNORE_TERM = (
    "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
    "print('ready', flush=True); time.sleep(60)"
)
SLEEP = "import time; print('ready', flush=True); time.sleep(60)"
# On SIGTERM says so, then exits only once the file named by argv[1] exists.
TERM_WAITS_FOR_FILE = """
import os, signal, sys, time
def on_term(signum, frame):
    print('term', flush=True)
    while not os.path.exists(sys.argv[1]):
        time.sleep(0.01)
    sys.exit(0)
signal.signal(signal.SIGTERM, on_term)
print('ready', flush=True)
time.sleep(60)
"""
# Starts a grandchild (in the group, or in its own session with `escaped`) and prints its pid.
FAMILY = (
    "import subprocess, sys, time; escaped = sys.argv[1] == 'escaped'; "
    "g = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'], "
    "start_new_session=escaped); print('grandchild', g.pid, flush=True); "
    "time.sleep(float(sys.argv[2]))"
)


def _grandchild(child: popen.Child) -> psutil.Process:
    log = child.log_path.read_text(encoding="utf-8")
    pid = int(log.split("grandchild ", 1)[1].split()[0])
    return psutil.Process(pid)


def _dead(proc: psutil.Process) -> bool:
    try:
        return not proc.is_running() or proc.status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def test_spawn_appends_output_to_log_in_own_group(tmp_path: Path) -> None:
    log = tmp_path / "logs" / "child.log"
    log.parent.mkdir()
    log.write_text("earlier run\n")
    code = (
        "import os, sys; print('out', os.getpgid(0) == os.getpid(), flush=True); "
        "print('err', file=sys.stderr, flush=True); sys.exit(4)"
    )
    child = popen.spawn([sys.executable, "-c", code], cwd=tmp_path, env=os.environ, log_path=log)

    assert child in popen.live_children()
    assert child.wait(10) == 4
    assert log.read_text() == "earlier run\nout True\nerr\n"
    assert child.log_offset == len("earlier run\n")
    assert child not in popen.live_children()


def test_spawn_of_missing_program_names_it(tmp_path: Path) -> None:
    with pytest.raises(RegressError, match="no-such-program-x"):
        popen.spawn(
            ["no-such-program-x"], cwd=tmp_path, env=os.environ, log_path=tmp_path / "x.log"
        )


def test_stop_of_well_behaved_child_needs_no_kill(launch: Launch) -> None:
    child = launch("-c", SLEEP, ready="ready")

    result = popen.stop(child, grace=2.0)

    assert result == popen.StopResult(result.duration, -signal.SIGTERM, killed=False)
    assert result.duration < 1.0


def test_stop_escalates_to_sigkill_within_grace(launch: Launch) -> None:
    child = launch("-c", IGNORE_TERM, ready="ready")

    result = popen.stop(child, grace=0.3)

    assert result.killed
    assert result.returncode == -signal.SIGKILL
    assert 0.3 <= result.duration < 0.3 + 0.5


@pytest.mark.parametrize("where", ["group", "escaped"])
def test_stop_kills_grandchild(launch: Launch, where: str) -> None:
    child = launch("-c", FAMILY, where, "60", ready="grandchild")
    grandchild = _grandchild(child)
    assert (os.getpgid(grandchild.pid) == child.pid) == (where == "group")

    popen.stop(child, grace=1.0)

    assert child.returncode is not None
    assert _dead(grandchild)


def test_stop_after_leader_exited_sweeps_its_group(launch: Launch) -> None:
    child = launch("-c", FAMILY, "group", "0", ready="grandchild")
    grandchild = _grandchild(child)
    assert child.wait(10) == 0
    assert not _dead(grandchild)

    result = popen.stop(child, grace=1.0)

    assert _dead(grandchild)
    assert result.returncode == 0


def test_kill_tree_kills_at_once(launch: Launch) -> None:
    child = launch("-c", IGNORE_TERM, ready="ready")

    result = popen.kill_tree(child)

    assert result.killed
    assert result.returncode == -signal.SIGKILL
    assert result.duration < 0.5


def test_stop_all_leaves_no_live_child(launch: Launch) -> None:
    children = [
        launch("-c", SLEEP, ready="ready"),
        launch("-c", IGNORE_TERM, ready="ready"),
        launch("-c", FAMILY, "group", "60", ready="grandchild"),
    ]

    results = popen.stop_all(grace=0.3)

    assert len(results) >= len(children)
    assert [r.killed for r in results[:2]] == [False, True]
    assert popen.live_children() == ()
    assert all(child.returncode is not None for child in children)
    alive = [p for p in psutil.Process().children(recursive=True) if not _dead(p)]
    assert alive == []


def test_stop_all_keeps_a_child_spawned_while_it_stops_others(
    launch: Launch, tmp_path: Path
) -> None:
    # --jobs: a worker thread may start its pytest while Ctrl-C is stopping the other children;
    # that child must still be there for the next stop, or the worker waits on it for good.
    spawned = tmp_path / "spawned"
    first = launch("-c", TERM_WAITS_FOR_FILE, str(spawned), ready="ready")
    late: list[popen.Child] = []

    def spawn_while_first_is_stopping() -> None:
        deadline = time.monotonic() + 30
        while "term" not in first.log_path.read_text() and time.monotonic() < deadline:
            time.sleep(0.01)
        late.append(
            popen.spawn(
                [sys.executable, "-c", SLEEP], cwd=tmp_path, env=os.environ, log_path=tmp_path / "l"
            )
        )
        spawned.touch()

    worker = threading.Thread(target=spawn_while_first_is_stopping)
    worker.start()
    (stopped,) = popen.stop_all(grace=30.0)  # `first` ends only after `late` is spawned
    worker.join()

    assert stopped.returncode == 0 and not stopped.killed
    assert popen.live_children() == (late[0],)
    popen.stop_all(grace=5.0)
    assert late[0].returncode == -signal.SIGTERM
    assert popen.live_children() == ()


def test_stop_processes_never_signals_a_reused_pid(launch: Launch) -> None:
    child = launch("-c", SLEEP, ready="ready")
    impostor = popen.ProcessRef(child.pid, child.create_time - 100.0, group=True)

    assert popen.stop_processes([impostor], grace=0.1) == (None,)
    assert child.poll() is None
    assert popen.running(child.pid, child.create_time)


def test_stop_processes_stops_by_reference(launch: Launch) -> None:
    child = launch("-c", IGNORE_TERM, ready="ready")
    ref = popen.ProcessRef(child.pid, child.create_time, group=True)

    (result,) = popen.stop_processes([ref], grace=0.2)

    assert result is not None
    assert result.killed
    assert result.returncode is None  # not reaped through a Popen
    assert not popen.running(child.pid, child.create_time)

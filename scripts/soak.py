"""Signal soak: interrupt `regress run` at random moments, then prove nothing was left behind.

Runs the fixture project (tests/runner/fixture_project: passing, failing, a leaking test, a
daemonising server, a slow test) N times in a row; each run gets SIGINT, SIGTERM or SIGKILL at a
random moment (or none). After each, a clean run of the same selection must:

- find and stop whatever the interrupted run left (a SIGKILLed run leaves its children),
- leave no process carrying any run token of this soak alive and every manifest port free,
- give exactly the verdicts of a clean baseline run,
and every run.json written must parse. Prints the counts; exits 1 if any check failed.

    python scripts/soak.py [--runs 50] [--seed 1] [--keep DIR]
"""

from __future__ import annotations

import argparse
import collections
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from regress.errors import RegressError  # noqa: E402
from regress.judging.history import list_runs, load_record  # noqa: E402
from regress.judging.results import RunRecord  # noqa: E402
from regress.manifest.load import load_manifest  # noqa: E402
from regress.proc.ledger import TOKEN_ENV  # noqa: E402
from regress.proc.ports import is_free  # noqa: E402
from tests.runner.fixture_projects import copy_fixture_project  # noqa: E402

SUITES = ("passing", "failing", "leaky", "daemon", "slow")
SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGKILL, None)
SWEPT = re.compile(r"swept (\d+) processes for (\d+) dead run token\(s\) in (\d+) ms")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", help="copy the scratch project's reports here at the end")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(
        prefix="regress-soak-",
    ) as tmp:
        project = copy_fixture_project(Path(tmp))
        reports = project / "reports"
        ports = sorted({s.port for s in load_manifest(project / "suites.yaml").suites})
        started = time.monotonic()
        baseline, clean_seconds = _run(project)
        expected = verdicts(load_record(reports, baseline))
        print(f"baseline run {baseline}: {clean_seconds:.1f}s, verdicts {sorted(expected.items())}")
        sent: collections.Counter[str] = collections.Counter()
        problems: list[str] = []
        orphans = false_verdicts = 0
        sweeps: list[tuple[int, int]] = []
        for number in range(1, args.runs + 1):
            sig = rng.choice(SIGNALS)
            delay = rng.uniform(0.0, clean_seconds)
            interrupted, code = _run_and_signal(project, sig, delay)
            sent[sig.name if sig else "none"] += 1
            check, _ = _run(project)
            record = load_record(reports, check)
            left = alive_tokens(reports)
            busy = [port for port in ports if not is_free(port)]
            got = verdicts(record)
            orphans += len(left)
            line = f"{number:3d} {sig.name if sig else 'none':7} at {delay:5.1f}s -> exit {code}"
            found = _problems(left, busy, expected, got, check)
            if interrupted and _claims_done(load_record(reports, interrupted), code):
                found.append(f"the interrupted run's record {interrupted} claims completion")
            false_verdicts += sum("verdict" in f or "claims" in f for f in found)
            problems += [f"run {number}: {problem}" for problem in found]
            for note in record.notes:
                if match := SWEPT.search(note):
                    sweeps.append((int(match[1]), int(match[3])))
            print(line + "".join(f"\n    PROBLEM: {problem}" for problem in found), flush=True)
        unreadable = _unreadable(reports)
        if args.keep:
            shutil.copytree(reports, args.keep, symlinks=True, dirs_exist_ok=True)
        print()
        print(
            f"runs: {args.runs} interrupted + {args.runs + 1} clean, "
            f"{time.monotonic() - started:.0f}s"
        )
        _print_figures(
            sent,
            orphans=orphans,
            false_verdicts=false_verdicts,
            records=len(list_runs(reports)),
            unreadable=unreadable,
            sweeps=sweeps,
        )
        for problem in problems + unreadable:
            print("PROBLEM:", problem)
        return 1 if problems or unreadable else 0


def _problems(
    left: list[str],
    busy: list[int],
    expected: dict[tuple[str, str, str], str],
    got: dict[tuple[str, str, str], str],
    check: str,
) -> list[str]:
    """What the clean run after an interrupted one found wrong."""
    found = []
    if left:
        found.append(f"alive after the next run: {left}")
    if busy:
        found.append(f"ports still busy: {busy}")
    if got != expected:
        changed = {k: (expected.get(k), got.get(k)) for k in expected.keys() | got.keys()}
        differ = {k: v for k, v in changed.items() if v[0] != v[1]}
        found.append(f"verdicts differ from the baseline (baseline, now): {differ} (run {check})")
    return found


def _unreadable(reports: Path) -> list[str]:
    """The messages of every run.json in `reports` that does not load."""
    unreadable = []
    for run_id in list_runs(reports):
        try:
            load_record(reports, run_id)
        except RegressError as exc:
            unreadable.append(exc.message)
    return unreadable


def _print_figures(
    sent: collections.Counter[str],
    *,
    orphans: int,
    false_verdicts: int,
    records: int,
    unreadable: list[str],
    sweeps: list[tuple[int, int]],
) -> None:
    print(f"signals sent: {dict(sent)}")
    print(f"orphans found after the next run: {orphans}")
    print(f"false verdicts: {false_verdicts}")
    print(f"run.json files: {records}, unreadable: {len(unreadable)}")
    if sweeps:
        times = sorted(ms for _, ms in sweeps)
        print(
            f"start-of-run sweeps that stopped something: {len(sweeps)}, scanned up to "
            f"{max(n for n, _ in sweeps)} processes, median {times[len(times) // 2]} ms, "
            f"max {times[-1]} ms"
        )


def _command(project: Path) -> list[str]:
    suites = [arg for name in SUITES for arg in ("--suite", name)]
    return [
        sys.executable,
        "-m",
        "regress",
        "run",
        *suites,
        "--manifest",
        str(project / "suites.yaml"),
        "--reports",
        str(project / "reports"),
    ]


def _env() -> dict[str, str]:
    return {**os.environ, "SLOW_SECONDS": "3", "FIXTURE_ENV_MARK": "yes", "COLUMNS": "200"}


def _run(project: Path) -> tuple[str, float]:
    """A clean run; its id and wall time."""
    started = time.monotonic()
    done = subprocess.run(
        _command(project), cwd=ROOT, env=_env(), capture_output=True, text=True, check=False
    )
    if done.returncode not in (0, 1):
        raise SystemExit(f"clean run exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
    return list_runs(project / "reports")[-1], time.monotonic() - started


def _run_and_signal(project: Path, sig: signal.Signals | None, delay: float) -> tuple[str, int]:
    """A run that gets sig after delay seconds; its id ("" if it wrote none) and exit code."""
    before = set(list_runs(project / "reports"))
    process = subprocess.Popen(
        _command(project),
        cwd=ROOT,
        env=_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        code = process.wait(timeout=delay) if sig else None
    except subprocess.TimeoutExpired:
        code = None
    if code is None and sig is not None:
        process.send_signal(sig)
    code = process.wait(timeout=120)
    new = sorted(set(list_runs(project / "reports")) - before)
    return (new[-1] if new else ""), code


def _claims_done(record: RunRecord, code: int) -> bool:
    """A record that says the run finished although the process was cut short."""
    return code not in (0, 1) and record.complete


def verdicts(record: RunRecord) -> dict[tuple[str, str, str], str]:
    """(pass, suite, test) -> status."""
    return {
        (result.kind.value, suite.suite, test.nodeid): test.status.value
        for result in record.passes
        for suite in result.suites
        for test in suite.tests
    }


def alive_tokens(reports: Path) -> list[str]:
    """Processes carrying the token of any run of this soak."""
    runs = set(list_runs(reports))
    found = []
    for proc in psutil.process_iter():
        try:
            token = proc.environ().get(TOKEN_ENV, "")
            if proc.status() == psutil.STATUS_ZOMBIE or not token.startswith("regress-"):
                continue
            if any(f"regress-{run}-" in token for run in runs):
                found.append(f"{proc.pid} {' '.join(proc.cmdline())[:80]}")
        except psutil.Error:
            continue
    return found


if __name__ == "__main__":
    sys.exit(main())

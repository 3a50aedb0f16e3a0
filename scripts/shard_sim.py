"""Simulate a CI matrix on this machine: run a phase as N shards, merge them, compare.

Usage (from the project root):
    python scripts/shard_sim.py [--manifest suites.yaml] [--phase 73] [--shards 3]
        [--suite NAME ...] [--history REPORTS] [--concurrent --offset-step 1000]
        [--unsharded RUN_FOLDER | --run-unsharded] [--work DIR]

Each shard is a real `regress run --shard I/N` with its own reports folder (seeded with the
run.json files of --history, so every shard computes the split from the same durations), one
after the other, or all at once with --concurrent (ports moved by --port-offset (I-1)*step).
Then `regress merge`. Prints the split with its weights, each shard's measured wall time, the
projected wall time on N machines (the longest shard) and on one (the shards one after the
other), and the merged verdicts per suite next to an unsharded run's (--unsharded names one
already recorded, --run-unsharded runs it here and times it). Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from regress.judging.history import RUN_FILE, list_runs, load_record
from regress.judging.judge import judge
from regress.judging.verdicts import Judgement


def main() -> int:
    args = _arguments()
    work = Path(args.work or tempfile.mkdtemp(prefix="shard-sim-")).resolve()
    work.mkdir(parents=True, exist_ok=True)
    select = ["--manifest", str(args.manifest), "--phase", args.phase]
    select += [arg for name in args.suite for arg in ("--suite", name)]
    print(f"work folder: {work}")

    folders, seconds, outputs = [], [], []
    commands = []
    for index in range(1, args.shards + 1):
        reports = work / f"shard-{index}"
        _seed(reports, args.history)
        offset = (index - 1) * args.offset_step if args.concurrent else 0
        shard = ["--shard", f"{index}/{args.shards}", "--port-offset", str(offset)]
        commands.append([*_regress("run"), *select, *shard, "--json", "--reports", str(reports)])
    if args.concurrent:
        results = _all_at_once(commands, work)
    else:
        results = [
            _timed(command, work / f"shard-{i}.log") for i, command in enumerate(commands, 1)
        ]
    for output, took in results:
        summary = json.loads(output)
        outputs.append(summary)
        folders.append(summary["report"])
        seconds.append(took)

    merged_out = work / "merged"
    merge = subprocess.run(
        [*_regress("merge"), *folders, "--out", str(merged_out), "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    if merge.returncode not in (0, 1):
        print(f"regress merge refused the shards:\n{merge.stderr}", file=sys.stderr)
        return 1
    merged = judge(load_record(merged_out, None))

    unsharded, unsharded_seconds = None, None
    if args.run_unsharded:
        reports = work / "unsharded"
        _seed(reports, args.history)
        command = [*_regress("run"), *select, "--json", "--reports", str(reports)]
        output, unsharded_seconds = _timed(command, work / "unsharded.log")
        unsharded = judge(_record_at(Path(json.loads(output)["report"])))
    elif args.unsharded:
        unsharded = judge(_record_at(args.unsharded))

    _print_split(outputs[0]["shard"], seconds)
    _print_times(seconds, args.concurrent, unsharded_seconds)
    _print_verdicts(merged, unsharded, merge.returncode)
    return 0


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--manifest", type=Path, default=Path("suites.yaml"))
    parser.add_argument("--phase", default="73")
    parser.add_argument("--suite", action="append", default=[])
    parser.add_argument("--shards", type=int, default=3)
    parser.add_argument("--history", type=Path, help="reports folder whose run.json files to use")
    parser.add_argument("--concurrent", action="store_true", help="all shards at once")
    parser.add_argument("--offset-step", type=int, default=1000)
    parser.add_argument("--unsharded", type=Path, help="run folder of an unsharded run")
    parser.add_argument("--run-unsharded", action="store_true")
    parser.add_argument("--work", type=Path)
    args = parser.parse_args()
    if args.shards < 1:
        parser.error("--shards must be at least 1")
    return args


def _regress(command: str) -> list[str]:
    return [sys.executable, "-m", "regress", command]


def _seed(reports: Path, history: Path | None) -> None:
    """The same history in every shard's reports folder: copies of the run.json files."""
    reports.mkdir(parents=True, exist_ok=True)
    if history is None:
        return
    for run_id in list_runs(history):
        (reports / run_id).mkdir(exist_ok=True)
        shutil.copy2(history / run_id / RUN_FILE, reports / run_id / RUN_FILE)


def _timed(command: list[str], log: Path) -> tuple[str, float]:
    started = time.monotonic()
    with log.open("w") as errors:
        done = subprocess.run(
            command, stdout=subprocess.PIPE, stderr=errors, text=True, check=False
        )
    took = time.monotonic() - started
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} exited {done.returncode}; see {log}")
    return done.stdout, took


def _all_at_once(commands: list[list[str]], work: Path) -> list[tuple[str, float]]:
    started = time.monotonic()
    running = []
    for index, command in enumerate(commands, 1):
        log = (work / f"shard-{index}.log").open("w")
        running.append(
            (subprocess.Popen(command, stdout=subprocess.PIPE, stderr=log, text=True), log)
        )
    results = []
    for (process, log), command in zip(running, commands, strict=True):
        output, _ = process.communicate()
        log.close()
        if process.returncode not in (0, 1):
            raise SystemExit(f"{' '.join(command)} exited {process.returncode}; see {log.name}")
        results.append((output, time.monotonic() - started))
    return results


def _record_at(folder: Path) -> Any:
    return load_record(folder.parent, folder.name)


def _print_split(shard: dict[str, Any], seconds: list[float]) -> None:
    weights = dict(shard["durations"])
    print(f"\nsplit: {shard['reason']}")
    for index, (names, took) in enumerate(zip(shard["split"], seconds, strict=True), 1):
        planned = sum(weights[name] for name in names)
        listed = ", ".join(f"{name} ({weights[name]:g})" for name in names)
        print(f"  shard {index}: weight {planned:g}, measured {took:.1f}s: {listed}")


def _print_times(seconds: list[float], concurrent: bool, unsharded: float | None) -> None:
    print("\nwall time")
    if concurrent:
        print(f"  all shards at once on this machine: {max(seconds):.1f}s")
    else:
        print(f"  projected on {len(seconds)} machines (longest shard): {max(seconds):.1f}s")
        print(f"  on one machine, shards one after the other: {sum(seconds):.1f}s")
    if unsharded is not None:
        print(f"  unsharded run on this machine: {unsharded:.1f}s")


def _print_verdicts(merged: Judgement, unsharded: Judgement | None, code: int) -> None:
    print(f"\nmerged run {merged.record.run_id}: exit code {code}")
    if unsharded is None:
        for verdict in merged.suites:
            print(f"  {verdict.suite:<24} {verdict.word.value}")
        return
    print(f"  unsharded run {unsharded.record.run_id}: exit code {unsharded.record.exit_code}")
    print(f"  {'suite':<24} {'merged':<8} {'unsharded':<9}")
    for verdict in merged.suites:
        other = next((v for v in unsharded.suites if v.suite == verdict.suite), None)
        word = other.word.value if other else "-"
        mark = "" if other and other.word is verdict.word else "  <- differs"
        print(f"  {verdict.suite:<24} {verdict.word.value:<8} {word:<9}{mark}")
    differing = [
        f"{t.nodeid} ({_statuses(t)} merged, {_statuses(o)} unsharded)"
        for v in merged.suites
        for t in v.tests
        if (o := _test(unsharded, v.suite, t.nodeid)) is not None and _statuses(o) != _statuses(t)
    ]
    print(f"  tests with other outcomes merged than unsharded: {len(differing)}")
    for line in differing:
        print(f"    {line}")


def _test(judgement: Judgement, suite: str, nodeid: str) -> Any:
    for verdict in judgement.suites:
        for test in verdict.tests:
            if verdict.suite == suite and test.nodeid == nodeid:
                return test
    return None


def _statuses(test: Any) -> str:
    parts = [o.status.value if o else "-" for o in (test.isolation, test.combined)]
    return "/".join(parts)


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark ``regress parity`` against a plain csv-module comparison of the same exports.

Usage: python benchmarks/parity.py [--rows 500000] [--repeat 3] [--keep DIR]

Writes three pairs of exports (45 columns like the testbed's rows, client-local columns
differing on every row) with known divergent cells:

- sparse: 63 cells in 5 columns (same-length and length-changing edits, "20" vs "20.0");
- desync: stateHash and score differ on every row of the second half;
- short: 450 rows, to time a whole run including process start.

Each command runs in a fresh subprocess, round robin; the table gives the median wall time
and the peak RSS (ru_maxrss of that child, read with os.wait4 by a small launcher). Per-column
counts of every command are checked against each other and the known numbers. Prints figures
only; nothing here asserts a timing.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
EXCLUDE = ("timestamp", "rollbackEvents", "wasSpeculative", "isFocused.0", "isFocused.1")
SPARSE = {"p1.x": 12, "score": 3, "stateHash": 40, "item3.y": 1, "p0.holding": 7}
HOLDINGS = ("none", "onion", "tomato", "dish", "soup")

# The plain approach: csv module, row by row, printing the same JSON shape as parity. Run with
# -c so that the child imports nothing but csv, json and sys.
BASELINE_SNIPPET = """
import csv, json, sys
exclude = set(json.loads(sys.argv[3]))
counts = {}
with open(sys.argv[1], newline="", encoding="utf-8") as file_a, \\
        open(sys.argv[2], newline="", encoding="utf-8") as file_b:
    rows_a, rows_b = csv.reader(file_a), csv.reader(file_b)
    header_a, header_b = next(rows_a), next(rows_b)
    compared = [name for name in header_a if name in header_b and name not in exclude]
    pairs = [(name, header_a.index(name), header_b.index(name)) for name in compared]
    done = 0
    for row_a, row_b in zip(rows_a, rows_b):
        done += 1
        for name, index_a, index_b in pairs:
            if row_a[index_a] != row_b[index_b]:
                counts[name] = counts.get(name, 0) + 1
    total_a = done + sum(1 for _ in rows_a)
    total_b = done + sum(1 for _ in rows_b)
divergent = {name: {"count": counts[name]} for name in compared if name in counts}
print(json.dumps({"rows": {"a": total_a, "b": total_b}, "divergent": divergent}))
sys.exit(0 if not counts and total_a == total_b else 1)
"""
# Linux keeps ru_maxrss across fork and exec, so a child of this (large) process would report
# at least this process's RSS. A small launcher spawns each command and reports its figures.
LAUNCHER = """
import json, os, sys, time
started = time.perf_counter()
pid = os.posix_spawn(sys.argv[2], sys.argv[2:], os.environ)
_, status, usage = os.wait4(pid, 0)
wall = time.perf_counter() - started
figures = {"wall": wall, "maxrss_kib": usage.ru_maxrss, "exit": os.waitstatus_to_exitcode(status)}
with open(sys.argv[1], "w") as out:
    json.dump(figures, out)
"""
PANDAS_SNIPPET = """
import json, sys
from regress.parity import Reader, compare
from regress.parity.report import to_json
report = compare(sys.argv[1], sys.argv[2], reader=Reader.PANDAS)
print(json.dumps(to_json(report)))
sys.exit(0 if report.verdict.value == "identical" else 1)
"""


@dataclass(frozen=True)
class Measurement:
    """A command over its runs: median wall seconds, peak RSS in MiB, per-column counts."""

    wall: float
    peak_mib: float
    counts: dict[str, int]


def main() -> int:
    """Generate the exports, measure every command and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=500_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs per command (median)")
    parser.add_argument("--keep", type=Path, help="write the exports here and keep them")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = options.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        failures = 0
        half = options.rows // 2
        for name, rows, known in (
            ("sparse", options.rows, SPARSE),
            ("desync", options.rows, {"stateHash": half, "score": half}),
            ("short", 450, {"stateHash": 2, "p1.x": 1}),
        ):
            a, b = folder / f"{name}_a.csv", folder / f"{name}_b.csv"
            started = time.perf_counter()
            write_pair(a, b, rows, known, desync=name == "desync")
            size = (a.stat().st_size + b.stat().st_size) / 2**20
            load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
            print(
                f"\n## {name}: {rows} rows, {size:.0f} MiB for both files "
                f"(written in {time.perf_counter() - started:.1f} s); load average {load}"
            )
            failures += report(a, b, known, options.repeat if rows > 450 else 5)
    return 1 if failures else 0


def report(a: Path, b: Path, known: dict[str, int], repeat: int) -> int:
    """Measure the commands on one pair, print a table, return the number of count mismatches."""
    cli = "python -m regress parity A B --json"
    commands = {cli: [sys.executable, "-m", "regress", "parity", str(a), str(b), "--json"]}
    commands["regress.parity, pandas reader"] = [
        sys.executable,
        "-c",
        PANDAS_SNIPPET,
        str(a),
        str(b),
    ]
    commands["csv module, row by row (baseline)"] = [
        sys.executable,
        "-c",
        BASELINE_SNIPPET,
        str(a),
        str(b),
        json.dumps(EXCLUDE),
    ]
    results = measure(commands, repeat)
    base = results["csv module, row by row (baseline)"]
    print(f"{'command':52} {'wall s':>8} {'peak MiB':>9} {'speed-up':>9} {'memory':>7}")
    for label, result in results.items():
        print(
            f"{label:52} {result.wall:8.3f} {result.peak_mib:9.1f} "
            f"{base.wall / result.wall:8.2f}x {result.peak_mib / base.peak_mib:6.2f}x"
        )
    mismatches = 0
    for label, result in results.items():
        if result.counts != known:
            mismatches += 1
            print(f"COUNT MISMATCH {label}: {result.counts} != known {known}")
    if not mismatches:
        print(f"per-column counts agree across commands and with the known numbers: {known}")
    return mismatches


def measure(commands: dict[str, list[str]], repeat: int) -> dict[str, Measurement]:
    """Run each command ``repeat`` times, round robin so that load hits all alike.

    Returns the median wall time, the largest peak RSS and the counts of each command.
    """
    runs: dict[str, list[tuple[float, float, dict[str, int]]]] = {label: [] for label in commands}
    for _ in range(repeat):
        for label, command in commands.items():
            runs[label].append(run_once(command))
    return {
        label: Measurement(
            statistics.median(wall for wall, _, _ in samples),
            max(peak for _, peak, _ in samples),
            samples[-1][2],
        )
        for label, samples in runs.items()
    }


def run_once(command: list[str]) -> tuple[float, float, dict[str, int]]:
    """Wall seconds, peak RSS in MiB and divergence counts of one fresh process."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with tempfile.TemporaryDirectory() as scratch:
        out, err, usage = (Path(scratch) / name for name in ("out", "err", "usage"))
        with out.open("wb") as stdout, err.open("wb") as stderr:
            launcher = [sys.executable, "-c", LAUNCHER, str(usage), *command]
            subprocess.run(launcher, stdout=stdout, stderr=stderr, env=env, cwd=ROOT, check=False)
        figures = json.loads(usage.read_text())
        if figures["exit"] not in {0, 1}:
            raise SystemExit(f"{command[:3]} failed: {err.read_text()[-2000:]}")
        counts = column_counts(json.loads(out.read_text()))
    return figures["wall"], figures["maxrss_kib"] / 1024, counts


def column_counts(result: dict[str, Any]) -> dict[str, int]:
    """Per-column divergence counts from a parity JSON report or the baseline's output."""
    return {name: entry["count"] for name, entry in result["divergent"].items()}


def write_pair(a: Path, b: Path, rows: int, known: dict[str, int], *, desync: bool) -> None:
    """Write two exports of one episode; b differs from a in exactly ``known`` cells."""
    import numpy as np  # noqa: PLC0415 - keeps numpy out of the baseline child process

    rng = np.random.default_rng(73)
    step = np.arange(rows)
    columns: dict[str, Any] = {
        "gameId": np.full(rows, "g-3f9a2c1e"),
        "episode": np.full(rows, "0"),
        "frame": (step + 2).astype(str),
        "t": step.astype(str),
    }
    for player in ("p0", "p1"):
        reward = rng.integers(0, 2, rows) * 20
        columns |= {
            f"{player}.x": rng.integers(0, 12, rows).astype(str),
            f"{player}.y": rng.integers(0, 9, rows).astype(str),
            f"{player}.dir": rng.integers(0, 4, rows).astype(str),
            f"{player}.holding": np.array(HOLDINGS)[rng.integers(0, 5, rows)],
            f"{player}.action": rng.integers(0, 6, rows).astype(str),
            f"{player}.reward": reward.astype(str),
            f"{player}.cumReward": np.cumsum(reward).astype(str),
            f"{player}.interact": rng.integers(0, 2, rows).astype(str),
        }
    for item in range(8):
        columns[f"item{item}.x"] = rng.integers(0, 12, rows).astype(str)
        columns[f"item{item}.y"] = rng.integers(0, 9, rows).astype(str)
    columns["orders"] = np.array(["onion_soup", "tomato_soup", "onion_soup|tomato_soup"])[
        rng.integers(0, 3, rows)
    ]
    columns["score"] = (np.cumsum(rng.integers(0, 2, rows)) * 20).astype(str)
    columns["stateHash"] = np.char.mod("%08x", rng.integers(0, 2**32, rows))
    local_a = client_local(rng, rows, 0)
    local_b = client_local(rng, rows, 5)
    columns_b = {name: values.copy() for name, values in columns.items()}
    for name, count in known.items():
        where = (
            np.arange(rows - count, rows) if desync else rng.choice(rows, size=count, replace=False)
        )
        columns_b[name][where] = [diverge(name, value) for value in columns[name][where]]
    write_csv(a, columns | local_a)
    write_csv(b, columns_b | local_b)


def client_local(rng: Any, rows: int, lag_ms: int) -> dict[str, Any]:
    """Columns that legitimately differ between the two peers."""
    return {
        "timestamp": (1_731_000_000_000 + lag_ms + rng.integers(0, 3, rows).cumsum() * 33).astype(
            str
        ),
        "rollbackEvents": rng.integers(0, 3, rows).astype(str),
        "wasSpeculative": rng.integers(0, 2, rows).astype(str),
        "isFocused.0": rng.choice(["true", "false"], rows, p=[0.99, 0.01]),
        "isFocused.1": rng.choice(["true", "false"], rows, p=[0.99, 0.01]),
    }


def diverge(column: str, value: str) -> str:
    """A different text for a cell: same number as text ("20.0"), a flipped hash, +1, ..."""
    if column == "score":
        return f"{value}.0"
    if column == "stateHash":
        return value[:-1] + ("0" if value[-1] != "0" else "1")
    if value.isdigit():
        return str(int(value) + 1)
    return (
        HOLDINGS[(HOLDINGS.index(value) + 1) % len(HOLDINGS)] if value in HOLDINGS else value + "x"
    )


def write_csv(path: Path, columns: dict[str, Any]) -> None:
    """Write columns as an export; values are already text."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(zip(*(values.tolist() for values in columns.values()), strict=True))


if __name__ == "__main__":
    sys.exit(main())

"""HTML report: render time and file size (goal: under 1 s and under 5 MB before artifacts).

Run from the project root: python benchmarks/html_report.py [--repeat 5]

Two records, each rendered with 19 earlier runs as history (the trends look back 20 runs):

  (a) phase-73-like  the sample record of the runner's tests (two plans, six suites, fifteen
                     tests, both passes) with per-test times, log windows, a screenshot, a
                     trace and a divergent export pair
  (b) synthetic      2,000 tests in 100 suites, both passes, every fifth test failing
                     combined with a traceback and server log lines

Prints the judging time, the median render time of `render_html` and the page's size; then,
for (b), the whole writer of `regress run` (`write_html`: read and judge the 19 earlier
run.json files from a reports folder, render, write atomically). Asserts nothing.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import tempfile
import time
from pathlib import Path

# Run as a script from anywhere: make the repository root importable for the test helpers.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from regress.judging.history import write_record
from regress.judging.judge import judge
from regress.judging.results import RunRecord
from regress.reporting.html import render_html
from regress.reporting.writers import write_html
from tests.runner import html_records, records

HISTORY = 19


def measure(name: str, record: RunRecord, repeat: int) -> None:
    started = time.perf_counter()
    judgement = judge(record)
    history = tuple(
        judge(dataclasses.replace(record, run_id=f"20200101-0000{i:02d}-0000"))
        for i in range(HISTORY)
    )
    judged = time.perf_counter() - started
    times = []
    text = ""
    for _ in range(repeat):
        started = time.perf_counter()
        text = render_html(judgement, history)
        times.append(time.perf_counter() - started)
    tests = sum(len(v.tests) for v in judgement.suites)
    size = len(text.encode("utf-8"))
    print(
        f"{name:<15} {tests:>5} tests  judge x{HISTORY + 1} {judged:6.3f} s  "
        f"render median {statistics.median(times):6.3f} s (min {min(times):.3f}, "
        f"max {max(times):.3f})  size {size / 1e6:6.2f} MB"
    )


def measure_writer(record: RunRecord) -> None:
    with tempfile.TemporaryDirectory() as folder:
        reports = Path(folder)
        for i in range(HISTORY):
            write_record(reports, dataclasses.replace(record, run_id=f"20200101-0000{i:02d}-0000"))
        write_record(reports, record)
        started = time.perf_counter()
        write_html(judge(record), reports)
        took = time.perf_counter() - started
    print(f"{'write_html':<15} {'':>5}        with {HISTORY} run.json files on disk {took:6.3f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="renders per record")
    args = parser.parse_args()
    measure("phase-73-like", html_records.with_evidence(records.failing_record()), args.repeat)
    synthetic = html_records.synthetic_record(2000)
    measure("synthetic", synthetic, args.repeat)
    measure_writer(synthetic)


if __name__ == "__main__":
    main()

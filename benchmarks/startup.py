"""Benchmark the start-up of `regress` commands: CPU time of whole processes, median of runs.

Usage: python benchmarks/startup.py [--repeat 9] [--rows 450] [--pair A.csv B.csv]

Each command runs in a fresh subprocess, round robin; its CPU time (user + system) is read
with resource.getrusage(RUSAGE_CHILDREN) around it, so a busy machine changes the figures
less than wall time would. Commands: the bare interpreter (the floor every command pays),
`regress --version`, `regress parity A B` (table, --json, and -m with this checkout's
suites.yaml, which loads YAML) on a pair of 450-row exports with 45 columns (or a real pair
given with --pair), and a plain csv-module script comparing the same pair. `regress parity`
runs both as `python -m regress` and as the console script (the Typer-free front end of
regress.entry either way).
Run in a scratch folder without a suites.yaml, with this checkout first on PYTHONPATH.
The package's bytecode is compiled first (`compileall`, into its __pycache__ folders, as pip
does on install): with PYTHONDONTWRITEBYTECODE set, an editable checkout would otherwise be
compiled from source on every start, and that is not what a user's install does.
Prints figures only; nothing here asserts a timing.
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COLUMNS = 45
CLIENT_LOCAL = ("timestamp", "rollbackEvents", "wasSpeculative", "isFocused.0", "isFocused.1")

# The plain approach the issue measured: csv module, row by row, default exclusions.
CSV_SCRIPT = """
import csv, json, sys
exclude = {"timestamp", "rollbackEvents", "wasSpeculative", "isFocused.0", "isFocused.1"}
counts = {}
with open(sys.argv[1], newline="", encoding="utf-8") as file_a, \\
        open(sys.argv[2], newline="", encoding="utf-8") as file_b:
    rows_a, rows_b = csv.reader(file_a), csv.reader(file_b)
    header_a, header_b = next(rows_a), next(rows_b)
    compared = [name for name in header_a if name in header_b and name not in exclude]
    pairs = [(name, header_a.index(name), header_b.index(name)) for name in compared]
    for row_a, row_b in zip(rows_a, rows_b):
        for name, index_a, index_b in pairs:
            if row_a[index_a] != row_b[index_b]:
                counts[name] = counts.get(name, 0) + 1
print(json.dumps({"divergent": counts}))
sys.exit(1 if counts else 0)
"""


def write_pair(folder: Path, rows: int) -> tuple[Path, Path]:
    """Two exports of one episode: game state equal, client-local columns different."""
    names = ["gameId", "frame", *CLIENT_LOCAL]
    names += [f"state{i}" for i in range(COLUMNS - len(names))]
    paths = (folder / "p1_ep0.csv", folder / "p2_ep0.csv")
    for player, path in enumerate(paths):
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(names)
            for frame in range(rows):
                local = [str(frame * 33 + player * 7), "0", str(player), "1", "1"]
                state = [str((frame * 31 + i * 17) % 997) for i in range(len(names) - 7)]
                writer.writerow(["g1", str(frame), *local, *state])
    return paths


def cpu_seconds(argv: list[str], cwd: Path, env: dict[str, str]) -> float:
    """User + system CPU time of one run of argv (and of its children)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(
        argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in {0, 1}:
        sys.exit(f"{' '.join(argv)} exited {done.returncode}: {done.stderr.decode()[-500:]}")
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=9, help="runs per command (default 9)")
    parser.add_argument("--rows", type=int, default=450, help="rows per export (default 450)")
    parser.add_argument("--pair", nargs=2, type=Path, help="two real exports instead")
    args = parser.parse_args()

    # this checkout on the path; an outer PYTHONPATH (another typer, say) before it
    outer = os.environ.get("PYTHONPATH", "")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [outer, str(ROOT)]))}
    python = sys.executable
    subprocess.run([python, "-m", "compileall", "-q", str(ROOT / "regress")], check=True)
    with tempfile.TemporaryDirectory(prefix="regress-startup-") as scratch:
        folder = Path(scratch)
        pair = args.pair or write_pair(folder, args.rows)
        a, b = (str(path.resolve()) for path in pair)
        rows = len(Path(a).read_text(encoding="utf-8").splitlines()) - 1
        commands = {
            "python -c pass (floor)": [python, "-c", "pass"],
            "regress --version": [python, "-m", "regress", "--version"],
            f"csv-module script ({rows} rows)": [python, "-c", CSV_SCRIPT, a, b],
            f"regress parity A B ({rows} rows)": [python, "-m", "regress", "parity", a, b],
            "regress parity A B --json": [python, "-m", "regress", "parity", a, b, "--json"],
            # with a manifest, parity reads its parity.exclude: YAML and the manifest load
            "regress parity A B -m suites.yaml": [
                *(python, "-m", "regress", "parity", a, b),
                *("-m", str(ROOT / "suites.yaml")),
            ],
        }
        script = shutil.which("regress", path=str(Path(python).parent))
        if script:  # the console script, as a user types it
            commands["regress --version (console script)"] = [script, "--version"]
            commands["regress parity A B (console script)"] = [script, "parity", a, b]
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.repeat):
            for name, argv in commands.items():
                times[name].append(cpu_seconds(argv, folder, env))

    baseline = statistics.median(times[f"csv-module script ({rows} rows)"])
    typer = subprocess.run(
        [python, "-c", "import typer; print(typer.__version__)"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    print(
        f"CPU seconds per process (user + system), median of {args.repeat}; "
        f"{os.cpu_count()} cores; typer {typer}"
    )
    print(f"{'command':44} {'median':>8} {'min':>8} {'vs csv script':>14}")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"{name:44} {median:8.3f} {min(values):8.3f} {median / baseline:13.2f}x")


if __name__ == "__main__":
    main()

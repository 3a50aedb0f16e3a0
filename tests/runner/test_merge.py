"""`regress merge`: shards of the fixture project merged into one run, `--junit`, `--json`, and
every refusal (one line, exit 2, nothing written)."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from regress.cli import app
from regress.judging.history import load_record
from regress.judging.judge import judge
from regress.judging.results import RunRecord
from regress.judging.verdicts import Judgement
from tests.runner.fixture_projects import copy_fixture_project

# Not the polluter/victim pair: suites of different shards never share a combined process.
SUITES = ("passing", "failing", "missing", "skipping", "polluter")
ENV = {"COLUMNS": "200"}


@dataclass(frozen=True)
class Runs:
    """One unsharded run and two shards of the same selection, and their merge."""

    base: Path
    whole: RunRecord
    shards: tuple[Path, Path]  # run folders
    shard_json: dict[str, object]  # what `run --shard 2/2 --json` printed
    merged: Result
    out: Path


def _cli(*args: str) -> Result:
    return CliRunner().invoke(app, list(args), env=ENV)


def _run(project: Path, reports: Path, *extra: str) -> Result:
    selection = [arg for name in SUITES for arg in ("--suite", name)]
    manifest = ["--manifest", str(project / "suites.yaml"), "--reports", str(reports)]
    return _cli("run", *selection, *extra, *manifest)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runs]:
    base = tmp_path_factory.mktemp("merge")
    project = copy_fixture_project(base)
    reports = base / "reports"
    whole = _run(project, reports)
    assert whole.exit_code == 1, whole.output
    whole_record = load_record(reports, None)
    # the unsharded run is the shards' history: both read it, neither reads the other
    first = _run(project, reports, "--shard", "1/2")
    second = _run(project, reports, "--shard", "2/2", "--json")
    folders = tuple(reports / load_record(reports, r.run_id).run_id for r in _ids(first, second))
    out = base / "merged"
    merged = _cli("merge", *map(str, folders), "--out", str(out), "--junit", str(base / "j.xml"))
    yield Runs(base, whole_record, folders, json.loads(second.stdout), merged, out)  # type: ignore[arg-type]


def _ids(*results: Result) -> list[RunRecord]:
    """The records the runs wrote, from the "Report: <run folder>/index.html" line each ends
    with."""
    found = []
    for result in results:
        line = next(ln for ln in result.output.splitlines() if ln.startswith("Report: "))
        folder = Path(line.removeprefix("Report: ")).parent
        found.append(load_record(folder.parent, folder.name))
    return found


def _verdicts(judgement: Judgement) -> dict[tuple[str, str], tuple[object, ...]]:
    return {
        (v.suite, t.nodeid): (
            t.isolation.status if t.isolation else None,
            t.combined.status if t.combined else None,
            t.comparison,
            t.passed,
        )
        for v in judgement.suites
        for t in v.tests
    }


def test_merged_shards_give_the_verdicts_and_exit_code_of_an_unsharded_run(runs: Runs) -> None:
    assert runs.merged.exit_code == runs.whole.exit_code == 1, runs.merged.output
    merged = load_record(runs.out, None)
    assert merged.exit_code == 1
    whole, joined = judge(runs.whole), judge(merged)
    assert _verdicts(joined) == _verdicts(whole)
    assert len(_verdicts(joined)) == 10
    assert {r.requirement: r.satisfied for r in joined.requirements} == {
        r.requirement: r.satisfied for r in whole.requirements
    }
    assert [s.name for s in merged.suites] == list(SUITES)


def test_the_shards_split_by_the_history_and_the_merge_records_the_groups(runs: Runs) -> None:
    records = [load_record(f.parent, f.name) for f in runs.shards]
    infos = [r.shard for r in records]
    assert infos[0] is not None and infos[1] is not None
    assert infos[0].split == infos[1].split  # both computed the same split
    assert infos[0].reason.startswith("longest first by last known duration from 1 run(s)")
    assert [tuple(s.name for s in r.suites) for r in records] == list(infos[0].split)
    merged = load_record(runs.out, None)
    assert merged.groups == infos[0].split
    assert merged.shard is None
    summary = (runs.out / merged.run_id / "90-fixture-checks" / "90-01-SUMMARY.md").read_text()
    assert "Combined pass ran as 2 groups" in summary
    assert "interference across groups was not tested" in summary
    assert "then the suites of each of 2 shards ran in one combined pytest process per" in summary
    for result in (r for p in merged.passes for r in p.suites):
        for _, path in result.artifacts:  # copied with their shard's folder
            assert (runs.out / merged.run_id / path).exists(), path


def test_run_json_prints_only_the_summary_on_stdout(runs: Runs) -> None:
    data = runs.shard_json
    assert data["exit_code"] == 1 and data["ok"] is False
    assert isinstance(data["shard"], dict) and data["shard"]["index"] == 2
    assert {s["suite"] for s in data["suites"]} == set(runs.shard_json["shard"]["split"][1])  # type: ignore[index]


def test_merged_junit_has_every_test_in_both_passes(runs: Runs) -> None:
    root = ET.parse(runs.base / "j.xml").getroot()
    cases = list(root.iter("testcase"))
    assert len(cases) == 2 * 10
    names = {c.get("name") for c in cases}
    assert "90-01/failing/test_broken" in names
    assert all(str(name).startswith("90-01/") and name.count("/") >= 2 for name in names)
    passes = {p.get("value") for c in cases for p in c.iter("property") if p.get("name") == "pass"}
    assert passes == {"isolation", "combined"}
    broken = [c for c in cases if c.get("name") == "90-01/failing/test_broken"]
    assert all(c.find("failure") is not None for c in broken)
    assert root.get("failures") == str(sum(1 for c in cases if c.find("failure") is not None))


# --- refusals --------------------------------------------------------------------------------


def _copy_with(folder: Path, into: Path, **changes: object) -> Path:
    """A copy of a shard's run folder with fields of its run.json changed."""
    target = into / folder.name
    shutil.copytree(folder, target)
    data = json.loads((target / "run.json").read_text())
    for key, value in changes.items():
        if key == "split":
            data["shard"]["split"] = value
        else:
            data[key] = value
    (target / "run.json").write_text(json.dumps(data))
    return target


Folders = Callable[[Path, Path, Path, Runs], list[Path]]  # (shard 1, shard 2, spare dir, runs)

REFUSALS: list[tuple[Folders, str]] = [
    (lambda a, b, o, r: [a, _copy_with(b, o, git_head="0" * 40)], "different commits"),
    (lambda a, b, o, r: [a, _copy_with(b, o, manifest_hash="f" * 64)], "different manifests"),
    (lambda a, b, o, r: [a], "shard(s) 2 of 2 missing"),
    (lambda a, b, o, r: [a, a, b], "shard 1/2 given twice"),
    (lambda a, b, o, r: [a, _copy_with(b, o, suites=[*_suites(a), *_suites(b)])], "ran in shard 1"),
    (lambda a, b, o, r: [a, _copy_with(b, o, split=[["x"], ["y"]])], "different splits:"),
    (lambda a, b, o, r: [a, _copy_with(b, o, shard={**_shard(b), "total": 3})], "of different"),
    (lambda a, b, o, r: [a, b, r.base / "reports" / r.whole.run_id], "is not a shard"),
]
IDS = ["commits", "manifests", "missing", "twice", "overlap", "split", "total", "not-a-shard"]


@pytest.mark.parametrize(("folders", "expected"), REFUSALS, ids=IDS)
def test_merge_refuses_shards_that_do_not_make_one_run(
    runs: Runs, tmp_path: Path, folders: Folders, expected: str
) -> None:
    out = tmp_path / "out"
    given = folders(*runs.shards, tmp_path / "other", runs)

    result = _cli("merge", *map(str, given), "--out", str(out))

    assert result.exit_code == 2, result.output
    assert result.stderr.count("\n") == 1 and result.stdout == "", result.output
    assert result.stderr.startswith("error: ") and expected in result.stderr, result.stderr
    assert not out.exists()


def test_merge_of_a_folder_without_runs_is_refused(tmp_path: Path) -> None:
    result = _cli("merge", str(tmp_path), "--out", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert "no run.json here and no latest run" in result.stderr
    assert not (tmp_path / "out").exists()


def _run_json(folder: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads((folder / "run.json").read_text())
    return data


def _suites(folder: Path) -> list[object]:
    suites = _run_json(folder)["suites"]
    assert isinstance(suites, list)
    return suites


def _shard(folder: Path) -> dict[str, object]:
    shard = _run_json(folder)["shard"]
    assert isinstance(shard, dict)
    return shard

"""`--shard I/N`: the longest-first split, its inputs from the run history, and its refusals."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from regress.cli import app
from regress.errors import RegressError
from regress.judging.history import write_record
from regress.judging.results import (
    PassKind,
    PassResult,
    RunRecord,
    ShardInfo,
    SuiteResult,
    SuiteStatus,
)
from regress.manifest.load import load_manifest
from regress.manifest.select import Selection, select
from regress.running.shard import parse_shard, shard_of, split
from tests.runner.fixture_projects import copy_fixture_project

EPSILON = 1e-6


@settings(deadline=None)  # a loaded 2-core machine must not turn slowness into a failure
@given(
    durations=st.lists(st.floats(0.0, 1000.0, allow_nan=False), min_size=1, max_size=40),
    total=st.integers(1, 8),
)
def test_split_is_deterministic_complete_and_within_one_suite_of_the_optimum(
    durations: list[float], total: int
) -> None:
    names = [f"suite-{i}" for i in range(len(durations))]
    weights = dict(zip(names, durations, strict=True))

    parts = split(names, weights, total)

    assert parts == split(names, dict(weights), total)  # same inputs, same split
    assert len(parts.shards) == total
    assert sorted(n for shard in parts.shards for n in shard) == sorted(names)
    for shard in parts.shards:  # each shard keeps manifest order
        assert list(shard) == sorted(shard, key=names.index)
    largest = max(durations)
    bound = max(sum(durations) / total, largest)  # no split can do better than this
    assert max(parts.load(i) for i in range(total)) <= bound + largest + EPSILON


def test_equal_weights_deal_the_suites_out_in_manifest_order() -> None:
    names = ["a", "b", "c", "d", "e"]
    assert split(names, dict.fromkeys(names, 1.0), 2).shards == (("a", "c", "e"), ("b", "d"))


def test_longest_suite_first_onto_the_least_loaded_shard() -> None:
    weights = {"a": 10.0, "b": 9.0, "c": 8.0, "d": 1.0}
    assert split(list(weights), weights, 2).shards == (("a", "d"), ("b", "c"))


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("0/3", id="zero"),
        pytest.param("4/3", id="past-the-end"),
        pytest.param("1/0", id="no-shards"),
        pytest.param("3", id="no-slash"),
        pytest.param("a/b", id="words"),
    ],
)
def test_bad_shard_text_is_refused(text: str) -> None:
    with pytest.raises(RegressError, match=rf"--shard {text}: expected I/N"):
        parse_shard(text)


@pytest.fixture
def selection(tmp_path: Path) -> Selection:
    project = copy_fixture_project(tmp_path)
    return select(load_manifest(project / "suites.yaml"), phases=("90", "92"))


def _record(run_id: str, seconds: dict[str, float], shard: ShardInfo | None = None) -> RunRecord:
    results = tuple(
        SuiteResult(name, "R", PassKind.ISOLATION, SuiteStatus.PASSED, (), "", duration)
        for name, duration in seconds.items()
    )
    return RunRecord(
        run_id=run_id,
        started="",
        finished="",
        duration=0.0,
        manifest="",
        project_root="",
        plans=(),
        suites=(),
        passes=(PassResult(PassKind.ISOLATION, results, "", 0.0),),
        shard=shard,
    )


def test_without_history_the_split_is_manifest_order(selection: Selection, tmp_path: Path) -> None:
    chosen, info = shard_of(selection, tmp_path / "reports", 2, 3)
    assert info.reason.startswith("manifest order")
    assert info.split == (("passing", "skipping", "leaky"), ("failing", "polluter", "daemon"),
                          ("missing", "victim"))  # fmt: skip
    assert [s.name for s in chosen.suites] == ["failing", "polluter", "daemon"]
    assert [p.key for p in chosen.plans] == ["90-fixture-checks/01", "92-process-hygiene/01"]


def test_history_weighs_suites_by_their_last_time_and_shard_runs_do_not_count(
    selection: Selection, tmp_path: Path
) -> None:
    reports = tmp_path / "reports"
    old = dict.fromkeys(("passing", "failing", "missing", "skipping", "polluter"), 1.0)
    write_record(reports, _record("20260101-000000-aaaa", {**old, "daemon": 99.0}))
    newer = {"passing": 50.0, "failing": 40.0, "missing": 30.0, "skipping": 5.0, "victim": 5.0}
    write_record(reports, _record("20260102-000000-aaaa", newer))
    shard = ShardInfo(1, 2, (), "")
    write_record(reports, _record("20260103-000000-aaaa", {"skipping": 500.0}, shard))

    first, info = shard_of(selection, reports, 1, 3)
    again, same = shard_of(selection, reports, 1, 3)

    weights = dict(info.durations)
    assert weights["passing"] == 50.0 and weights["skipping"] == 5.0  # the shard run passed over
    assert weights["daemon"] == 99.0 and weights["polluter"] == 1.0  # newest run that has it
    assert weights["leaky"] == round(sum(newer.values(), 100.0) / 7, 1)  # no history: the mean
    assert "from 2 run(s)" in info.reason and "1 suite(s) without history" in info.reason
    assert info.split[0] == ("daemon",)
    assert (first, info) == (again, same)
    assert [s.name for s in first.suites] == ["daemon"]
    assert [p.key for p in first.plans] == ["92-process-hygiene/01"]


def test_more_shards_than_suites_is_refused(tmp_path: Path) -> None:
    project = copy_fixture_project(tmp_path)
    result = CliRunner().invoke(
        app,
        ["run", "--suite", "passing", "--suite", "failing", "--shard", "3/3",
         "--manifest", str(project / "suites.yaml"), "--reports", str(tmp_path / "reports")],
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    assert "--shard 3/3: shard 3 has no suites (only 2 selected)" in result.output
    assert not (tmp_path / "reports").exists()

"""Run records on disk: atomic writes, the latest pointer, and one-line errors."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from regress.errors import RegressError
from regress.judging.history import (
    list_runs,
    load_record,
    new_run_id,
    run_dir,
    write_record,
    write_text_atomic,
)
from regress.judging.results import SCHEMA_VERSION, RunRecord, to_jsonable
from tests.runner import records

LATER_ID = "20261121-120000-cd34"


def _later() -> RunRecord:
    return dataclasses.replace(records.failing_record(), run_id=LATER_ID)


def test_new_run_id_is_sortable_by_time() -> None:
    early = new_run_id(datetime(2026, 11, 21, 10, 45, 12))
    late = new_run_id(datetime(2026, 11, 21, 10, 45, 13))
    assert re.fullmatch(r"20261121-104512-[0-9a-f]{4}", early)
    assert early < late
    assert run_dir(Path("reports"), early) == Path("reports") / early


def test_write_then_load_round_trips(tmp_path: Path) -> None:
    record = records.failing_record()
    path = write_record(tmp_path, record)
    assert path == tmp_path / record.run_id / "run.json"
    assert load_record(tmp_path, record.run_id) == record
    assert load_record(tmp_path, None) == record
    assert json.loads(path.read_text(encoding="utf-8"))["schema"] == SCHEMA_VERSION


def test_partial_and_interrupted_records_round_trip(tmp_path: Path) -> None:
    for record in (records.interrupted_record(), records.interrupted_record(complete=False)):
        write_record(tmp_path, record)
        assert load_record(tmp_path, None) == record


def test_latest_follows_the_newest_write(tmp_path: Path) -> None:
    first, second = records.passing_record(), _later()
    write_record(tmp_path, first)
    write_record(tmp_path, second)
    link = tmp_path / "latest"
    assert link.is_symlink()
    assert link.readlink() == Path(LATER_ID)
    assert (link / "run.json").is_file()
    assert (tmp_path / "LATEST").read_text(encoding="utf-8").strip() == LATER_ID
    assert load_record(tmp_path, None) == second
    assert load_record(tmp_path, "latest") == second
    assert load_record(tmp_path, first.run_id) == first
    assert list_runs(tmp_path) == (first.run_id, LATER_ID)


def test_writes_leave_no_temporary_files(tmp_path: Path) -> None:
    write_record(tmp_path, records.passing_record())
    write_record(tmp_path, _later())
    leftovers = [p.name for p in tmp_path.rglob("*") if p.name.endswith(".tmp")]
    assert leftovers == []
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["LATEST", "latest", records.RUN_ID, LATER_ID]
    )


def test_failed_atomic_write_keeps_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "SUMMARY.md"
    write_text_atomic(target, "old\n")
    with pytest.raises(UnicodeEncodeError):
        write_text_atomic(target, "new \udc80")  # a lone surrogate cannot be encoded
    assert target.read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["SUMMARY.md"]


def test_atomic_write_replaces_and_is_readable(tmp_path: Path) -> None:
    target = tmp_path / "out.md"
    write_text_atomic(target, "one\n")
    write_text_atomic(target, "two\n")
    assert target.read_text(encoding="utf-8") == "two\n"
    assert target.stat().st_mode & 0o444 == 0o444


def test_latest_file_is_the_fallback_without_symlinks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_symlinks(self: Path, target: Any, target_is_directory: bool = False) -> None:
        raise OSError("symlinks not supported")

    monkeypatch.setattr(Path, "symlink_to", no_symlinks)
    write_record(tmp_path, records.passing_record())
    write_record(tmp_path, _later())
    assert not (tmp_path / "latest").exists()
    assert load_record(tmp_path, None).run_id == LATER_ID
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_a_real_latest_directory_is_left_alone(tmp_path: Path) -> None:
    (tmp_path / "latest").mkdir()
    write_record(tmp_path, records.passing_record())
    assert not (tmp_path / "latest").is_symlink()
    assert load_record(tmp_path, None) == records.passing_record()


def test_list_runs_ignores_other_entries(tmp_path: Path) -> None:
    assert list_runs(tmp_path / "absent") == ()
    write_record(tmp_path, records.passing_record())
    (tmp_path / "scratch").mkdir()
    assert list_runs(tmp_path) == (records.RUN_ID,)


def _write_raw(text: str) -> Callable[[Path], None]:
    def write(reports: Path) -> None:
        directory = reports / records.RUN_ID
        directory.mkdir(parents=True)
        (directory / "run.json").write_text(text, encoding="utf-8")
        (reports / "LATEST").write_text(records.RUN_ID, encoding="utf-8")

    return write


def _edited(change: Callable[[dict[str, Any]], None]) -> Callable[[Path], None]:
    data = to_jsonable(records.passing_record())
    change(data)
    return _write_raw(json.dumps(data))


def _nothing(reports: Path) -> None:
    reports.mkdir(exist_ok=True)


@pytest.mark.parametrize(
    ("setup", "run_id", "expected"),
    [
        pytest.param(_nothing, None, r"no run recorded in .*: run `regress run` first", id="empty"),
        pytest.param(
            _edited(lambda d: None),
            "20200101-000000-0000",
            r"20200101-000000-0000/run\.json does not exist: run `regress run` first "
            r"\(recent runs: 20261121-104512-ab12\)",
            id="unknown-run",
        ),
        pytest.param(
            _write_raw('{"run_id": "x", "sta'),
            None,
            r"run\.json is not valid JSON \(.* at line 1\): the run was cut short",
            id="truncated",
        ),
        pytest.param(
            _write_raw("[1, 2]"), None, r"run\.json is not a regress run record", id="not-object"
        ),
        pytest.param(
            _edited(lambda d: d.update(schema=SCHEMA_VERSION + 1)),
            None,
            rf"has schema version {SCHEMA_VERSION + 1} .*: upgrade regress",
            id="newer-schema",
        ),
        pytest.param(
            _edited(lambda d: d.pop("schema")),
            None,
            r"has schema version None .*: run `regress run` again",
            id="no-schema",
        ),
        pytest.param(
            _edited(lambda d: d.pop("passes")),
            None,
            r"run\.json is not a valid regress run record \(TypeError: .*\): run `regress run`",
            id="missing-key",
        ),
        pytest.param(
            _edited(lambda d: d["passes"][0].update(kind="sideways")),
            None,
            r"is not a valid regress run record \(ValueError: 'sideways'",
            id="bad-enum",
        ),
        pytest.param(_nothing, "../etc", r"'\.\./etc' is not a run id", id="path-escape"),
    ],
)
def test_load_errors_are_one_line_and_name_the_path(
    tmp_path: Path, setup: Callable[[Path], None], run_id: str | None, expected: str
) -> None:
    setup(tmp_path)
    with pytest.raises(RegressError) as caught:
        load_record(tmp_path, run_id)
    message = caught.value.message
    assert "\n" not in message
    assert re.search(expected, message), message
    assert str(tmp_path) in message


def test_write_into_an_unwritable_place_is_a_regress_error(tmp_path: Path) -> None:
    blocker = tmp_path / "reports"
    blocker.write_text("a file where the reports directory should be", encoding="utf-8")
    with pytest.raises(RegressError, match=r"cannot write the run record under .*reports"):
        write_record(blocker, records.passing_record())

"""compare_dir(): pairing every episode's two exports under a data directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from regress.errors import RegressError
from regress.parity import Verdict
from regress.parity.pairing import EpisodeKey, ProblemKind, compare_dir
from tests.parity.conftest import HEADER, WriteCsv, game_rows

SCENE = "data/exp/cramped_room"


@pytest.fixture
def study(write_csv: WriteCsv, tmp_path: Path) -> Path:
    """Two games (one with a divergent second episode), an orphan and a game with 3 files."""
    divergent = game_rows(20, "g1")
    divergent[4][HEADER.index("p0.x")] = "3"
    for subject, clock in (("alice", 0), ("bob", 7)):
        write_csv(f"{SCENE}/{subject}_ep0.csv", game_rows(20, "g1", clock))
        write_csv(f"{SCENE}/{subject}_ep1.csv", game_rows(20, "g1") if clock else divergent)
    for subject in ("carol", "dave"):
        write_csv(f"{SCENE}/{subject}_ep0.csv", game_rows(10, "g2"))
    write_csv(f"{SCENE}/erin_ep0.csv", game_rows(10, "g3"))  # partner's file missing
    for subject in ("fay", "gus", "hal"):
        write_csv(f"{SCENE}/{subject}_ep0.csv", game_rows(10, "g4"))
    write_csv(f"{SCENE}/summary.csv", game_rows(1))  # not an export: ignored
    return tmp_path / "data"


def test_pairs_by_scene_game_id_and_episode(study: Path) -> None:
    report = compare_dir(study)

    scene = "exp/cramped_room"
    assert [pair.key for pair in report.pairs] == [
        EpisodeKey(scene, "g1", 0),
        EpisodeKey(scene, "g1", 1),
        EpisodeKey(scene, "g2", 0),
    ]
    assert [Path(pair.report.a).name for pair in report.pairs] == [
        "alice_ep0.csv",
        "alice_ep1.csv",
        "carol_ep0.csv",
    ]
    verdicts = [pair.report.verdict for pair in report.pairs]
    assert verdicts == [Verdict.IDENTICAL, Verdict.DIVERGENT, Verdict.IDENTICAL]
    assert report.pairs[1].report.divergent[0].examples[0].row == 4
    assert (report.divergent_pairs, report.verdict) == (1, Verdict.DIVERGENT)


def test_orphans_and_games_with_more_than_two_files_are_problems(study: Path) -> None:
    problems = compare_dir(study).problems

    assert [(p.kind, [Path(f).name for f in p.files]) for p in problems] == [
        (ProblemKind.ORPHAN, ["erin_ep0.csv"]),
        (ProblemKind.EXTRA, ["fay_ep0.csv", "gus_ep0.csv", "hal_ep0.csv"]),
    ]
    assert problems[1].message == "game g4 episode 0 in exp/cramped_room: 3 files, expected 2"


def test_the_same_game_id_in_another_scene_is_another_pair(
    write_csv: WriteCsv, tmp_path: Path
) -> None:
    for scene in ("a", "b"):
        for subject in ("s1", "s2"):
            write_csv(f"data/exp/{scene}/{subject}_ep0.csv", game_rows(5, "g1"))

    report = compare_dir(tmp_path / "data")

    assert [pair.key.scene for pair in report.pairs] == ["exp/a", "exp/b"]
    assert (report.problems, report.verdict) == ((), Verdict.IDENTICAL)


def test_unreadable_exports_are_problems_not_aborts(write_csv: WriteCsv, tmp_path: Path) -> None:
    write_csv("data/s1_ep0.csv", game_rows(5, "g1"))
    write_csv(
        "data/s2_ep0.csv", [*game_rows(4, "g1"), ["g1", "0", "4", "x", "y", "z", "1", "t", "!"]]
    )
    write_csv("data/s3_ep0.csv", [["1", "2"]], ["frame", "t"])  # no gameId column

    report = compare_dir(tmp_path / "data")

    assert report.pairs == ()
    assert [(p.kind, [Path(f).name for f in p.files]) for p in report.problems] == [
        (ProblemKind.UNREADABLE, ["s3_ep0.csv"]),
        (ProblemKind.UNREADABLE, ["s1_ep0.csv", "s2_ep0.csv"]),
    ]
    assert "s3_ep0.csv: no gameId column" in report.problems[0].message
    assert report.problems[1].message.endswith(
        "s2_ep0.csv: not a CSV export (Error tokenizing data. C error: Expected 8 fields in line 6,"
        " saw 9); check it is a CSV export, one header row"
    )
    assert report.verdict is Verdict.DIVERGENT


@pytest.mark.parametrize(
    ("relative", "message"),
    [
        pytest.param("data", "no exports named <subject>_ep<n>.csv under it", id="no-exports"),
        pytest.param(
            "absent", "absent: not a directory; pass the study's data directory", id="absent"
        ),
    ],
)
def test_a_directory_without_exports_is_an_error(
    write_csv: WriteCsv, tmp_path: Path, relative: str, message: str
) -> None:
    write_csv("data/notes.csv", game_rows(1))

    with pytest.raises(RegressError, match=message):
        compare_dir(tmp_path / relative)

"""Directory mode of parity: which two exports under a data directory are one game's episode.

The testbed writes ``data/<experiment>/<scene>/<subject>_ep<n>.csv`` with a ``gameId``
column; the two players' files of an episode share scene, game id and ``n``.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from regress.errors import RegressError
from regress.parity.compare import compare
from regress.parity.model import (
    DEFAULT_EXCLUDE,
    ParityReport,
    Reader,
    Verdict,
    check_limits,
    undecodable,
    unusable,
)

GAME_ID_COLUMN = "gameId"
EXPORT_NAME = re.compile(r"^(?P<subject>.+)_ep(?P<episode>\d+)\.csv$")


class ProblemKind(Enum):
    """Why an export in a data directory was not compared."""

    ORPHAN = "orphan"
    EXTRA = "extra"
    UNREADABLE = "unreadable"


@dataclass(frozen=True)
class EpisodeKey:
    """What pairs two exports: scene directory, game id and episode number."""

    scene: str
    game_id: str
    episode: int


@dataclass(frozen=True)
class PairReport:
    """One compared pair of a data directory."""

    key: EpisodeKey
    report: ParityReport


@dataclass(frozen=True)
class DirProblem:
    """Exports that could not be paired or read."""

    kind: ProblemKind
    files: tuple[str, ...]
    message: str


@dataclass(frozen=True)
class DirParityReport:
    """Result of comparing every episode pair under a data directory."""

    data_dir: str
    pairs: tuple[PairReport, ...]
    problems: tuple[DirProblem, ...]

    @property
    def divergent_pairs(self) -> int:
        """Pairs whose verdict is DIVERGENT."""
        return sum(pair.report.verdict is Verdict.DIVERGENT for pair in self.pairs)

    @property
    def verdict(self) -> Verdict:
        """IDENTICAL only if every export was paired and every pair is identical."""
        if self.problems or self.divergent_pairs:
            return Verdict.DIVERGENT
        return Verdict.IDENTICAL


def compare_dir(
    data_dir: Path | str,
    *,
    exclude: Sequence[str] = DEFAULT_EXCLUDE,
    row_tolerance: int = 0,
    max_examples: int = 5,
    reader: Reader = Reader.BYTES,
) -> DirParityReport:
    """Compare the two players' exports of every episode under a data directory.

    Pairing rule: every file named ``<subject>_ep<n>.csv`` anywhere under ``data_dir`` is
    keyed by (its directory relative to ``data_dir``, i.e. ``experiment/scene``; the value
    of its ``gameId`` column in the first data row; ``n`` from the file name). The two files
    sharing a key are one game's episode and are compared (``a`` is the one whose path sorts
    first). A key with one file is an ORPHAN problem, a key with more than two files (a
    reused game id or a duplicate export) is an EXTRA problem and none of its files is
    compared, and a file whose game id cannot be read is an UNREADABLE problem.

    Raises:
        RegressError: ``data_dir`` is not a directory or holds no ``*_ep<n>.csv`` files.
    """
    check_limits(row_tolerance, max_examples)
    root = Path(data_dir)
    if not root.is_dir():
        raise unusable(root, "not a directory", "pass the study's data directory")
    files = sorted(p for p in root.rglob("*.csv") if EXPORT_NAME.match(p.name) and p.is_file())
    if not files:
        raise unusable(
            root, "no exports named <subject>_ep<n>.csv under it", "pass the data directory"
        )
    groups: defaultdict[EpisodeKey, list[Path]] = defaultdict(list)
    problems: list[DirProblem] = []
    for path in files:
        try:
            game_id = first_game_id(path)
        except RegressError as error:
            problems.append(DirProblem(ProblemKind.UNREADABLE, (str(path),), error.message))
            continue
        match = EXPORT_NAME.match(path.name)
        assert match is not None  # files were filtered by this pattern
        scene = path.parent.relative_to(root).as_posix()
        groups[EpisodeKey(scene, game_id, int(match["episode"]))].append(path)
    pairs: list[PairReport] = []
    for key in sorted(groups, key=lambda k: (k.scene, k.game_id, k.episode)):
        paths = groups[key]
        names = tuple(map(str, paths))
        where = f"game {key.game_id} episode {key.episode} in {key.scene or '.'}"
        if len(paths) == 1:
            problems.append(DirProblem(ProblemKind.ORPHAN, names, f"{where}: no partner file"))
        elif len(paths) > 2:
            message = f"{where}: {len(paths)} files, expected 2"
            problems.append(DirProblem(ProblemKind.EXTRA, names, message))
        else:
            try:
                report = compare(
                    paths[0],
                    paths[1],
                    exclude=exclude,
                    row_tolerance=row_tolerance,
                    max_examples=max_examples,
                    reader=reader,
                )
            except RegressError as error:
                problems.append(DirProblem(ProblemKind.UNREADABLE, names, error.message))
                continue
            pairs.append(PairReport(key, report))
    return DirParityReport(str(root), tuple(pairs), tuple(problems))


def first_game_id(path: Path) -> str:
    """The ``gameId`` of an export's first data row."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = csv.reader(handle)
            header = next(rows, None)
            first = next(rows, None)
    except UnicodeDecodeError as error:
        raise undecodable(path, error) from None
    except (OSError, csv.Error) as error:
        raise unusable(path, f"cannot read ({error})", "check the file") from None
    if header is None:
        raise unusable(path, "file is empty", "re-export the episode")
    if GAME_ID_COLUMN not in header:
        raise unusable(path, f"no {GAME_ID_COLUMN} column", "pass an export of the testbed")
    index = header.index(GAME_ID_COLUMN)
    if first is None or index >= len(first):
        raise unusable(path, f"no {GAME_ID_COLUMN} in a first data row", "re-export the episode")
    return first[index]

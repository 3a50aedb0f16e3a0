"""Mutation checks: whether a mutant's run went red (caught) or stayed green (survived), judged
against the baseline (judging.evidence), the mutate record (reports/mutate-<id>/mutate.json,
written atomically) and scores per requirement."""

from __future__ import annotations

import enum
import json
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from regress.errors import RegressError
from regress.judging.evidence import (
    BaselineResult,
    BaselineStatus,
    RedTest,
    red_tests,
    split_red,
)
from regress.judging.history import write_text_atomic
from regress.judging.results import RunRecord as _RunRecord
from regress.judging.results import (
    SuiteStatus,
    TestStatus,
    from_jsonable,
    to_jsonable,
)

MUTATE_FILE = "mutate.json"
LATEST_MUTATE = Path(".regress") / "LATEST_MUTATE"  # the newest mutate folder's name, as text


class MutantStatus(enum.Enum):
    """What the suites did with one mutant."""

    CAUGHT = "caught"
    CAUGHT_BY_TIMEOUT = "caught by timeout only"  # red, but the cause is hidden
    UNPROVEN = "unproven"  # red only in tests that were not green on the baseline either
    SURVIVED = "survived"
    ERROR = "error"  # the mutant could not be judged (patch, blocked port, no record)
    INTERRUPTED = "interrupted"


@dataclass(frozen=True)
class MutantResult:
    """One mutation's outcome."""

    name: str
    requirements: tuple[str, ...]
    suites: tuple[str, ...]
    status: MutantStatus
    duration: float
    red: tuple[RedTest, ...] = ()  # the evidence: red here, passed on the baseline
    not_evidence: tuple[RedTest, ...] = ()  # red here, but not passing on the baseline either
    run_id: str = ""  # the mutant's `regress run`, under its reports folder
    reports: str = ""  # the mutant's reports folder, relative to the mutate folder
    note: str = ""  # why ERROR/INTERRUPTED, or what the mutant's run said


@dataclass(frozen=True)
class MutateRecord:
    """One `regress mutate`: written as reports/mutate-<id>/mutate.json."""

    mutate_id: str
    started: str
    finished: str
    duration: float
    manifest: str
    git_head: str
    mutants: tuple[MutantResult, ...]
    baseline: BaselineResult | None = None  # None: written before mutate had a baseline
    notes: tuple[str, ...] = ()
    interrupted: bool = False
    complete: bool = True
    exit_code: int | None = None

    def scores(self) -> tuple[tuple[str, int, int, int], ...]:
        """(requirement, caught, caught by timeout only, mutants) per requirement, in
        first-seen order."""
        order: dict[str, list[int]] = {}
        for mutant in self.mutants:
            for requirement in mutant.requirements:
                counts = order.setdefault(requirement, [0, 0, 0])
                counts[0] += mutant.status is MutantStatus.CAUGHT
                counts[1] += mutant.status is MutantStatus.CAUGHT_BY_TIMEOUT
                counts[2] += 1
        return tuple((req, *counts) for req, counts in order.items())  # type: ignore[misc]


def classify(
    record: _RunRecord,
    suites: Collection[str],
    baseline: BaselineResult | None = None,
    *,
    where: str = "",
) -> tuple[MutantStatus, str]:
    """Caught, caught by timeout only, unproven (red only in tests that did not pass on the
    baseline), survived, or error (a blocked or unfinished suite, whose green proves nothing),
    with a note; where names the baseline's reports folder in the notes."""
    if record.interrupted:
        return MutantStatus.INTERRUPTED, "interrupted"
    results = [r for p in record.passes for r in p.suites if r.suite in suites]
    evidence, not_evidence = split_red(red_tests(record, suites), baseline)
    notes = _baseline_notes(baseline, suites, not_evidence, where, proven=bool(evidence))
    if evidence:
        timeouts = {TestStatus.TIMEOUT.value, SuiteStatus.TIMEOUT.value}
        if all(test.status in timeouts for test in evidence):
            notes.insert(0, "every red test timed out: the cause is hidden")
            return MutantStatus.CAUGHT_BY_TIMEOUT, "; ".join(notes)
        return MutantStatus.CAUGHT, "; ".join(notes)
    if not_evidence:
        return MutantStatus.UNPROVEN, "; ".join(notes)
    unusable = [r for r in results if r.status not in (SuiteStatus.PASSED, SuiteStatus.FAILED)]
    if unusable or not results:
        said = "; ".join(f"{r.suite}: {r.status.value} {r.reason}".strip() for r in unusable)
        return MutantStatus.ERROR, "; ".join([said or "the mutant's run recorded no suite", *notes])
    return MutantStatus.SURVIVED, "; ".join(notes)


def _baseline_notes(
    baseline: BaselineResult | None,
    suites: Collection[str],
    not_evidence: tuple[RedTest, ...],
    where: str,
    *,
    proven: bool,
) -> list[str]:
    """What the baseline took away from a mutant's red tests (proven: some were left), naming
    its reports folder."""
    if baseline is None or baseline.status is BaselineStatus.SKIPPED:
        return ["no baseline: red tests were not checked against unmutated HEAD"]
    where = where or baseline.reports
    notes = []
    off = [name for name in baseline.unusable if name in suites]
    if off:
        notes.append(
            f"suite {', '.join(off)} did not run to a verdict on the baseline ({where}): "
            "none of its tests counts"
        )
    counted = [r for r in not_evidence if r.suite not in off]
    if counted and proven:
        notes.append(
            f"{len(counted)} red test(s) not counted: not passing on the baseline ({where})"
        )
    elif counted:
        notes.insert(
            0, f"red only in tests that did not pass on the baseline ({where}): proves nothing"
        )
    return notes


def write_mutate_record(reports: Path, folder: Path, record: MutateRecord) -> Path:
    """Write folder/mutate.json atomically and name folder in reports/.regress/LATEST_MUTATE."""
    path = folder / MUTATE_FILE
    try:
        folder.mkdir(parents=True, exist_ok=True)
        text = json.dumps(to_jsonable(record), indent=2, ensure_ascii=False) + "\n"
        write_text_atomic(path, text)
        (reports / LATEST_MUTATE).parent.mkdir(parents=True, exist_ok=True)
        write_text_atomic(reports / LATEST_MUTATE, folder.name + "\n")
    except OSError as exc:
        raise RegressError(
            f"cannot write the mutate record {path}: {exc.strerror or exc}; "
            "check that the reports directory is writable"
        ) from exc
    return path


def load_mutate_record(reports: Path) -> MutateRecord:
    """The newest mutate record of a reports folder.

    Raises:
        RegressError: none was written, or it is unreadable.
    """
    try:
        name = (reports / LATEST_MUTATE).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        raise RegressError(f"no mutate record in {reports}: run `regress mutate` first") from None
    path = reports / name / MUTATE_FILE
    try:
        return from_jsonable(MutateRecord, json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        raise RegressError(f"{path} is missing: run `regress mutate` again") from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise RegressError(
            f"{path} is not a readable mutate record ({exc}): run `regress mutate` again"
        ) from None

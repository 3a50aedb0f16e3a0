"""`regress merge DIR...`: the run records of every shard of a split run made into one run.

Each DIR is a shard's run folder (holding run.json) or a reports folder (its latest run). The
shards must come from the same commit and manifest, computed the same split, and be complete
(each shard once, no suite in two). The merged run gets a new id in the output reports folder,
the shards' folders copied under it (shard-1/, ...), and the normal writers (SUMMARY per plan).
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from regress.errors import RegressError
from regress.judging import history
from regress.judging.judge import judge
from regress.judging.results import (
    PassKind,
    PassResult,
    RunRecord,
    ShardInfo,
    SuiteResult,
)
from regress.reporting.writers import WRITERS


@dataclass(frozen=True)
class Shard:
    """One shard's record and the folder it was read from."""

    folder: Path  # the run folder
    record: RunRecord
    info: ShardInfo


def merge(folders: Sequence[Path], out: Path) -> RunRecord:
    """Merge the shards' records into one run in `out`; returns the merged record (written).

    Raises:
        RegressError: a folder holds no shard run, or the shards do not make one whole split.
    """
    shards = sorted((_read(folder) for folder in folders), key=lambda s: s.info.index)
    check_shards(shards)
    record = merged_record(shards, history.new_run_id(datetime.now(UTC)))
    target = history.run_dir(out, record.run_id)
    target.mkdir(parents=True, exist_ok=True)
    for shard in shards:
        shutil.copytree(
            shard.folder,
            target / _prefix(shard.info),
            ignore=shutil.ignore_patterns(history.RUN_FILE),
            symlinks=True,
        )
    judgement = judge(record)
    code = 130 if record.interrupted else (0 if judgement.ok else 1)
    record = replace(record, exit_code=code)
    history.write_record(out, record)
    judgement = replace(judgement, record=record)
    for write in WRITERS:
        write(judgement, out)
    return record


def _read(folder: Path) -> Shard:
    if (folder / history.RUN_FILE).is_file():
        record = history.load_record(folder.parent, folder.name)
        run_folder = folder
    elif history.latest_run_id(folder) is not None:
        record = history.load_record(folder, None)
        run_folder = folder / record.run_id
    else:
        raise RegressError(
            f"{folder}: no run.json here and no latest run: give a shard's run folder "
            "(reports/<run-id>) or the reports folder it wrote"
        )
    if record.shard is None:
        raise RegressError(
            f"{run_folder}: run {record.run_id} is not a shard (it ran without --shard I/N)"
        )
    return Shard(run_folder, record, record.shard)


def check_shards(shards: Sequence[Shard]) -> None:
    """Refuse shards that do not make one whole split, with one line saying what differs."""
    first = shards[0]
    for shard in shards[1:]:
        for what, mine, theirs in (
            ("commits", first.record.git_head, shard.record.git_head),
            ("manifests", first.record.manifest_hash, shard.record.manifest_hash),
        ):
            if mine != theirs:
                raise RegressError(
                    f"shards from different {what}: {first.folder} has {mine[:12] or 'none'}, "
                    f"{shard.folder} has {theirs[:12] or 'none'}; merge shards of one CI run"
                )
        if shard.info.total != first.info.total:
            raise RegressError(
                f"shards of different splits: {first.folder} is {first.info.index}/"
                f"{first.info.total}, {shard.folder} is {shard.info.index}/{shard.info.total}"
            )
    seen: dict[int, Path] = {}
    for shard in shards:
        if shard.info.index in seen:
            raise RegressError(
                f"shard {shard.info.index}/{shard.info.total} given twice: "
                f"{seen[shard.info.index]} and {shard.folder}"
            )
        seen[shard.info.index] = shard.folder
    missing = [str(i) for i in range(1, first.info.total + 1) if i not in seen]
    if missing:
        raise RegressError(
            f"shard(s) {', '.join(missing)} of {first.info.total} missing: give every "
            "shard's run folder"
        )
    owner: dict[str, int] = {}
    for shard in shards:
        for info in shard.record.suites:
            if info.name in owner:
                raise RegressError(
                    f"suite '{info.name}' ran in shard {owner[info.name]} and shard "
                    f"{shard.info.index}: the shards computed different splits (run them "
                    "with the same run history, or none)"
                )
            owner[info.name] = shard.info.index
    for shard in shards[1:]:
        if shard.info.split != first.info.split:
            raise RegressError(
                f"shards computed different splits: {first.folder} and {shard.folder} "
                "(run them with the same run history, or none)"
            )


def merged_record(shards: Sequence[Shard], run_id: str) -> RunRecord:
    """One record of the whole split run (exit code still to be set by its judgement)."""
    first = shards[0].record
    order = {name: i for i, name in enumerate(shards[0].info.order)}
    plan_order = {key: i for i, key in enumerate(shards[0].info.plan_order)}
    plans = {f"{p.phase}/{p.plan}": p for s in shards for p in s.record.plans}
    records = [s.record for s in shards]
    passes = tuple(
        merged for kind in PassKind if (merged := _merged_pass(kind, shards, order)) is not None
    )
    durations = [r.duration for r in records]
    note = (
        f"merged from {len(shards)} shards (runs {', '.join(r.run_id for r in records)}): "
        f"longest shard {max(durations):.0f}s, all shards {sum(durations):.0f}s"
    )
    return RunRecord(
        run_id=run_id,
        started=min(r.started for r in records),
        finished=max(r.finished for r in records),
        duration=max(durations),
        manifest=first.manifest,
        project_root=first.project_root,
        plans=tuple(plans[k] for k in sorted(plans, key=lambda k: plan_order.get(k, len(order)))),
        suites=tuple(
            sorted((i for r in records for i in r.suites), key=lambda i: order.get(i.name, 0))
        ),
        passes=passes,
        integrity=tuple(dict.fromkeys(f for r in records for f in r.integrity)),
        interrupted=any(r.interrupted for r in records),
        complete=all(r.complete for r in records),
        options=(
            *((k, v) for k, v in first.options if k not in ("shard", "port-offset")),
            ("merged", f"{len(shards)} shards"),
        ),
        git_head=first.git_head,
        files_modified=tuple(dict.fromkeys(f for r in records for f in r.files_modified)),
        notes=(
            note,
            *(f"shard {s.info.index}/{s.info.total}: {n}" for s in shards for n in s.record.notes),
        ),
        manifest_hash=first.manifest_hash,
        groups=tuple(
            tuple(r.suite for r in combined.suites)
            for s in shards
            if (combined := s.record.pass_of(PassKind.COMBINED)) is not None
        ),
    )


def _merged_pass(
    kind: PassKind, shards: Sequence[Shard], order: dict[str, int]
) -> PassResult | None:
    found = [(s, p) for s in shards if (p := s.record.pass_of(kind)) is not None]
    if not found:
        return None
    suites = sorted(
        (_moved(result, s.info) for s, p in found for result in p.suites),
        key=lambda r: order.get(r.suite, 0),
    )
    codes = [p.exit_code for _, p in found if p.exit_code is not None]
    return PassResult(
        kind=kind,
        suites=tuple(suites),
        started=min(p.started for _, p in found),
        duration=max(p.duration for _, p in found),
        exit_code=max(codes) if codes else None,
        artifacts=tuple(
            (label, f"{_prefix(s.info)}/{path}") for s, p in found for label, path in p.artifacts
        ),
        leaks=tuple(leak for _, p in found for leak in p.leaks),
    )


def _moved(result: SuiteResult, info: ShardInfo) -> SuiteResult:
    """The result with its artifact paths under the shard's folder in the merged run."""
    return replace(
        result,
        artifacts=tuple((label, f"{_prefix(info)}/{path}") for label, path in result.artifacts),
    )


def _prefix(info: ShardInfo) -> str:
    return f"shard-{info.index}"

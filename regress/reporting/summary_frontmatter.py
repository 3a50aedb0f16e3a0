"""The YAML frontmatter of a GSD SUMMARY, and the phrasing it shares with the sections."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

import yaml

from regress.errors import RegressError
from regress.judging.results import PassKind, RunRecord
from regress.judging.verdicts import Judgement, PlanVerdict, RequirementState, SuiteVerdict
from regress.judging.wording import passes_phrase

PASS_PATTERN = "isolation + combined regression passes"
OVERRIDES = "params"  # the run option holding `name=value,...` parameter overrides


def frontmatter(j: Judgement, p: PlanVerdict, created: list[str]) -> str:
    plan, record = p.info, j.record
    data: dict[str, Any] = {
        "phase": plan.phase,
        "plan": plan.plan,
        "subsystem": plan.subsystem,
        "tags": list(plan.tags),
        "requires": [],  # the run record does not know the plan's depends_on
        "provides": [_provides(j, p, v) for v in p.suites],
        "affects": list(plan.requirements),
        "tech-stack": {"added": [], "patterns": [PASS_PATTERN]},
        "key-files": {"created": created, "modified": list(record.files_modified)},
        "key-decisions": decisions(j, p),
        "patterns-established": [],
        "requirements-completed": list(p.satisfied),
        "duration": minutes(record.duration),
        "completed": completed(record),
    }
    text = yaml.dump(
        data,
        Dumper=_Dumper,
        sort_keys=False,
        default_flow_style=False,
        allow_unicode=True,
        width=4096,
    )
    return f"---\n{text}---"


class _Dumper(yaml.SafeDumper):
    """Safe YAML with block lists indented under their key, as GSD writes them."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


SHORT_HASH = 7


def _provides(j: Judgement, p: PlanVerdict, verdict: SuiteVerdict) -> str:
    status = "verified" if verdict.passed else state_of(j, verdict.requirement).value
    head = j.record.git_head
    # GSD's verify-summary looks up the first three hex words of the file as commits; the run
    # id (20261121-...) in key-files is one, so the commit is named before key-files.
    commit = f", at commit {head[:SHORT_HASH]}" if head else ""
    return (
        f"{verdict.requirement} {status}: {verdict.suite} regression suite, "
        f"{plural(verdict.expected, 'test')} {passes_phrase(j.ran)}{commit}"
    )


def state_of(j: Judgement, requirement: str) -> RequirementState:
    """A selected requirement's state in the run (flaky, not verified, ...)."""
    return next(
        (r.state for r in j.requirements if r.requirement == requirement),
        RequirementState.NOT_VERIFIED,
    )


def decisions(j: Judgement, p: PlanVerdict) -> list[str]:
    decisions = []
    if len(j.ran) == len(PassKind):
        groups = len(j.record.groups)
        together = (
            f"the suites of each of {groups} shards ran in one combined pytest process per shard"
            if groups > 1
            else "all suites ran in one combined pytest process"
        )
        decisions.append(
            f"Each suite ran alone, then {together}, "
            "so interference shows separately from plain failures"
        )
    decisions += [
        f"Run option `{key}={value}`" for key, value in j.record.options if key != OVERRIDES
    ]
    return decisions or ["None - followed plan as specified"]


def completed(record: RunRecord) -> date:
    for stamp in (record.finished, record.started):
        try:
            return datetime.fromisoformat(stamp).date()
        except ValueError:
            continue
    raise RegressError(
        f"run {record.run_id} has no readable start or finish time: run `regress run` again"
    )


def minutes(seconds: float) -> str:
    return f"{max(1, math.ceil(seconds / 60))}min"


def plural(count: int, noun: str) -> str:
    return (
        f"{count} {noun}" if count == 1 else f"{count} {noun}{'es' if noun.endswith('s') else 's'}"
    )


def requirement_list(ids: Iterable[str]) -> str:
    """REG-01, REG-02, REG-03, REG-05 -> "REG-01..REG-03, REG-05" (runs of three or more)."""
    groups: list[list[str]] = []
    previous: tuple[str, int, int] | None = None
    for rid in ids:
        match = re.fullmatch(r"(.*?)(\d+)", rid)
        key = (match.group(1), int(match.group(2)), len(match.group(2))) if match else None
        if (
            groups
            and key
            and previous
            and key[0::2] == previous[0::2]
            and key[1] == previous[1] + 1
        ):
            groups[-1].append(rid)
        else:
            groups.append([rid])
        previous = key
    return ", ".join(
        g[0] if len(g) == 1 else ", ".join(g) if len(g) == 2 else f"{g[0]}..{g[-1]}" for g in groups
    )

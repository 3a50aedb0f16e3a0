"""`--json`: the run record's summary as one JSON object for scripts, read from its Judgement."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from regress.judging.results import to_jsonable
from regress.judging.verdicts import Judgement


def render_json(judgement: Judgement, report: Path) -> str:
    """The verdicts of the run (not every test outcome: those are in run.json) as JSON text."""
    record = judgement.record
    data: dict[str, Any] = {
        "run_id": record.run_id,
        "report": str(report),
        "exit_code": record.exit_code,
        "ok": judgement.ok,
        "complete": record.complete,
        "interrupted": record.interrupted,
        "passes": [kind.value for kind in judgement.ran],
        "passed": judgement.passed,
        "expected": judgement.expected,
        "requirements": {r.requirement: r.satisfied for r in judgement.requirements},
        "suites": [
            {
                "suite": v.suite,
                "requirement": v.requirement,
                "verdict": v.word.value,
                "passed": v.passed_tests,
                "expected": v.expected,
                "seconds": round(v.duration, 3),
            }
            for v in judgement.suites
        ],
        "plans": {p.key: p.self_check for p in judgement.plans},
        "port_offset": record.port_offset,
        "shard": to_jsonable(record.shard),
        "groups": [list(group) for group in record.groups],
        "git_head": record.git_head,
        "manifest_hash": record.manifest_hash,
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"

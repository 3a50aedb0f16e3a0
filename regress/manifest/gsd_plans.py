"""GSD plans of a project (`.planning/phases/*/*-PLAN.md`): which test files a plan names as
artifacts and which requirement each of them verifies, read from the frontmatter and the
requirement IDs of the objective."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

PLAN_GLOB = ".planning/phases/*/*-PLAN.md"
REQUIREMENT_RE = re.compile(r"\b([A-Z][A-Z0-9]*-\d+)\b(?:\s*\(([^)]*)\))?")
OBJECTIVE_RE = re.compile(r"<objective>(.*?)</objective>", re.DOTALL)
WORD_RE = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class PlanDoc:
    """One PLAN.md: its phase and number, and test file -> requirement it verifies."""

    phase: str
    plan: str
    title: str
    tests: tuple[tuple[str, str], ...]  # (test file path, requirement id)


def read_plans(root: Path) -> tuple[PlanDoc, ...]:
    """Every readable plan under root that names at least one test file as an artifact."""
    plans = []
    for path in sorted(root.glob(PLAN_GLOB)):
        plan = read_plan(path)
        if plan is not None and plan.tests:
            plans.append(plan)
    return tuple(plans)


def read_plan(path: Path) -> PlanDoc | None:
    """The plan in one PLAN.md, or None when it has no usable frontmatter."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    parts = text.split("---", 2)
    if not text.startswith("---") or len(parts) < 3:
        return None
    try:
        front = yaml.safe_load(parts[1])
    except yaml.YAMLError:
        return None
    if not isinstance(front, dict) or "phase" not in front or "plan" not in front:
        return None
    objective = OBJECTIVE_RE.search(parts[2])
    labelled = REQUIREMENT_RE.findall(objective.group(1) if objective else parts[2])
    listed = [str(r) for r in front.get("requirements", []) if isinstance(r, str)]
    requirements = list(dict.fromkeys([*listed, *(rid for rid, _ in labelled)]))
    labels = {rid: label for rid, label in labelled if label}
    artifacts = _artifacts(front)
    tests = [(p, provides) for p, provides in artifacts if Path(p).name.startswith("test_")]
    plan = str(front["plan"])
    return PlanDoc(
        phase=str(front["phase"]),
        plan=plan.zfill(2) if plan.isdigit() else plan,
        title=_title(parts[2]) or str(front["phase"]),
        tests=tuple(
            (p, _requirement(p, provides, requirements, labels, index=index, count=len(tests)))
            for index, (p, provides) in enumerate(tests)
            if requirements
        ),
    )


def _artifacts(front: dict[str, Any]) -> list[tuple[str, str]]:
    must = front.get("must_haves")
    items = must.get("artifacts", []) if isinstance(must, dict) else []
    found = []
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and isinstance(item.get("path"), str):
            found.append((item["path"], str(item.get("provides", ""))))
        elif isinstance(item, str):
            found.append((item, ""))
    return found


def _requirement(
    path: str,
    provides: str,
    requirements: list[str],
    labels: dict[str, str],
    *,
    index: int,
    count: int,
) -> str:
    """The requirement whose label shares most words with the file name and what it
    provides; else the one in the same position when counts match; else the first."""
    words = set(WORD_RE.findall(f"{Path(path).stem} {provides}".lower())) - {"test", "tests"}
    scores = {
        rid: len(words & set(WORD_RE.findall(labels.get(rid, "").lower()))) for rid in requirements
    }
    best = max(requirements, key=lambda rid: scores[rid])
    if scores[best]:
        return best
    if count == len(requirements):
        return requirements[index]
    return requirements[0]


def _title(body: str) -> str:
    objective = OBJECTIVE_RE.search(body)
    if not objective:
        return ""
    first = next((line.strip() for line in objective.group(1).splitlines() if line.strip()), "")
    return first.split(". ")[0].rstrip(".")[:80]

"""The file through which `regress run` tells its pytest processes about suites and servers."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from regress.errors import RegressError
from regress.manifest.model import Suite

CONTEXT_ENV = "REGRESS_CONTEXT"
TOKEN_ENV = "REGRESS_RUN_TOKEN"


@dataclass(frozen=True)
class SuiteContext:
    """What a test needs to know about the suite it belongs to."""

    name: str
    requirement: str
    targets: tuple[str, ...]
    scope: str  # "suite" or "test"
    port: int
    params: tuple[tuple[str, str], ...]
    test_timeout: float
    suite_dir: Path  # artifacts of this suite in this pass
    data_dir: Path  # where the suite's servers write exports
    url: str | None  # the suite's server when `regress run` started it (scope "suite")

    def owns(self, nodeid: str) -> bool:
        """Whether a pytest node id falls under one of the suite's targets."""
        return any(target_matches(target, nodeid) for target in self.targets)


@dataclass(frozen=True)
class RunContext:
    """Everything one pytest process started by `regress run` is told."""

    run_id: str
    token: str
    manifest: Path
    root: Path
    ledger: Path
    events: Path | None
    suites: tuple[SuiteContext, ...]
    focus: tuple[str, ...] = ()  # node ids (or prefixes) to run; () runs every test

    def suite_for(self, nodeid: str) -> SuiteContext | None:
        """The first suite whose targets contain the node id."""
        return next((suite for suite in self.suites if suite.owns(nodeid)), None)

    def focused(self, nodeid: str) -> bool:
        """Whether --test/--last-failed leave the node id in (always, without a focus)."""
        return not self.focus or any(target_matches(f, nodeid) for f in self.focus)


def suite_context(suite: Suite, directory: Path, url: str | None) -> SuiteContext:
    """A suite's context with its artifacts under directory/<suite> (exports in data/)."""
    return SuiteContext(
        name=suite.name,
        requirement=suite.requirement,
        targets=suite.targets,
        scope=suite.scope.value,
        port=suite.port,
        params=suite.params,
        test_timeout=suite.test_timeout,
        suite_dir=directory / suite.name,
        data_dir=directory / suite.name / "data",
        url=url,
    )


def artifact_label(name: str) -> str:
    """A test's folder name under <suite>/tests/ and <suite>/servers/ (from its item name)."""
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name)[:80]


def output_folder_name(nodeid: str) -> str:
    """A test's folder name under --output, where its traces and screenshots are kept."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", nodeid).strip("-")[:120]


def target_matches(target: str, nodeid: str) -> bool:
    """A target is a directory, a file or a node id prefix (parametrised ids included)."""
    target = target.rstrip("/")
    if nodeid == target:
        return True
    return nodeid.startswith((f"{target}/", f"{target}::", f"{target}["))


def write_context(path: Path, context: RunContext) -> None:
    """Write the context file (created once per pytest process, before it starts)."""
    data = {
        "run_id": context.run_id,
        "token": context.token,
        "manifest": str(context.manifest),
        "root": str(context.root),
        "ledger": str(context.ledger),
        "events": str(context.events) if context.events else None,
        "suites": [
            {
                "name": s.name,
                "requirement": s.requirement,
                "targets": list(s.targets),
                "scope": s.scope,
                "port": s.port,
                "params": dict(s.params),
                "test_timeout": s.test_timeout,
                "suite_dir": str(s.suite_dir),
                "data_dir": str(s.data_dir),
                "url": s.url,
            }
            for s in context.suites
        ],
        "focus": list(context.focus),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")


def read_context(path: Path) -> RunContext:
    """Read a context file written by write_context."""
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return RunContext(
            run_id=data["run_id"],
            token=data["token"],
            manifest=Path(data["manifest"]),
            root=Path(data["root"]),
            ledger=Path(data["ledger"]),
            events=Path(data["events"]) if data.get("events") else None,
            suites=tuple(
                SuiteContext(
                    name=s["name"],
                    requirement=s["requirement"],
                    targets=tuple(s["targets"]),
                    scope=s["scope"],
                    port=int(s["port"]),
                    params=tuple((str(k), str(v)) for k, v in s["params"].items()),
                    test_timeout=float(s["test_timeout"]),
                    suite_dir=Path(s["suite_dir"]),
                    data_dir=Path(s["data_dir"]),
                    url=s.get("url"),
                )
                for s in data["suites"]
            ),
            focus=tuple(data.get("focus", ())),
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise RegressError(
            f"{path}: unreadable {CONTEXT_ENV} file ({exc}); rerun `regress run`"
        ) from exc

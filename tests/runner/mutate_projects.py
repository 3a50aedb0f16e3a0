"""The runner's fixture project made a git repository for `regress mutate`, and what its tests
check of it: the CLI's output, git's worktrees, the worktree register."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from typer.testing import CliRunner

from regress.cli import app
from regress.mutating.worktrees import REGISTER_FILE
from tests.runner.fixture_projects import copy_fixture_project


def git(project: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=regress tests", "-c", "user.email=tests@example.invalid", *args],
        cwd=project,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def git_project(tmp_path: Path) -> Path:
    """The fixture project as a git repository with one commit (reports/ ignored)."""
    root = copy_fixture_project(tmp_path)
    (root / ".gitignore").write_text("reports/\n__pycache__/\n")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "fixture project")
    return root


def invoke(project: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        app,
        [*args, "--manifest", str(project / "suites.yaml"), "--reports", str(project / "reports")],
        env={"COLUMNS": "200"},
    )
    return result.exit_code, result.output


def worktrees(project: Path) -> list[str]:
    """Every worktree git knows of, the main one included."""
    listing = git(project, "worktree", "list", "--porcelain")
    return [line.split(" ", 1)[1] for line in listing.splitlines() if line.startswith("worktree ")]


def registered(project: Path) -> list[dict[str, object]]:
    path = project / "reports" / REGISTER_FILE
    trees: list[dict[str, object]] = json.loads(path.read_text())["worktrees"]
    return trees


def assert_untouched(project: Path) -> None:
    """The user's tree is as committed, and no mutant's worktree is left."""
    assert git(project, "status", "--porcelain", "--untracked-files=no") == ""
    assert "return a + b" in (project / "calc.py").read_text()
    assert worktrees(project) == [str(project.resolve())]
    assert registered(project) == []
    common = project / git(project, "rev-parse", "--git-common-dir").strip()  # may be relative
    assert not list(common.glob("worktrees/*"))

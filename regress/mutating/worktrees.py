"""Throwaway git worktrees of HEAD for mutants, and their register in reports/.regress/ so that a
`regress mutate` killed with -9 leaves nothing the next one does not remove."""

from __future__ import annotations

import contextlib
import json
import shutil
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

import psutil

from regress.errors import RegressError
from regress.judging.history import write_text_atomic
from regress.proc.popen import capture, running

REGISTER_FILE = Path(".regress") / "mutants.json"  # relative to the reports folder
GIT_TIMEOUT = 120.0  # seconds for one git command (a checkout of a large tree)


def git(repo: Path, *args: str) -> tuple[int | None, str]:
    """(exit code, stdout) of `git -C repo args...`; the code is None if git could not run."""
    done = capture(["git", "-C", str(repo), *args], timeout=GIT_TIMEOUT)
    return done.returncode, done.stdout


def git_stderr(repo: Path, *args: str) -> tuple[bool, str]:
    """Whether `git -C repo args...` succeeded, and the first lines of what it complained."""
    done = capture(["git", "-C", str(repo), *args], timeout=GIT_TIMEOUT)
    lines = [ln.strip() for ln in (done.stderr or done.error).splitlines() if ln.strip()]
    return done.returncode == 0, "; ".join(lines[:2])


def repo_of(folder: Path) -> Path:
    """The top of the git repository holding folder.

    Raises:
        RegressError: folder is not inside a git work tree.
    """
    code, out = git(folder, "rev-parse", "--show-toplevel")
    if code != 0 or not out.strip():
        raise RegressError(
            f"{folder}: not inside a git repository; `regress mutate` builds each mutant in a "
            "git worktree of HEAD: run `git init` and commit the project first"
        )
    return Path(out.strip()).resolve()


def head_of(repo: Path) -> str:
    """The commit HEAD names.

    Raises:
        RegressError: the repository has no commit yet.
    """
    code, out = git(repo, "rev-parse", "--verify", "HEAD")
    if code != 0:
        raise RegressError(f"{repo}: the repository has no commit; commit the project first")
    return out.strip()


def uncommitted(repo: Path) -> tuple[str, ...]:
    """Tracked files with uncommitted changes (mutants are built from HEAD without them)."""
    code, out = git(repo, "status", "--porcelain", "--untracked-files=no")
    return tuple(line[3:] for line in out.splitlines() if line.strip()) if code == 0 else ()


@dataclass(frozen=True)
class Worktree:
    """One throwaway worktree: tree/ inside a temporary folder, owned by one regress process."""

    repo: str
    folder: str  # the temporary folder; the worktree is folder/tree
    reports: str  # the mutant's reports folder (its ledger names what its run started)
    owner_pid: int
    owner_create_time: float

    @property
    def tree(self) -> Path:
        """The checked-out tree."""
        return Path(self.folder) / "tree"

    def owner_alive(self) -> bool:
        """Whether the regress process that made it still runs."""
        return running(self.owner_pid, self.owner_create_time)


class Worktrees:
    """Create, patch and remove worktrees, keeping reports/.regress/mutants.json up to date."""

    def __init__(self, reports: Path) -> None:
        self.path = reports / REGISTER_FILE

    def add(self, repo: Path, name: str, reports: Path) -> Worktree:
        """A detached worktree of HEAD, registered before git creates it.

        Raises:
            RegressError: git could not create it.
        """
        me = psutil.Process()
        folder = tempfile.mkdtemp(prefix=f"regress-mutant-{name}-")
        tree = Worktree(str(repo), folder, str(reports), me.pid, me.create_time())
        self._write([*self.registered(), tree])
        ok, error = git_stderr(repo, "worktree", "add", "--detach", str(tree.tree), "HEAD")
        if not ok:
            self.remove(tree)
            raise RegressError(f"{repo}: git worktree add failed: {error}")
        return tree

    def remove(self, tree: Worktree) -> None:
        """`git worktree remove --force`, the folder, `git worktree prune`, and the register."""
        repo = Path(tree.repo)
        if tree.tree.exists():
            git_stderr(repo, "worktree", "remove", "--force", "--force", str(tree.tree))
        shutil.rmtree(tree.folder, ignore_errors=True)
        git_stderr(repo, "worktree", "prune")
        self._write([t for t in self.registered() if t.folder != tree.folder])

    def registered(self) -> tuple[Worktree, ...]:
        """Every worktree in the register (an unreadable register counts as empty)."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return tuple(Worktree(**entry) for entry in data["worktrees"])
        except (OSError, ValueError, KeyError, TypeError):
            return ()

    def stale(self) -> tuple[Worktree, ...]:
        """Registered worktrees whose regress process is gone (killed with -9, a crash)."""
        return tuple(t for t in self.registered() if not t.owner_alive())

    def _write(self, trees: list[Worktree]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps({"worktrees": [asdict(t) for t in trees]}, indent=2) + "\n"
        write_text_atomic(self.path, text)


def apply_patch(tree: Path, patch: Path, name: str, head: str, *, check_only: bool = False) -> None:
    """`git apply` the patch in the worktree (with check_only, only `git apply --check`).

    Raises:
        RegressError: the patch does not apply (git's reason in one line).
    """
    ok, error = git_stderr(tree, "apply", "--check", str(patch))
    if ok and not check_only:
        ok, error = git_stderr(tree, "apply", str(patch))
    if not ok:
        raise RegressError(
            f"{patch}: mutation '{name}' does not apply to HEAD {head[:12]} ({error}); "
            "regenerate it with `git diff` against the current code"
        )


def copy_into(tree: Path, repo: Path, files: tuple[Path, ...]) -> None:
    """Copy the user's files (the manifest as loaded) to the same place in the worktree."""
    for path in files:
        with contextlib.suppress(ValueError):
            target = tree / path.resolve().relative_to(repo)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)

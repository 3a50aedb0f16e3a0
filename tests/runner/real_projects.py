"""Copies of tests/runner/real_project (a project written before regress, of the seeds' kind)
with its hard-coded ports moved to free ones, in its variants, and a plain environment."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from regress.proc.ports import free_port

PROJECT = Path(__file__).parent / "real_project"
REPO = Path(__file__).resolve().parents[2]
HARD_CODED = (5702, 5705)  # the ports its conftest and manifest name
SERVER = Path("tests/fixtures/click_game_server.py")
CONFTEST = Path("tests/conftest.py")

# Variants: what a user's machine or project may get wrong.
SERVER_IMPORT_ERROR = "server_import_error"  # the server imports a package that is missing
SERVER_MODULE_MISSING = "server_module_missing"  # the server module was deleted
HEADLESS = "headless"  # the conftest launches headless
LAUNCH_ARGS_WITHOUT_PARENT = "launch_args_without_parent"  # override ignores pytest-playwright's


def copy_real_project(base: Path, variant: str = "") -> tuple[Path, dict[int, int]]:
    """base/project with every hard-coded port replaced by a free one; (root, old -> new)."""
    root = base / "project"
    shutil.copytree(PROJECT, root, ignore=shutil.ignore_patterns("__pycache__"))
    ports: dict[int, int] = {}
    for old in HARD_CODED:
        while old not in ports:
            new = free_port()
            if new not in ports.values():
                ports[old] = new
    for path in [*root.rglob("*.py"), *root.rglob("*.yaml")]:
        text = path.read_text()
        for old, new in ports.items():
            text = text.replace(str(old), str(new))
        path.write_text(text)
    conftest = root / CONFTEST
    if variant == SERVER_IMPORT_ERROR:
        server = root / SERVER
        text = server.read_text().replace(
            "import argparse\n", "import argparse\n\nimport eventlet  # noqa: F401\n", 1
        )
        server.write_text(text)
    elif variant == SERVER_MODULE_MISSING:
        (root / SERVER).unlink()
    elif variant == HEADLESS:
        conftest.write_text(conftest.read_text().replace('"headless": False', '"headless": True'))
    elif variant == LAUNCH_ARGS_WITHOUT_PARENT:
        text = conftest.read_text()
        text = text.replace(
            "def browser_type_launch_args(browser_type_launch_args):\n"
            '    return {**browser_type_launch_args, "headless": False}',
            'def browser_type_launch_args():\n    return {"headless": False}',
        )
        conftest.write_text(text)
    elif variant:
        raise ValueError(variant)
    return root, ports


def plain_env(**extra: str) -> dict[str, str]:
    """A new user's shell: no DISPLAY, no virtualenv first on PATH, regress importable."""
    env = {
        "HOME": os.environ.get("HOME", "/root"),
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "PYTHONPATH": str(REPO),
        "LANG": "C.UTF-8",
    }
    if "FIXTURE_ENV_MARK" in os.environ:
        env["FIXTURE_ENV_MARK"] = os.environ["FIXTURE_ENV_MARK"]
    return {**env, **extra}


def regress(
    root: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    """`python -m regress ARGS` in the project, as its user would type it, wide output."""
    return subprocess.run(
        [sys.executable, "-m", "regress", *args],
        cwd=root,
        env={"COLUMNS": "200", **(env or plain_env())},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )

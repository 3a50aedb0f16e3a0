"""The project's interpreter for child processes: its bin/ first on PATH, as an activated
virtualenv would have it, so a conftest that starts a bare `python` gets this one."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path


def bin_dir() -> Path:
    """The folder of the running interpreter, as invoked (a venv's bin/, not the symlink's
    target)."""
    return Path(sys.executable).parent


def virtual_env() -> Path | None:
    """The virtualenv this interpreter belongs to, if any."""
    if sys.prefix != sys.base_prefix:
        return Path(sys.prefix)
    return None


def with_interpreter(environ: Mapping[str, str]) -> dict[str, str]:
    """environ with the interpreter's bin/ first on PATH (once) and VIRTUAL_ENV set in a venv."""
    head = str(bin_dir())
    rest = [p for p in environ.get("PATH", os.defpath).split(os.pathsep) if p and p != head]
    env = {**environ, "PATH": os.pathsep.join([head, *rest])}
    venv = virtual_env()
    if venv is not None:
        env["VIRTUAL_ENV"] = str(venv)
    return env


def describe() -> str:
    """One line naming the interpreter and its version, for tables."""
    version = ".".join(str(n) for n in sys.version_info[:3])
    venv = virtual_env()
    where = f" (venv {venv})" if venv else ""
    return f"{sys.executable} {version}{where}"

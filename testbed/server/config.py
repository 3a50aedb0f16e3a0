"""The server's configuration: one frozen object built from command-line flags."""

from __future__ import annotations

import argparse
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

RUN_TOKEN_ENV = "REGRESS_RUN_TOKEN"
DEFAULT_MAX_UPLOAD_BYTES = 5 * 1024 * 1024

# Ids become path components of exports: letters, digits, dot, dash, underscore; no "..".
_SAFE_ID = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")


def is_safe_id(value: object) -> bool:
    """Whether value is a string usable as one path component (no separators, no '..')."""
    return isinstance(value, str) and bool(_SAFE_ID.fullmatch(value)) and ".." not in value


@dataclass(frozen=True)
class ServerConfig:
    """Everything one server instance needs; shared read-only by all games."""

    host: str = "127.0.0.1"
    port: int = 5702
    fps: int = 30
    max_steps: int = 450
    episodes: int = 1
    input_delay: int = 2
    experiment_id: str = "testbed"
    scene_id: str = "cramped_room"
    data_dir: Path = field(default_factory=lambda: Path("data").resolve())
    seed: int = 1
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES
    run_token: str | None = None

    def __post_init__(self) -> None:
        """Reject values the game or the export paths cannot work with."""
        for name in ("fps", "max_steps", "episodes"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")
        if self.input_delay < 0:
            raise ValueError(f"input_delay must be >= 0, got {self.input_delay}")
        if not 0 <= self.port <= 65535:
            raise ValueError(f"port must be in 0..65535, got {self.port}")
        for name in ("experiment_id", "scene_id"):
            if not is_safe_id(getattr(self, name)):
                raise ValueError(
                    f"{name} {getattr(self, name)!r} is not a safe path component: "
                    "use letters, digits, '.', '-', '_' and no '..'"
                )
        if not self.data_dir.is_absolute():
            object.__setattr__(self, "data_dir", self.data_dir.resolve())


def build_parser() -> argparse.ArgumentParser:
    """The command-line interface of `python -m testbed.server`."""
    parser = argparse.ArgumentParser(
        prog="python -m testbed.server",
        description="Two-player testbed game server (matchmaking, signalling, relay, export).",
    )
    defaults = ServerConfig(data_dir=Path("data").resolve())
    parser.add_argument("--host", default=defaults.host, help="bind address")
    parser.add_argument("--port", type=int, default=defaults.port, help="TCP port")
    parser.add_argument("--fps", type=int, default=defaults.fps, help="frames per second")
    parser.add_argument(
        "--max-steps", type=int, default=defaults.max_steps, help="steps per episode"
    )
    parser.add_argument("--episodes", type=int, default=defaults.episodes, help="episodes per game")
    parser.add_argument(
        "--input-delay", type=int, default=defaults.input_delay, help="local input delay (frames)"
    )
    parser.add_argument(
        "--experiment-id", default=defaults.experiment_id, help="first path segment of exports"
    )
    parser.add_argument(
        "--scene-id", default=defaults.scene_id, help="second path segment of exports"
    )
    parser.add_argument("--data-dir", default="data", help="root directory of exports")
    parser.add_argument(
        "--seed", type=int, default=defaults.seed, help="base seed; each game derives its own"
    )
    parser.add_argument(
        "--max-upload-bytes",
        type=int,
        default=defaults.max_upload_bytes,
        help="largest accepted export body",
    )
    return parser


def config_from_args(
    argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None
) -> ServerConfig:
    """Parse flags (and REGRESS_RUN_TOKEN from environ) into a ServerConfig."""
    parser = build_parser()
    args = parser.parse_args(argv)
    env = os.environ if environ is None else environ
    try:
        return ServerConfig(
            host=args.host,
            port=args.port,
            fps=args.fps,
            max_steps=args.max_steps,
            episodes=args.episodes,
            input_delay=args.input_delay,
            experiment_id=args.experiment_id,
            scene_id=args.scene_id,
            data_dir=Path(args.data_dir).resolve(),
            seed=args.seed,
            max_upload_bytes=args.max_upload_bytes,
            run_token=env.get(RUN_TOKEN_ENV) or None,
        )
    except ValueError as error:
        parser.error(str(error))  # exits with status 2

"""The testbed's game server: matchmaking, WebRTC signalling, relay and episode export."""

from __future__ import annotations

from testbed.server.app import create_app
from testbed.server.config import ServerConfig

__all__ = ["ServerConfig", "create_app"]

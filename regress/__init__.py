"""regress: regression validation runner for multiplayer browser experiments."""

from __future__ import annotations

__version__ = "0.1.0"

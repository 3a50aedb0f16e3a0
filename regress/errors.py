"""The one user-facing exception type."""

from __future__ import annotations


class RegressError(Exception):
    """An error the user can act on: printed as one line, exit code 2 unless stated."""

    def __init__(self, message: str, *, exit_code: int = 2) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code

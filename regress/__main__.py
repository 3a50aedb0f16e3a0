"""`python -m regress`."""

from __future__ import annotations

from regress.cli import main

main()

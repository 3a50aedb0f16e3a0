"""`python -m regress`: the same entry point as the `regress` console script."""

from __future__ import annotations

from regress.entry import main

main()

"""Module-level state shared by every test in one pytest process (the combined pass)."""

touched_by: list[str] = []

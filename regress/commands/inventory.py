"""`regress inventory`: the tests pytest collects for each suite, against its `expected`;
`--write` puts the collected ids into the manifest."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from regress.commands.common import selection_for
from regress.judging.inventory import SuiteInventory, compare_inventory
from regress.manifest.model import Suite
from regress.manifest.write import write_expected
from regress.running.collect import collect_ids


def inventory(
    manifest: Path, suites: Sequence[str] = (), *, write: bool = False
) -> tuple[SuiteInventory, ...]:
    """Collect every selected suite's tests; with write, list them as its expected tests."""
    selection = selection_for(manifest, (), suites)
    found = tuple(_suite(selection.manifest.root, s) for s in selection.suites)
    if write:
        write_expected(
            manifest,
            {s.suite: _written(selection.manifest.suite(s.suite), s.collected) for s in found},
        )
    return found


def _suite(root: Path, suite: Suite) -> SuiteInventory:
    return compare_inventory(suite, collect_ids(root, suite.targets))


def _written(suite: Suite, collected: tuple[str, ...]) -> tuple[str, ...]:
    """Bare test names when the suite has one target file (as people write them)."""
    files = {t.split("::", 1)[0] for t in suite.targets}
    if len(files) == 1 and next(iter(files)).endswith(".py"):
        prefix = f"{next(iter(files))}::"
        return tuple(c.removeprefix(prefix) for c in collected)
    return collected

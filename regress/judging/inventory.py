"""A suite's inventory: the tests pytest collects against the manifest's `expected`."""

from __future__ import annotations

from dataclasses import dataclass

from regress.manifest.model import Suite, is_expected, is_pattern


@dataclass(frozen=True)
class SuiteInventory:
    """One suite: what pytest collects, and how it differs from the manifest."""

    suite: str
    collected: tuple[str, ...]
    missing: tuple[str, ...]  # expected ids pytest does not collect
    unlisted: tuple[str, ...]  # collected ids no expected entry covers
    patterns: bool  # expected uses patterns or `all`


def compare_inventory(suite: Suite, collected: tuple[str, ...]) -> SuiteInventory:
    """How the collected tests differ from what the suite expects."""
    exact = [e for e in suite.expected if not is_pattern(e)]
    return SuiteInventory(
        suite=suite.name,
        collected=collected,
        missing=tuple(e for e in exact if e not in collected),
        unlisted=tuple(c for c in collected if not is_expected(c, suite.expected)),
        patterns=any(is_pattern(e) for e in suite.expected),
    )

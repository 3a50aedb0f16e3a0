"""What a SUMMARY says about a split run: which shard this is, or how a merged run's combined
pass was grouped (interference is only tested between suites of the same group)."""

from __future__ import annotations

from regress.judging.results import RunRecord


def shard_lines(record: RunRecord) -> list[str]:
    """Deviation bullets of a shard's run or of a merged run (none for an ordinary run)."""
    lines = []
    if record.shard is not None:
        shard = record.shard
        lines.append(
            f"- Shard {shard.index}/{shard.total} of a split run ({shard.reason}); the other "
            "shards ran the plan's remaining suites"
        )
    if len(record.groups) > 1:
        groups = "; ".join(
            f"group {i}: " + ", ".join(f"`{name}`" for name in group)
            for i, group in enumerate(record.groups, 1)
        )
        lines.append(
            f"- Combined pass ran as {len(record.groups)} groups, one pytest process per shard "
            f"({groups}); interference across groups was not tested"
        )
    return lines

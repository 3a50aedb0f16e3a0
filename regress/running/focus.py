"""A focused run: which suites `-k`, `--test` and `--last-failed` leave in, and the node ids the
pytest plugin keeps. Suites left without a selected test are dropped before anything starts."""

from __future__ import annotations

from dataclasses import dataclass, replace

from regress.errors import RegressError
from regress.manifest.model import Suite
from regress.manifest.select import Selection
from regress.running.collect import collect_ids
from regress.running.context import target_matches
from regress.running.pytest_run import PytestOptions


@dataclass(frozen=True)
class Focus:
    """What the user narrowed the run to; every filter given must let a test through."""

    keyword: str | None = None  # -k EXPR
    tests: tuple[str, ...] = ()  # --test NODEID (a node id, or a file or folder prefix)
    rerun: tuple[str, ...] | None = None  # node ids that did not pass in the earlier run
    rerun_of: str = ""  # that run's id, for messages

    @property
    def active(self) -> bool:
        """Whether any filter was given."""
        return bool(self.keyword or self.tests or self.rerun is not None)


def focus_selection(
    selection: Selection, focus: Focus, options: PytestOptions
) -> tuple[Selection, tuple[str, ...]]:
    """The selection without suites that have no selected test, and the node ids (or prefixes)
    the plugin keeps (() keeps every test; -k itself is passed on to pytest).

    Raises:
        RegressError: a --test is under no selected suite, or nothing is left to run.
    """
    if not focus.active:
        return selection, ()
    suites = selection.suites
    for test in focus.tests:
        if not any(_overlaps(suite, test) for suite in suites):
            raise RegressError(
                f"--test {test}: not under the targets of any selected suite; "
                "see `regress list` for suites and their expected tests"
            )
    patterns = focus.tests
    if focus.rerun is not None:
        patterns = tuple(
            nodeid
            for nodeid in focus.rerun
            if not focus.tests or any(target_matches(t, nodeid) for t in focus.tests)
        )
        if not patterns:
            raise RegressError(
                f"run {focus.rerun_of}: no test of the selected suites failed there "
                "(nothing to rerun); drop --last-failed/--failed-from to run everything"
            )
    kept = [s for s in suites if not patterns or any(_overlaps(s, p) for p in patterns)]
    if focus.keyword and kept:
        collected = _collect(selection, kept, options)
        if collected is not None:
            kept = [
                s
                for s in kept
                if any(
                    _owns(s, nodeid)
                    and (not patterns or any(target_matches(p, nodeid) for p in patterns))
                    for nodeid in collected
                )
            ]
    if not kept:
        given = _described(focus)
        raise RegressError(
            f"{given} selects no test of the selected suites: "
            "check the expression against `regress list`"
        )
    plans = tuple(p for p in selection.plans if any(s.name in p.suites for s in kept))
    return replace(selection, suites=tuple(kept), plans=plans), patterns


def _owns(suite: Suite, nodeid: str) -> bool:
    """Whether a node id falls under one of the suite's targets."""
    return any(target_matches(target, nodeid) for target in suite.targets)


def _overlaps(suite: Suite, pattern: str) -> bool:
    """A pattern inside one of the suite's targets, or a folder/file holding one of them."""
    return any(target_matches(t, pattern) or target_matches(pattern, t) for t in suite.targets)


def _collect(
    selection: Selection, suites: list[Suite], options: PytestOptions
) -> tuple[str, ...] | None:
    """Node ids `pytest --collect-only` selects with the run's pytest arguments (-k EXPR);
    None when collection fails (the suites then run, and their pytest process reports it)."""
    targets = list(dict.fromkeys(t for s in suites for t in s.targets))
    try:
        return collect_ids(selection.manifest.root, targets, options.extra)
    except RegressError:
        return None


def _described(focus: Focus) -> str:
    parts = [f"-k {focus.keyword!r}"] if focus.keyword else []
    parts += [f"--test {t}" for t in focus.tests]
    if focus.rerun is not None:
        parts.append(f"--failed-from {focus.rerun_of}")
    return " with ".join(parts)

"""`regress parity`: its options, read from argv without Typer; the columns it ignores (--exclude,
or the manifest's parity.exclude); and the text or JSON it prints.

`regress.entry` sends `regress parity ARGS` here first, so comparing two exports starts as fast
as a plain csv script (Typer alone takes several times longer to import than the comparison).
`parse` takes only what it understands exactly and returns None for anything else (--help, an
unknown or malformed option, a number it would have to interpret): the Typer command then
parses the same argv and prints its usual help or usage error. Both call `output`, so they
print the same thing.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, TextIO

from regress.manifest import DEFAULT_MANIFEST

if TYPE_CHECKING:
    from regress.parity.model import ParityReport
    from regress.parity.pairing import DirParityReport

FLAGS = {"--json": "as_json", "--debug": "debug"}  # option -> ParityArgs field
VALUED = frozenset({"--exclude", "--row-tolerance", "--manifest", "-m"})  # take one value


class ParityArgs(NamedTuple):
    """What `regress parity` was asked (the Typer command's parameters, by the same names)."""

    paths: tuple[Path, ...]
    exclude: tuple[str, ...] | None = None
    row_tolerance: int = 0
    as_json: bool = False
    manifest: Path | None = None
    debug: bool = False


class _LeftToTyper(Exception):
    """Raised while parsing: this argv is Typer's to read."""


def parse(argv: Sequence[str]) -> ParityArgs | None:
    """`regress parity`'s arguments (after the word parity), or None when Typer must read them.

    Taken: paths, `--json`, `--debug`, and `--exclude`, `--row-tolerance`, `--manifest`/`-m`
    followed by their value, or joined to it by `=` (long options only); `--` ends the options.
    Anything else is left to Typer, whose answer (help, usage error) is then the only one: an
    unknown option, `-` alone, a value that is missing or starts with `-`, a row tolerance that
    is not plain digits, a manifest that is empty or a directory.
    """
    paths: list[Path] = []
    exclude: list[str] = []
    flags: set[str] = set()
    row_tolerance, manifest = 0, None
    try:
        for name, value in _words(argv):
            if name is None:
                paths.append(Path(value))
            elif name in FLAGS:
                flags.add(FLAGS[name])
            elif name == "--exclude":
                exclude.append(value)
            elif name == "--row-tolerance":
                row_tolerance = _digits(value)
            else:
                manifest = _manifest(value)
    except _LeftToTyper:
        return None
    if not paths:
        return None
    return ParityArgs(
        paths=tuple(paths),
        exclude=tuple(exclude) if exclude else None,
        row_tolerance=row_tolerance,
        as_json="as_json" in flags,
        manifest=manifest,
        debug="debug" in flags,
    )


def _words(argv: Sequence[str]) -> Iterator[tuple[str | None, str]]:
    """(None, path) for an argument, (option, value) for an option ("" for a flag)."""
    words = iter(argv)
    for word in words:
        if word == "-":
            raise _LeftToTyper
        if word == "--":
            yield from ((None, path) for path in words)
            return
        if not word.startswith("-"):
            yield None, word
            continue
        name, joined, value = word.partition("=")
        if name in FLAGS and not joined:
            yield name, ""
            continue
        if name not in VALUED or (joined and not name.startswith("--")):
            raise _LeftToTyper  # unknown, or -m=x (which click reads as the value "=x")
        if not joined:
            value = next(words, "-")
            if value.startswith("-"):
                raise _LeftToTyper  # missing, or one click may read differently
        yield name, value


def _digits(value: str) -> int:
    if not (value.isascii() and value.isdigit()):
        raise _LeftToTyper  # click's int() takes "+1" and " 1"; its min=0 refuses "-1"
    return int(value)


def _manifest(value: str) -> Path:
    if not value or Path(value).is_dir():
        raise _LeftToTyper  # Typer's dir_okay=False answers a directory
    return Path(value)


def excluded_columns(
    exclude: Sequence[str] | None, manifest: Path | None
) -> tuple[str, ...] | None:
    """--exclude when given; else the manifest's parity.exclude (of --manifest, or of
    ./suites.yaml when there is one); None (regress.parity's defaults) when neither names any.

    A --manifest that cannot be read is an error; the parity of two files needs no manifest,
    so a missing ./suites.yaml is not.
    """
    if exclude is not None:
        return tuple(exclude)
    path = manifest if manifest is not None else Path(DEFAULT_MANIFEST)
    if manifest is None and not path.is_file():
        return None
    from regress.manifest.load import load_manifest  # noqa: PLC0415 - YAML only with a manifest

    return load_manifest(path).parity_exclude or None


def output(args: ParityArgs, stream: TextIO) -> tuple[str, int]:
    """What to print on ``stream`` (text, coloured when it is a terminal, or JSON) and the exit
    code: 0 identical, 1 divergent.

    Raises:
        RegressError: unusable input or manifest (exit code 2).
    """
    from regress.parity.check import check_paths, exit_code, to_json  # noqa: PLC0415

    columns = excluded_columns(args.exclude, args.manifest)
    report: ParityReport | DirParityReport = check_paths(args.paths, columns, args.row_tolerance)
    if args.as_json:
        import json  # noqa: PLC0415 - the table needs no json

        text = json.dumps(to_json(report), indent=2, ensure_ascii=False) + "\n"
    else:
        from regress.parity.report import render  # noqa: PLC0415

        text = render(report, colour=colour(stream))
    return text, exit_code(report)


def colour(stream: TextIO) -> bool:
    """Whether to colour text for ``stream``: a terminal, and NO_COLOR unset."""
    return stream.isatty() and not os.environ.get("NO_COLOR")

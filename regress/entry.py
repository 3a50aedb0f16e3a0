"""The `regress` console script: `regress parity` goes straight to its Typer-free front end
(`regress.commands.parity`), so comparing two exports starts as fast as a plain csv script;
every other command, and any parity argv that front end leaves to Typer, goes to the Typer
app in `regress.cli`."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from regress.commands.parity import ParityArgs


def main() -> None:
    """Console script entry point (also `python -m regress`)."""
    argv = sys.argv[1:]
    if argv[:1] == ["parity"]:
        from regress.commands.parity import parse  # noqa: PLC0415 - only what parity uses

        args = parse(argv[1:])
        if args is not None:
            sys.exit(_parity(args))
    from regress.cli import main as typer_main  # noqa: PLC0415 - Typer for everything else

    typer_main()


def _parity(args: ParityArgs) -> int:
    """Print `regress parity`'s report; an unusable input is one `error:` line (exit 2)."""
    from regress.commands.parity import colour, output  # noqa: PLC0415
    from regress.errors import RegressError  # noqa: PLC0415

    try:
        text, code = output(args, sys.stdout)
    except RegressError as error:
        if args.debug:
            import traceback  # noqa: PLC0415 - only on errors, with --debug

            traceback.print_exc()
        label = "\x1b[1;31merror:\x1b[0m" if colour(sys.stderr) else "error:"
        sys.stderr.write(f"{label} {error.message}\n")
        return error.exit_code
    sys.stdout.write(text)
    return code

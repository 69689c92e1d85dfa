"""The ``dossier`` command line.

Global options (``--dossier``, ``--user``) may come before or after the command. Exit status is
0 on success, 1 when a check fails and 2 on bad usage or bad input, with one line on stderr.
"""

from __future__ import annotations

import argparse
import functools
import importlib
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from app import __version__
from app.errors import DossierError

TYPE_CHECKING = False  # typing is not loaded at run time: the command line starts light
if TYPE_CHECKING:
    from typing import Any

#: Opens the desktop application on a dossier folder (None: the one used last), acting as a
#: user (None: the one chosen at first run); given by the entry point above both layers
#: (``launch.main``), since the core never imports the GUI. The window locks and opens the
#: folder itself.
GuiRunner = Callable[[Path | None, str | None], int]

#: Modules under app.cli that each define ``register(subparsers, common)``. Building the parser
#: imports them all (``dossier --help`` lists every command), so a command module imports what
#: its commands need (services, the database) inside the command functions: ``--help`` and
#: ``--version`` then load neither SQLAlchemy nor Qt (tests/e2e/test_cli_startup.py). For the
#: same reason the command modules load no :mod:`typing`, :mod:`json` or :mod:`sqlite3` at import
#: (``TYPE_CHECKING = False`` stands in for typing's; mypy treats it as typing's own).
COMMAND_MODULES = ("gui", "documents", "annotations", "versions", "integrity", "exchange",
                   "tags", "money", "review", "team", "sync")


@functools.cache
def _terminal_width() -> int:
    """The width help is wrapped to, found once (as :func:`shutil.get_terminal_size` would)."""
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 80
    return (columns or 80) - 2


class _HelpFormatter(argparse.HelpFormatter):
    """argparse's formatter, told the width: argparse makes a formatter for each argument it
    adds, and each would otherwise load :mod:`shutil` and ask the terminal again."""

    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24,
                 width: int | None = None) -> None:
        super().__init__(prog, indent_increment, max_help_position,
                         _terminal_width() if width is None else width)


class _Parser(argparse.ArgumentParser):
    """The parser of ``dossier`` and (as the class its subparsers are made of) its commands."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _HelpFormatter)
        super().__init__(*args, **kwargs)


def _common(*, suppress: bool) -> argparse.ArgumentParser:
    common = _Parser(add_help=False)
    default = argparse.SUPPRESS if suppress else None
    common.add_argument("--dossier", metavar="PATH", default=default,
                        help="dossier folder, or a team dossier's postgresql://USER@HOST:PORT/DB "
                             "(default: $DOSSIER_PATH or the user data folder)")
    common.add_argument("--user", metavar="NAME", default=default,
                        help="who is acting (default: the name chosen at first run, "
                             "else the login name)")
    return common


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every command registered."""
    parser = _Parser(
        prog="dossier", parents=[_common(suppress=False)],
        description="Dossier: import articles and PDFs, highlight and tag evidence, keep a "
                    "tamper-evident record.",
    )
    parser.add_argument("--version", action="version", version=f"dossier {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    common = _common(suppress=True)
    for name in COMMAND_MODULES:
        importlib.import_module(f"app.cli.{name}").register(sub, common)
    return parser


def _log_path() -> Path:
    import platformdirs

    folder = Path(platformdirs.user_log_dir("Dossier", appauthor=False))
    folder.mkdir(parents=True, exist_ok=True)
    return folder / "dossier-errors.log"


def main(argv: Sequence[str] | None = None, *, gui: GuiRunner | None = None) -> int:
    """Run the command line; return the exit status. ``gui`` opens the desktop application."""
    parser = build_parser()
    args = parser.parse_args(argv)
    args.gui = gui
    if args.command is None:
        args.command = "gui"
        from app.cli.gui import run_gui

        args.func = run_gui
    try:
        status: int = args.func(args)
        return status
    except DossierError as exc:
        print(f"dossier: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("dossier: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:
        import logging
        import traceback

        try:
            log = _log_path()
            with log.open("a", encoding="utf-8") as fh:
                fh.write(traceback.format_exc() + "\n")
            where = f"; details in {log}"
        except OSError:
            where = ""
        logging.getLogger(__name__).debug("internal error", exc_info=True)
        print(f"dossier: internal error ({type(exc).__name__}: {exc}){where}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

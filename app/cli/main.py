"""The ``dossier`` command line.

Global options (``--dossier``, ``--user``) may come before or after the command. Exit status is
0 on success, 1 when a check fails and 2 on bad usage or bad input, with one line on stderr.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

import platformdirs

from app import __version__
from app.errors import DossierError

#: Modules under app.cli that each define ``register(subparsers, common)``.
COMMAND_MODULES = ("gui", "documents", "annotations", "versions", "integrity", "exchange",
                   "review")


def _common(*, suppress: bool) -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    default = argparse.SUPPRESS if suppress else None
    common.add_argument("--dossier", metavar="PATH", default=default,
                        help="dossier folder (default: $DOSSIER_PATH or the user data folder)")
    common.add_argument("--user", metavar="NAME", default=default,
                        help="who is acting (default: the login name)")
    return common


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every command registered."""
    parser = argparse.ArgumentParser(
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
    folder = Path(platformdirs.user_log_dir("Dossier", appauthor=False))
    folder.mkdir(parents=True, exist_ok=True)
    return folder / "dossier-errors.log"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
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

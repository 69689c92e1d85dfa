"""``dossier gui``: open the desktop application."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from app.errors import BadInput

TYPE_CHECKING = False  # typing is not loaded at run time (see app.cli.main)
if TYPE_CHECKING:
    from typing import Any


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the ``gui`` command."""
    p = sub.add_parser("gui", parents=[common], help="open the desktop application (default)")
    p.set_defaults(func=run_gui)


def has_display() -> bool:
    """True when Qt can show windows here (a display server, or an explicit QPA platform)."""
    if os.environ.get("QT_QPA_PLATFORM"):
        return True
    if sys.platform in ("win32", "darwin"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def run_gui(args: argparse.Namespace) -> int:
    """Open the main window on the chosen dossier."""
    from app.location import display, is_server_url

    chosen = getattr(args, "dossier", None) or os.environ.get("DOSSIER_PATH")
    if is_server_url(chosen):  # never read as a folder name (that would make a new dossier)
        raise BadInput(f"the window opens a team dossier from File > Open Team Dossier, not "
                       f"from --dossier/DOSSIER_PATH ({display(str(chosen))}); the commands take "
                       "it, e.g. 'dossier --dossier URL annotations'")
    if not has_display():
        raise BadInput("no display to open the window on; use the command line instead "
                       "('dossier --help', e.g. 'dossier import FILE', 'dossier annotations')")
    runner = getattr(args, "gui", None)
    if runner is None:  # e.g. ``python -m app``: the core alone has no desktop application
        raise BadInput("this command line was started without the desktop application; "
                       "open it with 'dossier gui'")
    # The window locks the dossier and asks the first-run name before opening it, so it gets
    # the folder and the --user given, not an open dossier. With neither --dossier nor
    # $DOSSIER_PATH it reopens the dossier used last.
    chosen = getattr(args, "dossier", None) or os.environ.get("DOSSIER_PATH")
    folder = Path(chosen).expanduser() if chosen else None
    status: int = runner(folder, getattr(args, "user", None))
    return status

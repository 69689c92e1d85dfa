"""``dossier gui``: open the desktop application."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from pathlib import Path
from typing import Any

from app.errors import BadInput


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
    if not has_display():
        raise BadInput("no display to open the window on; use the command line instead "
                       "('dossier --help', e.g. 'dossier import FILE', 'dossier annotations')")
    from app.dossier import default_dossier_path

    folder = Path(args.dossier).expanduser() if getattr(args, "dossier", None) \
        else default_dossier_path()
    # The GUI is a client of the core; it is loaded by name only when asked for, so no app/ module
    # depends on ui/ or Qt widgets at import time (tests/app/test_layers.py checks this).
    gui = importlib.import_module("ui.application")
    status: int = gui.run_folder(folder, getattr(args, "user", None))
    return status

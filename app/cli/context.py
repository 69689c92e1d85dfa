"""Opening the dossier a command works on."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from app.dossier import DB_FILE, Dossier, default_dossier_path
from app.errors import BadInput


def open_dossier(args: argparse.Namespace) -> Dossier:
    """The dossier named by ``--dossier`` (or the default), acting as ``--user``."""
    return Dossier.open(getattr(args, "dossier", None), user=getattr(args, "user", None))


def open_dossier_readonly(args: argparse.Namespace) -> Path:
    """The folder of an existing dossier, for commands that only read (never created)."""
    folder = Path(args.dossier).expanduser() if getattr(args, "dossier", None) \
        else default_dossier_path()
    if not (folder / DB_FILE).is_file():
        raise BadInput(f"no dossier at {folder}: create it with 'dossier --dossier {folder} tags'")
    if os.access(folder, os.W_OK) and os.access(folder / DB_FILE, os.W_OK):
        Dossier.open(folder, user=getattr(args, "user", None)).close()  # upgrade an old schema
    return folder

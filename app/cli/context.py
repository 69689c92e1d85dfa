"""Opening the dossier a command works on."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from app.errors import BadInput

TYPE_CHECKING = False  # typing is not loaded at run time (see app.cli.main)
# app.location (dataclasses, urllib) and the database layer are loaded only by commands that
# open a dossier
if TYPE_CHECKING:
    import sqlite3

    from app.dossier import Dossier


def open_dossier(args: argparse.Namespace) -> Dossier:
    """The dossier named by ``--dossier`` (or the default), acting as ``--user`` (refused in a
    team dossier, where the acting user is the login)."""
    from app.dossier import Dossier
    from app.team.identity import refuse_declared_user

    user = getattr(args, "user", None)
    dossier = Dossier.open(getattr(args, "dossier", None), user=user)
    refuse_declared_user(dossier, user)
    return dossier


def open_dossier_readonly(args: argparse.Namespace) -> Path | Dossier:
    """The folder of an existing dossier, for commands that only read (never created); a team
    dossier is opened (its server is the only way to read it)."""
    from app.dossier import Dossier
    from app.location import DB_FILE, location_of

    folder = location_of(getattr(args, "dossier", None))
    if isinstance(folder, str):
        return open_dossier(args)
    if not (folder / DB_FILE).is_file():
        raise BadInput(f"no dossier at {folder}: create it with 'dossier --dossier {folder} tags'")
    if os.access(folder, os.W_OK) and os.access(folder / DB_FILE, os.W_OK):
        Dossier.open(folder, user=getattr(args, "user", None)).close()  # upgrade an old schema
    return folder


def read_only_database(args: argparse.Namespace) -> sqlite3.Connection | None:
    """A read-only ``sqlite3`` connection to an up-to-date dossier, for quick reading commands
    (no ORM, no migrations loaded); None when its schema needs an upgrade first (then open it
    with :func:`open_dossier`). A missing dossier is refused as by :func:`open_dossier_readonly`.
    """
    import sqlite3

    from app.location import DB_FILE, location_of
    from db.migrate import LATEST

    folder = location_of(getattr(args, "dossier", None))
    if isinstance(folder, str):  # a team dossier: read through its server
        return None
    path = folder / DB_FILE
    if not path.is_file():
        raise BadInput(f"no dossier at {folder}: create it with 'dossier --dossier {folder} tags'")
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        conn.execute("PRAGMA busy_timeout = 10000")
        (stored,) = conn.execute("SELECT version_num FROM alembic_version").fetchone() or ("",)
    except sqlite3.Error:
        stored = ""
    if stored != LATEST:
        conn.close()
        return None
    return conn

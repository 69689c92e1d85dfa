"""A complete picture of a dossier folder, to prove that something left it unchanged."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.dossier import Dossier

_SKIP = ("sqlite_", "search_index_")


def dossier_state(folder: Path | Dossier) -> dict[str, Any]:
    """Every row of every table (sorted) and the hash of every file under ``originals/``.

    ``folder`` may be an open dossier; a team dossier's state is every row of every table of
    its database (its originals are rows too).
    """
    if not isinstance(folder, Path):
        if folder.is_team:
            return _server_state(folder)
        folder = folder.folder
    conn = sqlite3.connect(folder / "dossier.sqlite")
    tables = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type IN ('table') ORDER BY name")]
    state: dict[str, Any] = {}
    for table in tables:
        if table.startswith(_SKIP):
            continue
        rows = conn.execute(f'SELECT * FROM "{table}"').fetchall()
        state[table] = sorted(rows, key=repr)
    conn.close()
    originals = folder / "originals"
    state["files"] = sorted(
        (str(p.relative_to(folder)), hashlib.sha256(p.read_bytes()).hexdigest())
        for p in originals.rglob("*") if p.is_file()
    ) if originals.exists() else []
    return state


def _server_state(dossier: Dossier) -> dict[str, Any]:
    from tests.helpers.engines import raw_database

    state: dict[str, Any] = {}
    with raw_database(dossier) as cur:
        tables = [r[0] for r in cur.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")]
        for table in tables:
            rows = cur.execute(f'SELECT * FROM "{table}"').fetchall()
            state[table] = sorted((tuple(r) for r in rows), key=repr)
    state["files"] = []
    return state

"""A complete picture of a dossier folder, to prove that something left it unchanged."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path
from typing import Any

_SKIP = ("sqlite_", "search_index_")


def dossier_state(folder: Path) -> dict[str, Any]:
    """Every row of every table (sorted) and the hash of every file under ``originals/``."""
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

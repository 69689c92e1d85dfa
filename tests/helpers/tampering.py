"""Tampering with a dossier as an attacker with file access would (for verify tests)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from app import audit
from app.dossier import Dossier
from app.location import DB_FILE
from db.cursor import portable


def rewrite_history(folder: Path | Dossier, seq: int, actor: str = "mallory") -> None:
    """Credit event ``seq`` to ``actor`` and recompute every later hash and the stored head.

    The chain alone is then self-consistent again; only a head written down earlier exposes it.
    ``folder`` may be an open dossier (either engine).
    """
    raw: Any
    if isinstance(folder, Dossier) and folder.is_team:
        raw = folder.engine.raw_connection()
    else:
        raw = sqlite3.connect((folder.folder if isinstance(folder, Dossier) else folder) / DB_FILE)
    conn = portable(raw.cursor())
    rows = conn.execute("SELECT seq, at, actor, action, object_type, object_id, payload, state "
                        "FROM audit_events ORDER BY seq").fetchall()
    prev = audit.GENESIS
    for number, at, recorded, action, otype, oid, payload, state in rows:
        who = actor if number == seq else recorded
        digest = audit.event_hash(prev, number, at, who, action, otype, oid, payload, state)
        conn.execute("UPDATE audit_events SET actor = ?, prev_hash = ?, hash = ? WHERE seq = ?",
                     (who, prev, digest, number))
        prev = digest
    conn.execute("UPDATE dossier_meta SET value = ? WHERE key = 'audit_head'",
                 (f"{rows[-1][0]}:{prev}",))
    raw.commit()
    raw.close()

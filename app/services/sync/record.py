"""Where a clone came from: the ``sync`` record kept in the clone's ``dossier_meta``.

A clone remembers the team dossier it was made from (its address without the password), the
server's chain head at the moment of the copy (``base_seq``/``base_hash``: where the clone forked)
and how far its own chain has been pushed (``synced_seq``). After a push the base moves to the
server's new head and ``synced_seq`` to the clone's head, so the next push sends only newer work.
A dossier without the record was never cloned: pushing it moves all of it into the team dossier.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy.orm import Session

from db.models import Setting

KEY = "sync"


@dataclass
class SyncRecord:
    """A clone's origin and how far it has been pushed."""

    origin: str
    base_seq: int
    base_hash: str
    synced_seq: int
    cloned_at: str = ""


def public_address(location: str) -> str:
    """A dossier address fit to be written down: a URL without its password, or a path."""
    if "://" not in location:
        return location
    parts = urlsplit(location)
    host = parts.hostname or ""
    if parts.port:
        host += f":{parts.port}"
    if parts.username:
        host = f"{parts.username}@{host}"
    return urlunsplit(parts._replace(netloc=host))


def read(session: Session) -> SyncRecord | None:
    """The dossier's sync record, or None when it was never cloned."""
    row = session.get(Setting, KEY)
    if row is None:
        return None
    data = json.loads(row.value)
    return SyncRecord(**{k: data[k] for k in SyncRecord.__dataclass_fields__ if k in data})


def write(session: Session, record: SyncRecord) -> None:
    """Store (or replace) the sync record inside the caller's transaction."""
    value = json.dumps(asdict(record), sort_keys=True)
    row = session.get(Setting, KEY)
    if row is None:
        session.add(Setting(key=KEY, value=value))
    else:
        row.value = value

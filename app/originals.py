"""Content-addressed, read-only stores of imported originals, behind one interface.

- :class:`OriginalsStore`: a dossier folder's ``originals/ab/abcdef…`` files (SQLite dossiers).
- :class:`DatabaseOriginals`: a team dossier's ``originals`` table (PostgreSQL, migration 0009),
  one row per SHA-256, so a database backup holds the whole record. Files that need a path (the
  PDF renderer, exports) get a read-only cached copy from :meth:`DatabaseOriginals.path_for`.

Both are used the same way (:class:`Originals`): ``put`` before the write transaction,
``attach`` inside it (the database store writes the bytes there, so they commit with the
document row), ``discard`` if the transaction failed; ``read``/``has``/``check``/``path_for``.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session

_CHUNK = 1 << 20


def sha256_bytes(data: bytes) -> str:
    """SHA-256 of ``data`` as lowercase hex."""
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    """SHA-256 of a file's bytes, read in chunks."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


class Originals(Protocol):
    """What every originals store offers (see the module docstring)."""

    #: A folder of files by hash: the originals themselves, or a cache of them.
    root: Path

    def path_for(self, sha256: str) -> Path: ...
    def has(self, sha256: str) -> bool: ...
    def read(self, sha256: str) -> bytes: ...
    def put(self, data: bytes, sha256: str | None = None) -> tuple[str, bool]: ...
    def attach(self, session: Session, sha256: str) -> None: ...
    def discard(self, sha256: str) -> None: ...
    def check(self, sha256: str) -> str | None: ...


class OriginalsStore:
    """The ``originals/`` folder of a dossier."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def attach(self, session: Session, sha256: str) -> None:
        """Nothing to do: :meth:`put` wrote the file before the transaction."""

    def path_for(self, sha256: str) -> Path:
        """Where the original with this hash lives (whether or not it exists)."""
        return self.root / sha256[:2] / sha256

    def has(self, sha256: str) -> bool:
        """True when the original is present."""
        return self.path_for(sha256).is_file()

    def read(self, sha256: str) -> bytes:
        """The original's bytes."""
        return self.path_for(sha256).read_bytes()

    def put(self, data: bytes, sha256: str | None = None) -> tuple[str, bool]:
        """Store ``data`` once; return (sha256, True if this call created the file).

        The file is written to a temporary name, flushed to disk and renamed, then made read-only,
        so a crash never leaves a partial original under its final name.
        """
        digest = sha256 or sha256_bytes(data)
        target = self.path_for(digest)
        if target.is_file():
            return digest, False
        tmp = target.with_name(f".{digest}.{os.getpid()}.tmp")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            with tmp.open("wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
            os.replace(tmp, target)
        except BaseException as exc:
            with contextlib.suppress(OSError):
                tmp.unlink()  # never leave a partial copy behind (it would keep a disk full)
            from app.storage_faults import translate

            fault = translate(exc, self.root.parent, 0) if isinstance(exc, OSError) else None
            if fault is not None:
                raise fault from exc
            raise
        return digest, True

    def discard(self, sha256: str) -> None:
        """Remove an original written by a transaction that did not commit."""
        with contextlib.suppress(FileNotFoundError):
            self.path_for(sha256).unlink()

    def check(self, sha256: str) -> str | None:
        """None if the original is present and intact, else what is wrong."""
        path = self.path_for(sha256)
        if not path.is_file():
            return f"original {sha256[:12]}… is missing from {path.parent.name}/"
        actual = sha256_file(path)
        if actual != sha256:
            return f"original {sha256[:12]}… was altered (its bytes now hash to {actual[:12]}…)"
        return None


class DatabaseOriginals:
    """The ``originals`` table of a team dossier, with a local cache folder for paths."""

    def __init__(self, engine: Engine, cache: Path) -> None:
        self.engine = engine
        self.root = cache
        self._cache = OriginalsStore(cache)
        self._staged: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def _query(self, sql: str, params: tuple[Any, ...]) -> Any:
        from db.cursor import of_connection

        with self.engine.connect() as conn:
            cur = of_connection(conn.connection)
            try:
                return cur.execute(sql, params).fetchone()
            finally:
                cur.close()

    def has(self, sha256: str) -> bool:
        """True when the original is in the database."""
        return self._query("SELECT 1 FROM originals WHERE sha256 = ?", (sha256,)) is not None

    def read(self, sha256: str) -> bytes:
        """The original's bytes (FileNotFoundError when the database has none)."""
        row = self._query("SELECT data FROM originals WHERE sha256 = ?", (sha256,))
        if row is None:
            raise FileNotFoundError(f"original {sha256} is not in the team dossier")
        return bytes(row[0])

    def path_for(self, sha256: str) -> Path:
        """A read-only local copy of the original (fetched once into the cache folder)."""
        path = self._cache.path_for(sha256)
        if not path.is_file():
            with contextlib.suppress(FileNotFoundError):  # missing: the caller sees no file
                self._cache.put(self.read(sha256), sha256)
        return path

    def put(self, data: bytes, sha256: str | None = None) -> tuple[str, bool]:
        """Hold ``data`` for :meth:`attach` in the coming write transaction."""
        digest = sha256 or sha256_bytes(data)
        with self._lock:
            self._staged[digest] = data
        return digest, True

    def attach(self, session: Session, sha256: str) -> None:
        """Write the original held by :meth:`put` inside the caller's transaction (once per
        hash: a row already there is kept)."""
        from app.clock import utcnow
        from db.cursor import of_session

        with self._lock:
            data = self._staged.pop(sha256, None)
        if data is None:
            return
        of_session(session).execute(
            "INSERT INTO originals (sha256, size, data, stored_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (sha256) DO NOTHING", (sha256, len(data), data, utcnow()))

    def discard(self, sha256: str) -> None:
        """Forget an original whose transaction did not commit (its row rolled back with it)."""
        with self._lock:
            self._staged.pop(sha256, None)

    def check(self, sha256: str) -> str | None:
        """None if the original is in the database and intact, else what is wrong."""
        row = self._query("SELECT data FROM originals WHERE sha256 = ?", (sha256,))
        return check_bytes(sha256, None if row is None else bytes(row[0]))


def check_bytes(sha256: str, data: bytes | None) -> str | None:
    """None when ``data`` hashes to ``sha256``, else what is wrong (None data: missing)."""
    if data is None:
        return f"original {sha256[:12]}… is missing from the database"
    actual = sha256_bytes(data)
    if actual != sha256:
        return f"original {sha256[:12]}… was altered (its bytes now hash to {actual[:12]}…)"
    return None

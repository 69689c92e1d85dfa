"""Engine set-up for a dossier's database.

SQLite (a dossier folder): WAL, foreign keys, busy timeout, and ``BEGIN IMMEDIATE`` transactions so
that writers are serialised from the start of a transaction (the audit chain reads its head and
appends within one transaction).

PostgreSQL (a team dossier, ``postgresql://USER:PASSWORD@HOST:PORT/DATABASE``): psycopg 3, a
checked connection pool (a connection the server dropped is replaced before use), a connect
timeout, and the same lock wait as SQLite's busy timeout. Writers are serialised by
:meth:`db.cursor.Cursor.lock_writers` at the start of each write transaction, except on the lean
write paths (:meth:`app.dossier.Dossier.write_late`), which take it just before their audit
append.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

#: How long a writer waits for another's write lock before giving up (``DOSSIER_LOCK_WAIT``
#: seconds overrides it, e.g. for tests).
BUSY_TIMEOUT_MS = int(float(os.environ.get("DOSSIER_LOCK_WAIT", "10")) * 1000)


def sqlite_url(path: Path) -> str:
    """The SQLAlchemy URL of the SQLite file at ``path``."""
    return f"sqlite:///{path}"


#: Seconds to wait for a team dossier's server to answer a connection attempt.
CONNECT_TIMEOUT_S = 10
_PG_SCHEMES = ("postgresql", "postgres", "postgresql+psycopg")


def is_server_url(value: object) -> bool:
    """True when ``value`` names a PostgreSQL database (``postgresql://...``), not a folder."""
    if not isinstance(value, str):
        return False
    scheme, sep, _ = value.strip().partition("://")
    return bool(sep) and scheme.lower() in _PG_SCHEMES


def server_engine_url(url: str) -> str:
    """A ``postgresql://`` URL in the form SQLAlchemy needs for psycopg 3."""
    scheme, _, rest = url.strip().partition("://")
    if scheme.lower() not in _PG_SCHEMES:
        raise ValueError(f"not a PostgreSQL URL: {scheme}://")
    return f"postgresql+psycopg://{rest}"


def make_engine(url: str) -> Engine:
    """Create an engine; for SQLite apply Dossier's pragmas and explicit transaction control,
    for PostgreSQL (``postgresql://...``) use psycopg 3 with a checked pool."""
    if is_server_url(url):
        return create_engine(
            server_engine_url(url), future=True, pool_pre_ping=True, pool_size=2,
            max_overflow=8,
            connect_args={
                "connect_timeout": CONNECT_TIMEOUT_S,
                "application_name": "dossier",
                # a lock held by another writer is waited for as long as SQLite would wait
                "options": f"-c lock_timeout={BUSY_TIMEOUT_MS}",
            })
    engine = create_engine(url, future=True)
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)
    return engine


def make_readonly_engine(path: Path) -> Engine:
    """An engine over :func:`connect_readonly` connections (a dossier on read-only storage)."""
    engine = create_engine("sqlite://", creator=lambda: connect_readonly(path), future=True)
    _configure_sqlite(engine, readonly=True)
    return engine


def _configure_sqlite(engine: Engine, *, readonly: bool = False) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if readonly:
            cur.close()
            return
        cur.execute("PRAGMA journal_mode = WAL")
        # NORMAL in WAL mode survives a killed process; only a power loss may drop the last commits.
        cur.execute("PRAGMA synchronous = NORMAL")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # Readers must not take the write lock; writers take it at once (no upgrade deadlocks).
        readonly = conn.get_execution_options().get("readonly", False)
        conn.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")


def make_session_factory(engine: Engine, *, readonly: bool = False) -> sessionmaker[Session]:
    """A session factory whose sessions keep loaded objects usable after commit.

    Read-only sessions read one consistent snapshot and never block writers.
    """
    bind = engine
    if readonly:
        # SQLite: a deferred BEGIN (a snapshot that does not block writers). PostgreSQL: one
        # snapshot for the whole read too (psycopg puts the level in its BEGIN: no round trip).
        bind = engine.execution_options(readonly=True) if engine.dialect.name == "sqlite" \
            else engine.execution_options(isolation_level="REPEATABLE READ")
    return sessionmaker(bind, expire_on_commit=False)


def connect_readonly(path: Path) -> sqlite3.Connection:
    """A plain read-only ``sqlite3`` connection to a dossier database (never writes a byte).

    Tries SQLite's read-only mode first (sees committed WAL content); where even that cannot
    work (a read-only folder with no ``-shm`` file) the file is opened as immutable, which is
    right there because nobody can be writing it.
    """
    if not path.is_file():
        raise FileNotFoundError(path)
    uri = path.resolve().as_uri()
    conn = sqlite3.connect(f"{uri}?mode=ro", uri=True)
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.OperationalError:
        conn.close()
        conn = sqlite3.connect(f"{uri}?mode=ro&immutable=1", uri=True)
    return conn

"""One DB-API cursor that speaks the same SQL on SQLite and PostgreSQL.

The hot paths (audit chain, row states, search index, set imports) run plain DB-API statements on
the session's own connection. :class:`Cursor` wraps the driver's cursor so that code writes its
SQL once, with ``?`` placeholders, and asks about the schema without engine-specific SQL:

- ``?`` placeholders become ``%s`` on PostgreSQL (literal ``%`` is escaped; ``?`` inside quoted
  strings and names is left alone);
- :meth:`Cursor.insert_id` inserts a row and returns its generated key (``lastrowid`` on SQLite,
  ``RETURNING`` on PostgreSQL);
- :meth:`Cursor.columns` / :meth:`Cursor.table_exists` read ``PRAGMA table_info`` /
  ``sqlite_master`` on SQLite and the system catalog (``pg_attribute``, ``to_regclass``) on
  PostgreSQL;
- :meth:`Cursor.lock_writers` serialises writers: a no-op on SQLite (its transactions begin
  ``IMMEDIATE``), a transaction-scoped advisory lock on PostgreSQL.

``dialect`` is ``"sqlite"`` or ``"postgresql"`` for the few places that must differ.
"""

from __future__ import annotations

import functools
import hashlib
import sqlite3
import weakref
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

SQLITE = "sqlite"
POSTGRESQL = "postgresql"

#: The advisory lock every writer of a team dossier holds until its transaction ends (the key
#: is arbitrary but fixed: "Doss" in ASCII). Readers never take it.
WRITER_LOCK_KEY = 0x446F7373
#: The statement that takes it (PostgreSQL).
LOCK_WRITERS = f"SELECT pg_advisory_xact_lock({WRITER_LOCK_KEY})"


#: SQLSTATE of ``dossier_expect`` (migration 0012): a kept write found its row changed since it
#: was read, and nothing was written (:class:`Moved`).
MOVED_SQLSTATE = "DS001"


class Moved(Exception):
    """A lean write's row changed after it was read; the transaction wrote nothing."""


#: Column lists of a PostgreSQL connection's tables (a look at the catalog is a round trip inside
#: the writer slot on every audited write); emptied by :func:`forget_schema` after migrations.
_COLUMNS: weakref.WeakKeyDictionary[Any, dict[str, list[str]]] = weakref.WeakKeyDictionary()
#: Names of the statements :class:`LateCursor` prepared per PostgreSQL connection (None: not
#: known after a failed message, read back from ``pg_prepared_statements`` before the next use).
_PREPARED: weakref.WeakKeyDictionary[Any, set[str] | None] = weakref.WeakKeyDictionary()


def forget_schema() -> None:
    """Drop the cached column lists (the schema may have changed)."""
    _COLUMNS.clear()


@functools.lru_cache(maxsize=1024)
def to_pyformat(sql: str) -> str:
    """``sql`` with ``?`` placeholders rewritten for psycopg (``%s``; ``%`` doubled)."""
    return _rewrite(sql, numbered=False)


@functools.lru_cache(maxsize=256)
def to_numbered(sql: str) -> str:
    """``sql`` with ``?`` placeholders numbered for ``PREPARE`` (``$1``, ``$2``, ...; ``%`` left
    as it is: the ``PREPARE`` is itself a statement with ``?`` placeholders, made ready for
    psycopg like any other)."""
    return _rewrite(sql, numbered=True)


@functools.lru_cache(maxsize=256)
def _prepared_name(sql: str) -> str:
    """The name a :class:`LateCursor` prepares ``sql`` under (the same on every connection)."""
    return "dossier_" + hashlib.sha1(sql.encode("utf-8")).hexdigest()[:20]


def _rewrite(sql: str, *, numbered: bool) -> str:
    out: list[str] = []
    quote = ""
    count = 0
    for ch in sql:
        if ch == "%" and not numbered:
            out.append("%%")
            continue
        if quote:
            if ch == quote:
                quote = ""
        elif ch in ("'", '"'):
            quote = ch
        elif ch == "?":
            count += 1
            out.append(f"${count}" if numbered else "%s")
            continue
        out.append(ch)
    return "".join(out)


class Cursor:
    """A driver cursor with ``?`` placeholders on both engines (see the module docstring)."""

    __slots__ = ("dialect", "raw")

    def __init__(self, raw: Any, dialect: str) -> None:
        self.raw = raw
        self.dialect = dialect

    @property
    def is_postgresql(self) -> bool:
        """True on a team dossier's server."""
        return self.dialect == POSTGRESQL

    @property
    def connection(self) -> Any:
        """The driver's connection (e.g. for SQLite's progress handler)."""
        return self.raw.connection

    # -- statements ----------------------------------------------------------------------------
    def execute(self, sql: str, params: Sequence[Any] | None = None, /) -> Cursor:
        """Run one statement; ``params`` fill its ``?`` placeholders."""
        if params is None:
            self.raw.execute(sql)
        elif self.dialect == SQLITE:
            self.raw.execute(sql, params)
        else:
            self.raw.execute(to_pyformat(sql), params)
        return self

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]], /) -> Cursor:
        """Run one statement for each parameter row."""
        if self.dialect == SQLITE:
            self.raw.executemany(sql, rows)
        else:
            self.raw.executemany(to_pyformat(sql), list(rows))
        return self

    def read(self, sql: str, params: Sequence[Any] | None = None, /) -> Cursor:
        """:meth:`execute` of a statement that only reads (a :class:`LateCursor` runs it
        before its transaction opens)."""
        return self.execute(sql, params)

    def keep(self, sql: str, params: Sequence[Any], *,
             proof: tuple[str, Sequence[Any]] | None = None) -> None:
        """A write whose result is not needed: run now here; a :class:`LateCursor` sends it
        with its next message. ``proof``: a read that finds this write once it is committed
        (a :class:`LateCursor` keeps it to learn a lost commit's outcome)."""
        self.execute(sql, params)

    def insert_id(self, sql: str, params: Sequence[Any], key: str = "id") -> int:
        """Run an ``INSERT`` and return the key the database generated for the new row."""
        if self.dialect == SQLITE:
            self.raw.execute(sql, params)
            return int(self.raw.lastrowid)
        self.raw.execute(to_pyformat(f"{sql} RETURNING {quote_name(key)}"), params)
        return int(self.raw.fetchone()[0])

    def fetchone(self) -> Any:
        return self.raw.fetchone()

    def fetchall(self) -> list[Any]:
        return list(self.raw.fetchall())

    def __iter__(self) -> Iterator[Any]:
        return iter(self.raw)

    @property
    def rowcount(self) -> int:
        return int(self.raw.rowcount)

    @property
    def lastrowid(self) -> Any:
        """SQLite's id of the row just inserted (use :meth:`insert_id` in portable code)."""
        return self.raw.lastrowid

    def close(self) -> None:
        self.raw.close()

    # -- schema --------------------------------------------------------------------------------
    def columns(self, table: str) -> list[str]:
        """The names of ``table``'s columns in order (empty when there is no such table).

        On PostgreSQL remembered per connection until :func:`forget_schema` (migrations call it).
        """
        if self.dialect == SQLITE:
            return [str(r[1]) for r in
                    self.raw.execute(f"PRAGMA table_info({quote_name(table)})").fetchall()]
        known = _COLUMNS.setdefault(self.raw.connection, {})
        found = known.get(table)
        if found is None:
            # the catalog itself: information_schema's views cost milliseconds per look
            self.raw.execute(
                "SELECT attname FROM pg_catalog.pg_attribute WHERE attrelid = to_regclass(%s) "
                "AND attnum > 0 AND NOT attisdropped ORDER BY attnum", (quote_name(table),))
            found = [str(r[0]) for r in self.raw.fetchall()]
            if found:  # a table that does not exist yet may be made by a migration
                known[table] = found
        return list(found)

    def table_exists(self, table: str) -> bool:
        """True when the database has this table."""
        if self.dialect == SQLITE:
            row = self.raw.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND "
                                   "name = ?", (table,)).fetchone()
        else:
            self.raw.execute("SELECT to_regclass(%s) IS NOT NULL", (quote_name(table),))
            row = self.raw.fetchone()
            row = row if row and row[0] else None
        return row is not None

    # -- writers -------------------------------------------------------------------------------
    def lock_writers(self) -> None:
        """Wait for (then hold, until this transaction ends) the dossier's one writer slot.

        SQLite's ``BEGIN IMMEDIATE`` already did it; on PostgreSQL a transaction-scoped advisory
        lock, so that writers (and the audit chain's head) are serialised exactly as on SQLite.
        Taking it twice in one transaction is harmless.
        """
        if self.dialect != SQLITE:
            self.raw.execute(LOCK_WRITERS)
            self.raw.fetchone()

    def together(self, statements: Sequence[tuple[str, Sequence[Any]]]) -> Any:
        """Run ``statements`` (``?`` placeholders) in order and return the first row of the
        last one's result (None when it has none).

        On PostgreSQL they go to the server in one message (the simple query protocol, with the
        values bound by the client), so a lock one of them takes is not held across round trips
        to this client; the first that fails stops the rest and raises.
        """
        if self.dialect == SQLITE:
            for sql, params in statements:
                self.raw.execute(sql, params)
            return self.raw.fetchone() if self.raw.description else None
        import psycopg

        with psycopg.ClientCursor(self.raw.connection) as cur:
            cur.execute("; ".join(to_pyformat(sql) for sql, _ in statements),
                        [value for _, params in statements for value in params])
            while cur.nextset():
                pass
            return cur.fetchone() if cur.description else None


class LateCursor(Cursor):
    """The cursor of a lean write transaction on PostgreSQL
    (:meth:`app.dossier.Dossier.write_late`), on a connection in autocommit mode: it opens the
    transaction itself, as late as it can, and sends its writes in as few messages as it can.

    - :meth:`read` before anything was written runs on its own (READ COMMITTED: no different
      from a read inside the transaction); :meth:`execute` first opens the transaction
      (``BEGIN``);
    - :meth:`keep` holds a write back, and :meth:`together` and :meth:`commit` send what is held
      with their own statements in one message, ``BEGIN`` first when the transaction is not
      open yet. A new annotation is thus one message: ``BEGIN``, its row, its audit append,
      ``COMMIT`` (each round trip costs the client and the server ~40 us of CPU, and on a busy
      machine a wait to be scheduled again).
    """

    __slots__ = ("begun", "kept", "proof")

    def __init__(self, raw: Any, dialect: str) -> None:
        super().__init__(raw, dialect)
        self.kept: list[tuple[str, Sequence[Any]]] = []
        self.begun = False
        #: A read that finds the transaction's writes once committed (see :meth:`keep`).
        self.proof: tuple[str, Sequence[Any]] | None = None

    def execute(self, sql: str, params: Sequence[Any] | None = None, /) -> Cursor:
        self._begin()
        return super().execute(sql, params)

    def read(self, sql: str, params: Sequence[Any] | None = None, /) -> Cursor:
        return super().execute(sql, params)  # on its own until the transaction opens

    def lock_writers(self) -> None:
        self._begin()
        super().lock_writers()

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]], /) -> Cursor:
        self._begin()
        return super().executemany(sql, rows)

    def keep(self, sql: str, params: Sequence[Any], *,
             proof: tuple[str, Sequence[Any]] | None = None) -> None:
        self.kept.append((sql, params))
        if proof is not None:
            self.proof = proof

    def commit(self) -> None:
        """Send what is kept and ``COMMIT`` in one message (nothing when nothing was written).
        Errors are the driver's: a statement's, or the commit's (a deferred check)."""
        if self.begun or self.kept:
            self.together([("COMMIT", ())])

    def together(self, statements: Sequence[tuple[str, Sequence[Any]]]) -> Any:
        opening, prepares = self._opening()
        try:
            return super().together([*prepares, *opening, *statements])
        except Exception:
            if prepares:  # whether they ran is not known: ask before the next use
                _PREPARED[self.raw.connection] = None
            raise

    def _opening(self) -> tuple[list[tuple[str, Sequence[Any]]], list[tuple[str, Sequence[Any]]]]:
        """``BEGIN`` (unless the transaction is open) and the kept writes, now to be sent; and
        the ``PREPARE`` of those not prepared yet on this connection, to go first.

        The kept writes run as statements prepared once per connection (``EXECUTE``; the
        simple query protocol would otherwise parse and plan them every time)."""
        opening: list[tuple[str, Sequence[Any]]] = [] if self.begun else [("BEGIN", ())]
        prepares: list[tuple[str, Sequence[Any]]] = []
        if self.kept:
            known = self._prepared_names()
            for sql, params in self.kept:
                if not params:  # nothing to plan twice (e.g. the writer slot's lock)
                    opening.append((sql, params))
                    continue
                name = _prepared_name(sql)
                if name not in known:
                    prepares.append((f"PREPARE {name} AS {to_numbered(sql)}", ()))
                    known.add(name)
                opening.append((f"EXECUTE {name}({', '.join('?' for _ in params)})", params))
        self.kept = []
        self.begun = True
        return opening, prepares

    def _prepared_names(self) -> set[str]:
        conn = self.raw.connection
        known = _PREPARED.get(conn)
        if known is None:
            self.raw.execute("SELECT name FROM pg_prepared_statements "
                             "WHERE starts_with(name, 'dossier_')")
            known = _PREPARED[conn] = {str(r[0]) for r in self.raw.fetchall()}
        return known

    def _begin(self) -> None:
        if not self.begun:
            self.together([])


def quote_name(name: str) -> str:
    """An SQL identifier in double quotes (valid on both engines)."""
    return '"' + name.replace('"', '""') + '"'


def dialect_of(raw: Any) -> str:
    """``sqlite`` or ``postgresql`` for a driver cursor or connection."""
    if isinstance(raw, sqlite3.Cursor | sqlite3.Connection):
        return SQLITE
    module = type(raw).__module__
    if module.startswith("psycopg"):
        return POSTGRESQL
    if module.startswith("sqlite3"):
        return SQLITE
    inner = getattr(raw, "dbapi_connection", None)  # SQLAlchemy's pooled connection
    if inner is not None:
        return dialect_of(inner)
    raise TypeError(f"not a cursor of a supported database: {type(raw).__name__}")


def portable(cur: Any) -> Cursor:
    """``cur`` as a :class:`Cursor` (a driver cursor is wrapped; a Cursor is returned as is)."""
    if isinstance(cur, Cursor):
        return cur
    return Cursor(cur, dialect_of(cur))


def of_connection(conn: Any) -> Cursor:
    """A new :class:`Cursor` on a driver connection (or SQLAlchemy's pooled wrapper of one)."""
    raw = getattr(conn, "dbapi_connection", None) or conn
    return Cursor(raw.cursor(), dialect_of(raw))


def of_session(session: Session) -> Cursor:
    """A :class:`Cursor` on the session's own connection, inside its transaction."""
    conn = session.connection()
    raw = conn.connection.dbapi_connection
    assert raw is not None
    return Cursor(raw.cursor(), conn.dialect.name)

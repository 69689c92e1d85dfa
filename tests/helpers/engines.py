"""Both engines for one test: a dossier folder (SQLite) and a team dossier (PostgreSQL).

Fixtures (registered in ``tests/conftest.py``):

- ``any_dossier_path``: parametrised ``sqlite`` / ``postgresql``; a fresh dossier's location, a
  folder ``Path`` (a copy of the migrated template folder) or a ``postgresql://`` URL ``str``
  (a database in the state of a template database migrated once per session: see
  :class:`TeamDatabases`). ``Dossier.open(location)`` and ``--dossier LOCATION`` take either.
- ``team_databases``: :meth:`TeamDatabases.fresh` gives more fresh databases by name.
- ``any_dossier``: that dossier opened as ``alice`` (closed after the test).
- ``engine_name``: ``"sqlite"`` or ``"postgresql"``, for the few assertions that must differ.
- ``team_dossier``: a fresh team dossier alone (PostgreSQL only, not parametrised).

A module runs its ``dossier`` tests on both engines with::

    @pytest.fixture
    def dossier(any_dossier: Dossier) -> Dossier:
        return any_dossier

Tampering helpers that need raw SQL on either engine: :func:`execute`.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from app.dossier import Dossier
    from db.cursor import Cursor
    from tests.helpers.pg import PgServer

ENGINES = ("sqlite", "postgresql")


@pytest.fixture(scope="session")
def pg_template(pg_server: PgServer) -> Iterator[str]:
    """The name of a database migrated to head and seeded with the codebook, once a session."""
    from app.dossier import Dossier

    name = pg_server.create_database()
    Dossier.open(pg_server.url(name), user="alice").close()
    yield name
    pg_server.drop_database(name)


class TeamDatabases:
    """Fresh team dossier databases for tests, fast.

    ``CREATE DATABASE ... TEMPLATE`` costs most of a second; so the first database a test asks
    for is one kept for the whole session and put back into the template's state instead (every
    table emptied and refilled with the template's rows, sequences reset: a few milliseconds).
    A second one in the same test, or one whose schema a test changed (tables, triggers,
    policies, row-level security, privileges: e.g. after ``team init``), is created from the
    template as usual.
    """

    def __init__(self, server: PgServer, template: str) -> None:
        self.server = server
        self.template = template
        self.reused = server.create_database(template=template)
        self.leased = False
        self.rows: dict[str, list[tuple[Any, ...]]] = {}
        self.columns: dict[str, list[str]] = {}
        with server.connect(template) as conn:
            self.schema = self._schema(conn)
            for table in self.schema[0]:
                cur = conn.execute(f'SELECT * FROM "{table}"')
                self.columns[table] = [d.name for d in cur.description or ()]
                self.rows[table] = [tuple(r) for r in cur.fetchall()]

    @staticmethod
    def _schema(conn: Any) -> tuple[list[str], str]:
        """The tables, and a fingerprint of everything a test may have changed besides rows
        (schema revision, triggers, policies, row-level security, privileges)."""
        tables = [r[0] for r in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")]
        fingerprint = conn.execute(
            "SELECT (SELECT string_agg(version_num, ',') FROM alembic_version), "
            "(SELECT string_agg(tgname || '@' || tgrelid::regclass::text, ',' ORDER BY 1) "
            " FROM pg_trigger WHERE NOT tgisinternal), "
            "(SELECT string_agg(policyname || '@' || tablename, ',' ORDER BY 1) FROM pg_policies),"
            "(SELECT string_agg(relname || ':' || relrowsecurity || ':' || "
            " coalesce(relacl::text, ''), ',' ORDER BY 1) FROM pg_class "
            " WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'), "
            "(SELECT coalesce(datacl::text, '') FROM pg_database "
            " WHERE datname = current_database())").fetchone()
        return tables, repr(tuple(fingerprint))

    def _reset(self) -> bool:
        """Put the reused database back into the template's state; False if it cannot be."""
        from psycopg import sql

        name = self.reused
        with self.server.connect() as admin:  # nobody may hold a lock on it now
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE datname = %s AND pid <> pg_backend_pid()", (name,))
        with self.server.connect(name) as conn:
            if self._schema(conn) != self.schema:
                return False
            with conn.transaction():
                conn.execute("SET LOCAL session_replication_role = replica")  # no FK checks
                conn.execute(sql.SQL("TRUNCATE {} RESTART IDENTITY").format(
                    sql.SQL(", ").join(sql.Identifier(t) for t in self.schema[0])))
                for table, rows in self.rows.items():
                    if not rows:
                        continue
                    cols = self.columns[table]
                    query = sql.SQL("INSERT INTO {} ({}) VALUES ({})").format(
                        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, cols)),
                        sql.SQL(", ").join(sql.Placeholder() * len(cols)))
                    with conn.cursor() as cur:
                        cur.executemany(query, rows)
                for table, column in conn.execute(
                        "SELECT c.relname, a.attname FROM pg_attribute a "
                        "JOIN pg_class c ON c.oid = a.attrelid "
                        "JOIN pg_namespace n ON n.oid = c.relnamespace "
                        "WHERE n.nspname = 'public' AND c.relkind = 'r' AND a.attnum > 0 "
                        "AND pg_get_serial_sequence(quote_ident(c.relname), a.attname) "
                        "IS NOT NULL").fetchall():
                    conn.execute(sql.SQL(
                        "SELECT setval(pg_get_serial_sequence({}, {}), "
                        "coalesce((SELECT max({}) FROM {}), 0) + 1, false)").format(
                        sql.Literal(f'"{table}"'), sql.Literal(column), sql.Identifier(column),
                        sql.Identifier(table)))
        return True

    @contextmanager
    def fresh(self) -> Iterator[str]:
        """The name of a database in the template's state, for the length of the block."""
        if not self.leased:
            self.leased = True
            try:
                if not self._reset():
                    self.server.drop_database(self.reused)
                    self.reused = self.server.create_database(template=self.template)
                yield self.reused
            finally:
                self.leased = False
            return
        name = self.server.create_database(template=self.template)
        try:
            yield name
        finally:
            self.server.drop_database(name)


@pytest.fixture(scope="session")
def team_databases(pg_server: PgServer, pg_template: str) -> Iterator[TeamDatabases]:
    """Fresh team dossier databases (:class:`TeamDatabases`)."""
    pool = TeamDatabases(pg_server, pg_template)
    yield pool
    pg_server.drop_database(pool.reused)


@pytest.fixture(params=ENGINES)
def engine_name(request: pytest.FixtureRequest) -> str:
    """``sqlite`` or ``postgresql`` (parametrises every test that uses it)."""
    return str(request.param)


@pytest.fixture
def any_dossier_path(engine_name: str, request: pytest.FixtureRequest,
                     tmp_path: Path) -> Iterator[Path | str]:
    """A fresh, migrated dossier on the engine of this run: a folder or a team dossier's URL."""
    if engine_name == "sqlite":
        template: Path = request.getfixturevalue("template_dossier")
        target = tmp_path / "dossier"
        shutil.copytree(template, target)
        yield target
        return
    server: PgServer = request.getfixturevalue("pg_server")
    databases: TeamDatabases = request.getfixturevalue("team_databases")
    with databases.fresh() as name:
        yield server.url(name)


@pytest.fixture
def any_dossier(any_dossier_path: Path | str) -> Iterator[Dossier]:
    """The dossier at ``any_dossier_path``, open as ``alice``; closed after the test."""
    from app.dossier import Dossier

    d = Dossier.open(any_dossier_path, user="alice")
    yield d
    d.close()


@pytest.fixture
def team_dossier(pg_server: PgServer, team_databases: TeamDatabases) -> Iterator[Dossier]:
    """A fresh team dossier (PostgreSQL only), open as ``alice``; closed after the test."""
    from app.dossier import Dossier

    with team_databases.fresh() as name:
        d = Dossier.open(pg_server.url(name), user="alice")
        yield d
        d.close()


@contextmanager
def raw_database(dossier: Dossier) -> Iterator[Cursor]:
    """A cursor straight on the dossier's database, as someone with access to its file (a
    plain ``sqlite3`` connection) or its server (a login) would use it, bypassing Dossier;
    committed when the block ends. ``?`` placeholders on both engines."""
    from app.location import DB_FILE
    from db.cursor import of_connection

    raw: Any = (dossier.engine.raw_connection() if dossier.is_team
                else sqlite3.connect(dossier.folder / DB_FILE))
    try:
        yield of_connection(raw)
        raw.commit()
    finally:
        raw.close()


def execute(dossier: Dossier, *statements: str, params: tuple[Any, ...] = ()) -> int:
    """Run statements directly on the dossier's database, outside Dossier (tampering); return
    the number of rows the last one changed."""
    count = 0
    with raw_database(dossier) as cur:
        for sql in statements:
            count = cur.execute(sql, params).rowcount
    return count

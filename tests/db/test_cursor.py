"""The portable cursor's SQL rewriting and the team dossier address (no server needed)."""

from __future__ import annotations

import sqlite3

import pytest

from app.errors import BadInput
from app.location import ServerAddress, display, is_server_url, location_of
from db.cursor import portable, to_pyformat


@pytest.mark.parametrize(("sql", "expected"), [
    ("SELECT a FROM t WHERE b = ? AND c = ?", "SELECT a FROM t WHERE b = %s AND c = %s"),
    ("SELECT '?' || ? FROM t", "SELECT '?' || %s FROM t"),
    ("SELECT \"we?ird\" FROM t WHERE x LIKE ?", "SELECT \"we?ird\" FROM t WHERE x LIKE %s"),
    ("SELECT 'it''s ?', ? FROM t", "SELECT 'it''s ?', %s FROM t"),
    ("SELECT 5 % 2, '%' FROM t WHERE a = ?", "SELECT 5 %% 2, '%%' FROM t WHERE a = %s"),
])
def test_placeholders_become_psycopg_ones_outside_quotes(sql: str, expected: str) -> None:
    assert to_pyformat(sql) == expected


def test_sqlite_cursor_speaks_the_portable_interface() -> None:
    conn = sqlite3.connect(":memory:")
    cur = portable(conn.cursor())
    assert cur.dialect == "sqlite" and not cur.is_postgresql
    cur.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)")
    assert cur.insert_id("INSERT INTO t (name) VALUES (?)", ("a",)) == 1
    assert cur.columns("t") == ["id", "name"] and cur.columns("missing") == []
    assert cur.table_exists("t") and not cur.table_exists("missing")
    cur.lock_writers()  # SQLite's BEGIN IMMEDIATE does it: nothing to do
    assert portable(cur) is cur


@pytest.mark.parametrize("value", ["postgresql://a@h/db", "postgres://h/db",
                                   "postgresql+psycopg://a:b@h:5/db", " POSTGRESQL://h/db"])
def test_server_urls_are_told_from_folders(value: str) -> None:
    assert is_server_url(value)
    assert isinstance(location_of(value), str)


@pytest.mark.parametrize("value", ["/tmp/postgresql", "postgresql", "C:/data/dossier",
                                   "https://example.org/x"])
def test_folders_are_not_server_urls(value: str) -> None:
    assert not is_server_url(value)


def test_the_password_never_appears_in_the_address() -> None:
    url = "postgresql://ann%40ngo:s3cr%2Ft%40pw@db.example.org:6432/team_nk?sslmode=require"
    address = ServerAddress.parse(url)
    assert (address.user, address.host, address.port, address.database) == (
        "ann@ngo", "db.example.org", 6432, "team_nk")
    assert address.display == "postgresql://ann@ngo@db.example.org:6432/team_nk"
    assert "s3cr" not in display(url) and "s3cr" not in address.display
    assert ServerAddress.parse("postgresql://h/db").port == 5432
    with pytest.raises(BadInput, match="not a team dossier address") as no_db:
        ServerAddress.parse("postgresql://ann:hunter2@h:5432/")
    assert "hunter2" not in str(no_db.value)


def test_a_fixture_database_whose_rules_a_test_changed_is_made_afresh(
        pg_server: object, team_databases: object) -> None:
    from tests.helpers.engines import TeamDatabases
    from tests.helpers.pg import PgServer

    assert isinstance(pg_server, PgServer) and isinstance(team_databases, TeamDatabases)
    with team_databases.fresh() as name:
        pg_server.psql(name, "ALTER TABLE audit_events ENABLE ROW LEVEL SECURITY; "
                             "CREATE POLICY only_mine ON audit_events USING (actor = 'x')")
    with team_databases.fresh() as name:
        out = pg_server.psql(name, "SELECT count(*) FROM pg_policies").stdout
    assert out.split()[2] == "0"


def test_a_late_cursor_sends_kept_writes_prepared_with_literal_percent_and_question_marks(
        pg_server: object) -> None:
    """LateCursor (the lean write path): reads run before the transaction, kept writes go
    prepared in one message with the COMMIT; a literal ``%`` or quoted ``?`` in their SQL and
    values arrives unchanged, and a second transaction reuses the prepared statement."""
    import psycopg

    from db.cursor import LateCursor
    from tests.helpers.pg import PgServer

    assert isinstance(pg_server, PgServer)
    name = pg_server.create_database()
    try:
        with psycopg.connect(pg_server.url(name).replace("+psycopg", ""),
                             autocommit=True) as conn:
            conn.execute("CREATE TABLE t (a text, b text)")
            for value in ("50% of wages?", "it's 100%"):
                cur = LateCursor(conn.cursor(), "postgresql")
                assert cur.read("SELECT count(*) FROM t").fetchone()[0] in (0, 1)
                assert not cur.begun  # a read opens no transaction
                cur.keep("INSERT INTO t (a, b) VALUES (?, '%?')", (value,))
                cur.commit()
            rows = conn.execute("SELECT a, b FROM t ORDER BY a").fetchall()
            prepared = conn.execute("SELECT count(*) FROM pg_prepared_statements WHERE "
                                    "starts_with(name, 'dossier_')").fetchone()[0]
        assert rows == [("50% of wages?", "%?"), ("it's 100%", "%?")]
        assert prepared == 1
    finally:
        pg_server.drop_database(name)

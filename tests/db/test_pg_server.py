"""The test PostgreSQL server: it starts, takes password logins, keeps databases apart."""

from __future__ import annotations

from tests.helpers.pg import PgServer


def test_server_answers_and_databases_are_separate(pg_server: PgServer, pg_database: str) -> None:
    with pg_server.connect(pg_database) as conn:
        conn.execute("CREATE TABLE marker (x integer)")
        conn.execute("INSERT INTO marker VALUES (42)")
        version = conn.execute("SHOW server_version_num").fetchone()
    assert version is not None and int(version[0]) >= 130000
    other = pg_server.create_database()
    try:
        with pg_server.connect(other) as conn:
            found = conn.execute(
                "SELECT count(*) FROM pg_tables WHERE tablename = 'marker'").fetchone()
        assert found == (0,)
    finally:
        pg_server.drop_database(other)


def test_psql_reports_refusals(pg_server: PgServer, pg_database: str) -> None:
    ok = pg_server.psql(pg_database, "SELECT 1 + 1")
    assert ok.returncode == 0 and "2" in ok.stdout
    with pg_server.connect(pg_database) as conn:
        conn.execute("CREATE ROLE t_reader LOGIN PASSWORD 'pw'")
    try:
        refused = pg_server.psql(pg_database, "CREATE TABLE t (x int)", user="t_reader",
                                 password="pw")
        assert refused.returncode != 0
        assert "permission denied" in refused.stderr
        wrong = pg_server.psql(pg_database, "SELECT 1", user="t_reader", password="nope")
        assert wrong.returncode != 0 and "password authentication failed" in wrong.stderr
    finally:
        with pg_server.connect(pg_database) as conn:
            conn.execute("DROP OWNED BY t_reader")
            conn.execute("DROP ROLE t_reader")

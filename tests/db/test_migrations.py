"""A dossier's schema comes from the migrations; a newer schema is refused unchanged."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from app.dossier import DB_FILE, Dossier
from app.errors import BadInput
from db.migrate import head_revision


def test_new_dossier_is_at_head_with_wal_and_foreign_keys(tmp_path: Path) -> None:
    d = Dossier.open(tmp_path / "d", user="alice")
    with d.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 1000
        rev = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
        tables = {r[0] for r in conn.exec_driver_sql("SELECT name FROM sqlite_master")}
    d.close()
    assert rev == head_revision()
    assert {"documents", "pages", "tags", "annotations", "annotation_tags", "reviews",
            "audit_events", "users", "search_index"} <= tables


def test_dossier_from_newer_version_is_refused_and_left_unchanged(dossier_path: Path) -> None:
    db = dossier_path / DB_FILE
    conn = sqlite3.connect(db)
    conn.execute("UPDATE alembic_version SET version_num = 'ffff_future'")
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    with pytest.raises(BadInput, match="newer"):
        Dossier.open(dossier_path, user="alice")
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before


def test_default_codebook_is_created_once(tmp_path: Path) -> None:
    from app.services.codebook import list_tags

    d = Dossier.open(tmp_path / "d", user="alice")
    d.close()
    d = Dossier.open(tmp_path / "d", user="bob")
    with d.read() as session:
        tags = list_tags(session)
    d.close()
    paths = {t.path for t in tags}
    assert "Abuses/Retention of identity documents" in paths
    assert "Funding flows/Wage deposits to state-controlled accounts" in paths
    assert "Contracts/Government-to-government agreement" in paths
    assert "Context/Source attribution" in paths
    assert len([t for t in tags if t.depth == 0]) == 4
    assert len([t for t in tags if t.parent_id and t.path.startswith("Abuses/")]) == 11
    assert len(paths) == len(tags)


def test_latest_constant_matches_alembic_head() -> None:
    from db.migrate import LATEST

    assert head_revision() == LATEST


def test_every_migration_runs_up_and_down_on_postgresql(pg_server: object,
                                                         pg_database: str) -> None:
    """The one chain of migrations builds a team dossier's schema and takes it apart again."""
    from alembic import command
    from sqlalchemy import create_engine, text

    from db.engine import server_engine_url
    from db.migrate import _config
    from tests.helpers.pg import PgServer

    assert isinstance(pg_server, PgServer)
    engine = create_engine(server_engine_url(pg_server.url(pg_database)))
    cfg = _config()
    try:
        for target in ("head", "base", "head"):
            with engine.begin() as conn:
                cfg.attributes["connection"] = conn
                (command.downgrade if target == "base" else command.upgrade)(cfg, target)
                tables = set(conn.execute(text(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).scalars())
            if target == "base":
                assert tables == {"alembic_version"}
            else:
                assert {"documents", "annotations", "audit_events", "originals",
                        "entities"} <= tables
    finally:
        engine.dispose()


def test_a_team_dossier_from_a_newer_version_is_refused_unchanged(pg_server: object,
                                                                   pg_database: str) -> None:
    from tests.helpers.pg import PgServer

    assert isinstance(pg_server, PgServer)
    url = pg_server.url(pg_database)
    Dossier.open(url, user="alice").close()
    pg_server.psql(pg_database, "UPDATE alembic_version SET version_num = 'ffff_future'")
    with pytest.raises(BadInput, match="newer"):
        Dossier.open(url, user="alice")
    out = pg_server.psql(pg_database, "SELECT version_num FROM alembic_version").stdout
    assert "ffff_future" in out

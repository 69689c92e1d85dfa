"""Schema migrations: the only way a dossier's schema changes.

Opening a dossier upgrades it to the newest revision; a database written by a newer Dossier (a
revision this version does not know) is refused before anything is touched.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy import Connection, Engine

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
#: The newest revision in migrations/versions; opening an up-to-date dossier checks only this and
#: skips loading Alembic (tests/db/test_migrations.py keeps it equal to Alembic's head).
LATEST = "0012"
#: Advisory lock key (PostgreSQL) held while a team dossier's schema is upgraded ("Migr").
MIGRATION_LOCK_KEY = 0x4D696772


class SchemaTooNew(Exception):
    """The dossier was written by a newer version of Dossier."""


def _config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def head_revision() -> str:
    """The newest schema revision this version of Dossier knows."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision stored in the database, or None for an empty database."""
    with engine.connect() as conn:
        return current_revision_on(conn)


def current_revision_on(conn: Connection) -> str | None:
    """:func:`current_revision` on an open connection."""
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine) -> None:
    """Bring the database to the newest revision; refuse one from a newer Dossier unchanged."""
    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError, ProgrammingError

    try:
        with engine.connect() as conn:
            stored = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        if stored == LATEST:
            return
    except (OperationalError, ProgrammingError):
        pass  # a new, empty database (PostgreSQL: "relation does not exist")
    from alembic import command
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(_config())
    current = current_revision(engine)
    if current is not None:
        try:
            script.get_revision(current)
        except Exception as exc:
            raise SchemaTooNew(
                f"this dossier uses schema revision {current}, which is newer than this version "
                "of Dossier knows; open it with a newer Dossier"
            ) from exc
        if current == script.get_current_head():
            return
    cfg = _config()
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # several people may open a new team dossier at once: one of them migrates it
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK_KEY})")
            if current_revision_on(conn) == script.get_current_head():
                return
        cfg.attributes["connection"] = conn
        try:
            command.upgrade(cfg, "head")
        finally:
            from db.cursor import forget_schema

            forget_schema()  # columns looked up mid-chain are not the new schema's

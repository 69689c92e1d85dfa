"""Both engines for one test: a dossier folder (SQLite) and a team dossier (PostgreSQL).

Fixtures (registered in ``tests/conftest.py``):

- ``any_dossier_path``: parametrised ``sqlite`` / ``postgresql``; a fresh dossier's location, a
  folder ``Path`` (a copy of the migrated template folder) or a ``postgresql://`` URL ``str``
  (a database created from a template database that was migrated once per session, by
  ``CREATE DATABASE ... TEMPLATE``, dropped after the test). ``Dossier.open(location)`` and
  ``--dossier LOCATION`` take either.
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
    source: str = request.getfixturevalue("pg_template")
    name = server.create_database(template=source)
    yield server.url(name)
    server.drop_database(name)


@pytest.fixture
def any_dossier(any_dossier_path: Path | str) -> Iterator[Dossier]:
    """The dossier at ``any_dossier_path``, open as ``alice``; closed after the test."""
    from app.dossier import Dossier

    d = Dossier.open(any_dossier_path, user="alice")
    yield d
    d.close()


@pytest.fixture
def team_dossier(pg_server: PgServer, pg_template: str) -> Iterator[Dossier]:
    """A fresh team dossier (PostgreSQL only), open as ``alice``; dropped after the test."""
    from app.dossier import Dossier

    name = pg_server.create_database(template=pg_template)
    d = Dossier.open(pg_server.url(name), user="alice")
    yield d
    d.close()
    pg_server.drop_database(name)


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

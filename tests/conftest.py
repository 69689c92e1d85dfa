"""Shared test set-up: headless Qt, isolated user folders, dossiers from a migrated template."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.engines import (
    any_dossier,
    any_dossier_path,
    engine_name,
    pg_template,
    team_databases,
    team_dossier,
)

__all__ = ["any_dossier", "any_dossier_path", "engine_name", "pg_template",  # fixtures
           "team_databases", "team_dossier"]

# Before Qt or platformdirs are imported anywhere: no display, and no user folder of the machine.
os.environ["QT_QPA_PLATFORM"] = "offscreen"
_SANDBOX = Path(tempfile.mkdtemp(prefix="dossier-tests-"))
for _var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
    os.environ[_var] = str(_SANDBOX / _var.lower())
os.environ.pop("DOSSIER_PATH", None)
os.environ.setdefault("USER", "tester")


@pytest.fixture(scope="session")
def template_dossier(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A dossier folder created once by running the migrations and seeding the codebook."""
    from app.dossier import Dossier

    folder = tmp_path_factory.mktemp("template") / "dossier"
    Dossier.open(folder, user="alice").close()
    return folder


@pytest.fixture
def dossier_path(template_dossier: Path, tmp_path: Path) -> Path:
    """A fresh copy of the template dossier for one test."""
    target = tmp_path / "dossier"
    shutil.copytree(template_dossier, target)
    return target


@pytest.fixture
def dossier(dossier_path: Path) -> Iterator[object]:
    """An open dossier (user ``alice``) that is closed after the test."""
    from app.dossier import Dossier

    d = Dossier.open(dossier_path, user="alice")
    yield d
    d.close()


@pytest.fixture(scope="session")
def pg_server() -> Iterator[object]:
    """A real PostgreSQL server for the session (``DOSSIER_TEST_PG`` or a throwaway cluster).

    Where none can be had the test is skipped with the reason; under CI (``CI=true``) that is a
    failure instead, so team dossiers are never left untested by accident.
    """
    from tests.helpers import pg

    try:
        server = pg.get_server()
    except pg.PgUnavailable as exc:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"no PostgreSQL server for the team dossier tests: {exc}")
        pytest.skip(f"no PostgreSQL server for the team dossier tests: {exc}")
    yield server
    server.stop()


@pytest.fixture
def pg_database(pg_server: object) -> Iterator[str]:
    """The name of a new, empty database on the test server, dropped after the test."""
    from tests.helpers.pg import PgServer

    assert isinstance(pg_server, PgServer)
    name = pg_server.create_database()
    yield name
    pg_server.drop_database(name)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    shutil.rmtree(_SANDBOX, ignore_errors=True)

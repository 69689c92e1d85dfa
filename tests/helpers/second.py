"""A second dossier on the same engine as the test's first (exchange round trips between two)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from app.dossier import Dossier


@contextmanager
def another_dossier(request: pytest.FixtureRequest, engine_name: str, folder: Path,
                    user: str = "bob") -> Iterator[Dossier]:
    """A fresh dossier with nothing but the default codebook, open as ``user``: a copy of the
    template folder at ``folder``, or a new team dossier database on PostgreSQL."""
    if engine_name == "sqlite":
        shutil.copytree(request.getfixturevalue("template_dossier"), folder)
        dossier = Dossier.open(folder, user=user)
        try:
            yield dossier
        finally:
            dossier.close()
        return
    server = request.getfixturevalue("pg_server")
    name = server.create_database(template=request.getfixturevalue("pg_template"))
    dossier = Dossier.open(server.url(name), user=user)
    try:
        yield dossier
    finally:
        dossier.close()
        server.drop_database(name)

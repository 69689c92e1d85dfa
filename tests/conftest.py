"""Shared test set-up: headless Qt, isolated user folders, dossiers from a migrated template."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

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


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    shutil.rmtree(_SANDBOX, ignore_errors=True)

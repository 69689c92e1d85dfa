"""Running the real ``dossier`` command line in a subprocess, as a user would."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from db.cursor import Cursor

REPO = Path(__file__).resolve().parents[2]


def run_cli(dossier: Path | str, *args: str, user: str = "alice", check: bool = False,
            input_text: str | None = None,
            timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run ``python -m app --dossier DOSSIER --user USER ARGS...``; return the completed process."""
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "app", "--dossier", str(dossier), "--user", user, *args],
        capture_output=True, text=True, encoding="utf-8", cwd=REPO, env=env,
        input=input_text, timeout=timeout,
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"dossier {' '.join(args)} exited {proc.returncode}: {proc.stderr}")
    return proc


def cli_json(dossier: Path | str, *args: str, user: str = "alice") -> Any:
    """Run a listing command with ``--json`` and parse its output."""
    proc = run_cli(dossier, *args, "--json", user=user, check=True)
    return json.loads(proc.stdout)


@contextmanager
def raw_sql(location: Path | str) -> Iterator[Cursor]:
    """A cursor straight on the database of the dossier at ``location`` (a folder or a team
    dossier's URL), bypassing Dossier, committed at the end: for tampering in tests."""
    from app.dossier import Dossier
    from tests.helpers.engines import raw_database

    dossier = Dossier.open(location, user="alice", create=False)
    try:
        with raw_database(dossier) as cur:
            yield cur
    finally:
        dossier.close()


@contextmanager
def opened(location: Path | str, user: str = "alice") -> Iterator[Any]:
    """The dossier at ``location`` (a folder or a team dossier's URL), open; closed after."""
    from app.dossier import Dossier

    dossier = Dossier.open(location, user=user, create=False)
    try:
        yield dossier
    finally:
        dossier.close()

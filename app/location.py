"""Where a dossier lives: its folder and database file (no database code, so light to import)."""

from __future__ import annotations

import os
from pathlib import Path

#: The database file inside a dossier folder.
DB_FILE = "dossier.sqlite"


def default_dossier_path() -> Path:
    """``DOSSIER_PATH`` if set, else the platform's user data folder for Dossier."""
    env = os.environ.get("DOSSIER_PATH")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("Dossier", appauthor=False))

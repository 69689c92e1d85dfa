"""Where a dossier lives: its folder and database file, or a team dossier's server address (no
database code, so light to import).

A dossier is a folder (SQLite) or a PostgreSQL database named by a URL,
``postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE`` (``--dossier`` or ``DOSSIER_PATH``).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

#: The database file inside a dossier folder.
DB_FILE = "dossier.sqlite"
_SCHEMES = ("postgresql", "postgres", "postgresql+psycopg")


def is_server_url(value: object) -> bool:
    """True when ``value`` is a ``postgresql://`` URL (a team dossier), not a folder."""
    if not isinstance(value, str):
        return False
    scheme, sep, _ = value.strip().partition("://")
    return bool(sep) and scheme.lower() in _SCHEMES


@dataclass(frozen=True)
class ServerAddress:
    """A team dossier's address, for messages: never holds the password."""

    user: str
    host: str
    port: int
    database: str

    @classmethod
    def parse(cls, url: str) -> ServerAddress:
        """The parts of a ``postgresql://`` URL (BadInput when it names no database)."""
        from app.errors import BadInput

        parts = urlsplit(url.strip())
        database = unquote(parts.path.lstrip("/"))
        try:
            port = parts.port or 5432
        except ValueError:
            port = 0
        if not database or not port:
            raise BadInput(f"{cls.display_of(url)} is not a team dossier address: write "
                           "postgresql://USER@HOST:PORT/DATABASE")
        return cls(unquote(parts.username or "") or _login_name(), parts.hostname or "localhost",
                   port, database)

    @staticmethod
    def display_of(url: str) -> str:
        """``url`` with any password left out."""
        return re.sub(r"(://[^/@:]*):[^/@]*@", r"\1@", url.strip())

    @property
    def display(self) -> str:
        """``postgresql://USER@HOST:PORT/DATABASE``."""
        return f"postgresql://{self.user}@{self.host}:{self.port}/{self.database}"

    @property
    def where(self) -> str:
        """``HOST:PORT``."""
        return f"{self.host}:{self.port}"

    def cache_folder(self) -> Path:
        """This machine's folder for the team dossier's cached copies (e.g. of originals)."""
        import platformdirs

        name = re.sub(r"[^A-Za-z0-9._-]+", "_", f"{self.host}_{self.port}_{self.database}")
        return Path(platformdirs.user_cache_dir("Dossier", appauthor=False)) / "team" / name


def _login_name() -> str:
    import getpass

    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return ""


def default_location() -> Path | str:
    """``DOSSIER_PATH`` (a folder, or a team dossier's URL) if set, else the platform's user
    data folder for Dossier."""
    env = os.environ.get("DOSSIER_PATH")
    if env and is_server_url(env):
        return env.strip()
    return default_dossier_path()


def location_of(value: Path | str | None) -> Path | str:
    """A ``--dossier`` value as a folder or a team dossier's URL (None: the default)."""
    if value is None or value == "":
        return default_location()
    if is_server_url(value):
        return str(value).strip()
    return Path(value).expanduser()


def display(value: Path | str) -> str:
    """A location for messages (a URL without its password)."""
    return ServerAddress.display_of(str(value)) if is_server_url(value) else str(value)


def default_dossier_path() -> Path:
    """``DOSSIER_PATH`` if set (and a folder), else the platform's user data folder."""
    env = os.environ.get("DOSSIER_PATH")
    if env and not is_server_url(env):
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("Dossier", appauthor=False))

"""The user's own settings that the command line needs too (no Qt): their display name.

Kept as a small JSON file in the platform's config folder (``user.json``), so ``dossier`` on the
command line attributes work to the same person as the window does, unless ``--user`` is given.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import platformdirs

from app.errors import BadInput

CONFIG_FILE = "user.json"
MAX_NAME = 200


def config_path() -> Path:
    """Where the user's config file lives."""
    return Path(platformdirs.user_config_dir("Dossier", appauthor=False)) / CONFIG_FILE


def _read() -> dict[str, object]:
    try:
        data = json.loads(config_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def display_name() -> str | None:
    """The name the user chose, or None before the first run asked for it."""
    name = _read().get("display_name")
    return name.strip() if isinstance(name, str) and name.strip() else None


def check_name(name: str) -> str:
    """``name`` trimmed, or a clear refusal when it cannot be a display name."""
    name = " ".join(name.split())
    if not name:
        raise BadInput("the display name is empty; type the name your colleagues know you by")
    if len(name) > MAX_NAME:
        raise BadInput(f"the display name is longer than {MAX_NAME} characters; shorten it")
    return name


def set_display_name(name: str) -> str:
    """Store the display name (written atomically); return it as stored."""
    name = check_name(name)
    data = _read()
    data["display_name"] = name
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_suffix(".part")
    part.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(part, path)
    return name

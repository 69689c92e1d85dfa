"""How the command line prints: JSON only with ``--json``, short tab-separated lines otherwise."""

from __future__ import annotations

import json
import sys
from typing import Any


def emit_json(value: Any) -> None:
    """Print ``value`` as JSON (UTF-8, indented) and nothing else."""
    json.dump(value, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def shorten(text: str, width: int = 70) -> str:
    """One line of at most ``width`` characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def short_id(value: str) -> str:
    """The first 8 characters of an id, as listings show it."""
    return value[:8]

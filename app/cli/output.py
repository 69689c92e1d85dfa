"""How the command line prints: JSON only with ``--json``, short tab-separated lines otherwise."""

from __future__ import annotations

import sys

TYPE_CHECKING = False  # typing is not loaded at run time (see app.cli.main)
if TYPE_CHECKING:
    from typing import Any

#: JSON is written to stdout in pieces of about this many characters (not one write per token).
WRITE_CHUNK = 1 << 20


def emit_json(value: Any) -> None:
    """Print ``value`` as JSON (UTF-8, indented) and nothing else, in large writes."""
    import json

    out = sys.stdout
    pieces: list[str] = []
    size = 0
    for piece in json.JSONEncoder(ensure_ascii=False, indent=2).iterencode(value):
        pieces.append(piece)
        size += len(piece)
        if size >= WRITE_CHUNK:
            out.write("".join(pieces))
            pieces.clear()
            size = 0
    pieces.append("\n")
    out.write("".join(pieces))


def shorten(text: str, width: int = 70) -> str:
    """One line of at most ``width`` characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def short_id(value: str) -> str:
    """The first 8 characters of an id, as listings show it."""
    return value[:8]

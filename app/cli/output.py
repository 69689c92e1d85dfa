"""How the command line prints: JSON only with ``--json``, short tab-separated lines otherwise."""

from __future__ import annotations

import sys

TYPE_CHECKING = False  # typing is not loaded at run time (see app.cli.main)
if TYPE_CHECKING:
    from typing import Any

#: A JSON list is encoded and written this many items at a time (large writes, bounded memory).
WRITE_ITEMS = 1000


def emit_json(value: Any) -> None:
    """Print ``value`` as JSON (UTF-8, indented) and nothing else, in large writes.

    The text is exactly ``json.dumps(value, ensure_ascii=False, indent=2)`` and a newline. A list
    is encoded a block of items at a time, each block in one call of the encoder (its own join
    of the pieces, not one Python step per piece) and written at once: the items of a block
    encoded as a list are, between its opening and closing lines, the items of the whole list.
    """
    import json

    encode = json.JSONEncoder(ensure_ascii=False, indent=2).encode
    out = sys.stdout
    if not isinstance(value, list) or not value:
        out.write(encode(value) + "\n")
        return
    for first in range(0, len(value), WRITE_ITEMS):
        block = encode(value[first:first + WRITE_ITEMS])  # "[\n  ...\n]"
        out.write(("[\n" if first == 0 else ",\n") + block[2:-2])
    out.write("\n]\n")


def shorten(text: str, width: int = 70) -> str:
    """One line of at most ``width`` characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def short_id(value: str) -> str:
    """The first 8 characters of an id, as listings show it."""
    return value[:8]

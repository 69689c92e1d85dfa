"""Seeded mutation of input files, and the check that one import ended well.

An import "ends well" when the file is imported (with or without warnings) or refused with one
line that names it — never an internal error, a traceback or a hang.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from app.dossier import Dossier
from app.errors import DossierError
from app.services import imports


def mutate(data: bytes, rng: random.Random, edits: int = 4) -> bytes:
    """``data`` with a few random edits: flipped bytes, cut, doubled or inserted runs, a cut end."""
    out = bytearray(data)
    for _ in range(edits):
        if not out:
            break
        at = rng.randrange(len(out))
        kind = rng.randrange(6)
        if kind == 0:
            out[at] ^= 1 << rng.randrange(8)
        elif kind == 1:
            del out[at:at + rng.randrange(1, 64)]
        elif kind == 2:
            out[at:at] = out[at:at + rng.randrange(1, 256)]
        elif kind == 3:
            out[at:at] = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 16)))
        elif kind == 4:
            out[at] = rng.choice(b"\x00\xff()<>[]/%\\\n")
        else:
            del out[max(1, len(out) - rng.randrange(1, 512)):]
    return bytes(out)


@dataclass
class Outcome:
    """How one import ended: ``imported``, ``present``, ``warned`` or ``refused``."""

    name: str
    status: str
    message: str = ""


def import_one(dossier: Dossier, data: bytes, name: str) -> Outcome:
    """Import ``data`` as ``name``; raise AssertionError unless it ended well."""
    try:
        result = imports.import_bytes(dossier, data, name, source=f"fuzz/{name}")
    except DossierError as exc:
        message = str(exc)
        assert "\n" not in message, f"{name}: refusal is not one line: {message!r}"
        assert "internal error" not in message and "Traceback" not in message, message
        assert name in message or name.rsplit(".", 1)[0] in message, \
            f"{name}: refusal does not name the file: {message!r}"
        return Outcome(name, "refused", message)
    assert result.status in {"imported", "present"}, result
    for warning in result.warnings:
        assert "\n" not in warning, warning
    return Outcome(name, "warned" if result.warnings else result.status)

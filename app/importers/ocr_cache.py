"""A cache of recognised pages, so the same page of the same file is recognised once.

Keyed by the file's SHA-256, the page, the language, the resolution and Tesseract's version:
recognition is deterministic for these, so a re-import (or a second dossier) gets the same words
without running Tesseract again. It lives in the user's cache folder (``DOSSIER_OCR_CACHE``
names another; an empty value turns it off). Entries are small JSON files; a damaged entry is
ignored and recognised again.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import tempfile
from array import array
from pathlib import Path

from app.importers.ocr import OcrText

#: Bump when the way text is built from Tesseract's words changes.
FORMAT = 1


def cache_dir() -> Path | None:
    value = os.environ.get("DOSSIER_OCR_CACHE")
    if value is not None:
        return Path(value) if value else None
    import platformdirs

    return Path(platformdirs.user_cache_dir("Dossier")) / "ocr"


_digests: dict[tuple[str, int, int], str] = {}


def file_digest(path: str) -> str:
    st = os.stat(path)
    key = (os.path.abspath(path), st.st_size, st.st_mtime_ns)
    if key not in _digests:
        h = hashlib.sha256()
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
        _digests.clear()
        _digests[key] = h.hexdigest()
    return _digests[key]


def _entry(digest: str, page: int, lang: str, dpi: int, version: str) -> Path | None:
    root = cache_dir()
    if root is None:
        return None
    name = hashlib.sha256(f"{FORMAT}|{digest}|{page}|{lang}|{dpi}|{version}".encode()).hexdigest()
    return root / name[:2] / f"{name}.json"


def load(digest: str, page: int, lang: str, dpi: int, version: str) -> OcrText | None:
    path = _entry(digest, page, lang, dpi, version)
    if path is None or not path.is_file():
        return None
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        boxes = array("f")
        boxes.frombytes(base64.b64decode(raw["boxes"]))
        out = OcrText(raw["text"], boxes, base64.b64decode(raw["synthetic"]),
                      base64.b64decode(raw["confidence"]), int(raw["words"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    n = len(out.text)
    if len(out.boxes) != 4 * n or len(out.synthetic) != n or len(out.confidence) != n:
        return None
    return out


def store(digest: str, page: int, lang: str, dpi: int, version: str, result: OcrText) -> None:
    path = _entry(digest, page, lang, dpi, version)
    if path is None:
        return
    data = json.dumps({
        "text": result.text, "words": result.words,
        "boxes": base64.b64encode(result.boxes.tobytes()).decode("ascii"),
        "synthetic": base64.b64encode(result.synthetic).decode("ascii"),
        "confidence": base64.b64encode(result.confidence).decode("ascii"),
    })
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".part")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except OSError:  # a cache that cannot be written is only slower
        with contextlib.suppress(OSError):
            os.unlink(tmp)

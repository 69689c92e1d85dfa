"""A cache of recognised pages, so the same page of the same file is recognised once.

Keyed by the file's SHA-256, the page, the language, the resolution and Tesseract's version:
recognition is deterministic for these, so a re-import (or a second dossier) gets the same words
without running Tesseract again. What is kept is Tesseract's word table (words, boxes,
confidences), so the text built from it follows the current code. It lives in the user's cache
folder (``DOSSIER_OCR_CACHE`` names another; an empty value turns it off). Entries are small JSON
files; a damaged entry is ignored and recognised again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

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


WordTable = dict[str, list[Any]]
_COLUMNS = ("level", "block_num", "par_num", "line_num", "left", "top", "width", "height",
            "conf", "text")
#: Columns a table may have: ``space``, 0 where Tesseract set no space before the word.
_OPTIONAL = ("space",)


def load(digest: str, page: int, lang: str, dpi: int, version: str) -> WordTable | None:
    """Tesseract's word table for the page, if recognised before."""
    path = _entry(digest, page, lang, dpi, version)
    if path is None or not path.is_file():
        return None
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        table = {c: list(raw[c]) for c in _COLUMNS}
        table.update({c: list(raw[c]) for c in _OPTIONAL if c in raw})
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if len({len(v) for v in table.values()}) != 1:
        return None
    return table


def store(digest: str, page: int, lang: str, dpi: int, version: str, table: WordTable) -> None:
    """Keep the page's word table (atomically; a cache that cannot be written is only slower)."""
    path = _entry(digest, page, lang, dpi, version)
    if path is None:
        return
    columns = _COLUMNS + tuple(c for c in _OPTIONAL if c in table)
    data = json.dumps({c: [_plain(v) for v in table[c]] for c in columns}, ensure_ascii=False)
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".part")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except OSError:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def _plain(value: Any) -> Any:
    return value if isinstance(value, (int, float, str)) else str(value)

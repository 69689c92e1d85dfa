"""Content-addressed, read-only store of imported originals: ``originals/ab/abcdef…``."""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
from pathlib import Path

_CHUNK = 1 << 20


def sha256_bytes(data: bytes) -> str:
    """SHA-256 of ``data`` as lowercase hex."""
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    """SHA-256 of a file's bytes, read in chunks."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


class OriginalsStore:
    """The ``originals/`` folder of a dossier."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path_for(self, sha256: str) -> Path:
        """Where the original with this hash lives (whether or not it exists)."""
        return self.root / sha256[:2] / sha256

    def has(self, sha256: str) -> bool:
        """True when the original is present."""
        return self.path_for(sha256).is_file()

    def read(self, sha256: str) -> bytes:
        """The original's bytes."""
        return self.path_for(sha256).read_bytes()

    def put(self, data: bytes, sha256: str | None = None) -> tuple[str, bool]:
        """Store ``data`` once; return (sha256, True if this call created the file).

        The file is written to a temporary name, flushed to disk and renamed, then made read-only,
        so a crash never leaves a partial original under its final name.
        """
        digest = sha256 or sha256_bytes(data)
        target = self.path_for(digest)
        if target.is_file():
            return digest, False
        tmp = target.with_name(f".{digest}.{os.getpid()}.tmp")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            with tmp.open("wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
            os.replace(tmp, target)
        except BaseException as exc:
            with contextlib.suppress(OSError):
                tmp.unlink()  # never leave a partial copy behind (it would keep a disk full)
            from app.storage_faults import translate

            fault = translate(exc, self.root.parent, 0) if isinstance(exc, OSError) else None
            if fault is not None:
                raise fault from exc
            raise
        return digest, True

    def discard(self, sha256: str) -> None:
        """Remove an original written by a transaction that did not commit."""
        with contextlib.suppress(FileNotFoundError):
            self.path_for(sha256).unlink()

    def check(self, sha256: str) -> str | None:
        """None if the original is present and intact, else what is wrong."""
        path = self.path_for(sha256)
        if not path.is_file():
            return f"original {sha256[:12]}… is missing from {path.parent.name}/"
        actual = sha256_file(path)
        if actual != sha256:
            return f"original {sha256[:12]}… was altered (its bytes now hash to {actual[:12]}…)"
        return None

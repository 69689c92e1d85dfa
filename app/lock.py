"""One Dossier window per dossier: an operating-system lock on ``dossier.lock`` in its folder.

The lock is taken with ``fcntl.flock`` (``msvcrt.locking`` on Windows), which the kernel drops
when the process ends, so a crashed Dossier never leaves a dossier locked. The command line does
not take it: reading, and even writing through SQLite's own locking, stays safe beside a window.
"""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path
from typing import IO

from app.errors import DossierError

LOCK_FILE = "dossier.lock"


class DossierInUse(DossierError):
    """The dossier is open in another Dossier window."""


class DossierLock:
    """An exclusive, non-blocking lock on a dossier folder, held until :meth:`release`."""

    def __init__(self, folder: Path) -> None:
        self.path = Path(folder) / LOCK_FILE
        self._file: IO[str] | None = None

    @property
    def held(self) -> bool:
        """True while this object holds the lock."""
        return self._file is not None

    def acquire(self) -> None:
        """Take the lock, or raise :class:`DossierInUse` naming who holds it."""
        if self._file is not None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 (held open while locked)
        try:
            _lock(handle)
        except OSError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            handle.close()
            raise DossierInUse(
                f"{self.path.parent} is already open in another Dossier window ({holder}); "
                "switch to that window, or close it first (the command line can still read "
                "this dossier)") from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"process {os.getpid()} on {socket.gethostname()}")
        handle.flush()
        self._file = handle

    def release(self) -> None:
        """Let go of the lock (safe to call when not held)."""
        if self._file is None:
            return
        try:
            self._file.seek(0)
            self._file.truncate()
            _unlock(self._file)
        finally:
            self._file.close()
            self._file = None


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _lock(handle: IO[str]) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)

    def _unlock(handle: IO[str]) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
else:
    import fcntl

    def _lock(handle: IO[str]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock(handle: IO[str]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

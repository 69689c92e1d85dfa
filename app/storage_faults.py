"""Turning storage failures (SQLite's and the file system's) into one-line messages.

A full disk, a read-only dossier and a write lock held by another program each become a
:class:`~app.errors.StorageFault` naming the dossier and what to do; for a held lock the message
also names the processes that have the dossier's database open, where the system tells.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

from app.errors import DiskFull, Locked, ReadOnly, StorageFault

_FULL = ("database or disk is full", "disk i/o error")
_READONLY = ("attempt to write a readonly database", "readonly database",
             "unable to open database file")
_LOCKED = ("database is locked", "database table is locked")


def disk_full(folder: Path) -> DiskFull:
    """The message for a full disk."""
    return DiskFull(f"the disk holding the dossier {folder} is full; nothing was written — free "
                    "some space and try again")


def read_only(folder: Path) -> ReadOnly:
    """The message for a command that would change a read-only dossier."""
    return ReadOnly(f"the dossier {folder} is read-only (read-only storage or no write "
                    "permission); this command changes the dossier — commands that only read "
                    "it (documents, annotations, search, export, verify) still work")


def locked(folder: Path, seconds: float) -> Locked:
    """The message for a write lock held longer than Dossier waits."""
    holders = lock_holders(folder / "dossier.sqlite")
    who = (f"held by {'; '.join(holders)}" if holders
           else "held by another program using the dossier")
    return Locked(f"the dossier {folder} is busy: its write lock was {who} for more than "
                  f"{seconds:.0f} s; nothing was written — try again when it has finished")


def translate(exc: BaseException, folder: Path, wait_seconds: float) -> StorageFault | None:
    """The StorageFault an SQLite or OS error stands for, or None if it is something else."""
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return disk_full(folder)
    if isinstance(exc, OSError) and exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return read_only(folder)
    text = str(getattr(exc, "orig", exc)).lower()
    if any(m in text for m in _FULL):
        return disk_full(folder)
    if any(m in text for m in _LOCKED):
        return locked(folder, wait_seconds)
    if any(m in text for m in _READONLY):
        return read_only(folder)
    return None


def lock_holders(db: Path) -> list[str]:
    """``process PID (command line)`` of other processes with ``db`` open (Linux /proc)."""
    proc = Path("/proc")
    if not proc.is_dir():
        return []
    try:
        target = db.resolve()
    except OSError:
        return []
    names = {str(target), str(target) + "-wal", str(target) + "-shm"}
    found: list[str] = []
    me = os.getpid()
    for entry in proc.iterdir():
        if not entry.name.isdigit() or int(entry.name) == me:
            continue
        try:
            fds = list((entry / "fd").iterdir())
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(fd) in names:
                    cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").strip()
                    found.append(f"process {entry.name} ({cmd.decode('utf-8', 'replace')[:120]})")
                    break
            except OSError:
                continue
        if len(found) >= 3:
            break
    return found


__all__ = ["StorageFault", "disk_full", "lock_holders", "locked", "read_only", "translate"]

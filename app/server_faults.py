"""Turning a team dossier's server errors (PostgreSQL through psycopg) into one-line messages.

An unreachable server, a refused login, a missing database, a lost connection, a lock held too
long, a full disk on the server: each becomes a :class:`~app.errors.StorageFault` that says what
happened, where (``HOST:PORT``, the database, the login — never the password) and what to do.
"""

from __future__ import annotations

from app.errors import DiskFull, Locked, ReadOnly, ServerUnavailable, StorageFault
from app.location import ServerAddress

#: SQLSTATEs whose transaction may simply be run again (nothing of it was committed).
RETRYABLE = frozenset({"40001", "40P01"})  # serialization failure, deadlock detected
_LOST = ("server closed the connection", "terminating connection", "consuming input failed",
         "the connection is closed", "connection is lost", "connection already closed",
         "ssl connection has been closed", "could not receive data", "could not send data",
         "connection to server was lost", "the connection is lost")
_UNREACHABLE = ("not currently accepting connections", "connection refused", "could not connect",
                "timeout expired",
                "failed to resolve host", "could not translate host name", "name or service",
                "no route to host", "network is unreachable", "connection timed out",
                "temporary failure in name resolution")


def _message(exc: BaseException) -> str:
    return str(getattr(exc, "orig", None) or exc)


def sqlstate(exc: BaseException) -> str | None:
    """The SQLSTATE of a psycopg error (or of the one a SQLAlchemy error wraps)."""
    orig = getattr(exc, "orig", None) or exc
    state = getattr(orig, "sqlstate", None)
    return str(state) if state else None


def is_connection_error(exc: BaseException) -> bool:
    """True when the connection failed or was lost (not an error in what was asked)."""
    if getattr(exc, "connection_invalidated", False):
        return True
    code = sqlstate(exc)
    if code is not None:
        return code.startswith("08") or code in ("57P01", "57P02", "57P03")
    text = _message(exc).lower()
    return any(m in text for m in _LOST + _UNREACHABLE)


def translate(exc: BaseException, address: ServerAddress,
              lock_wait_s: float) -> StorageFault | None:
    """The StorageFault a server error stands for, or None if it is something else."""
    code = sqlstate(exc) or ""
    text = _message(exc)
    low = text.lower()
    where = f"the team dossier {address.database} on {address.where}"
    if "password authentication failed" in low or code == "28P01" or (
            code == "28000" and "pg_hba" not in low):
        return ServerUnavailable(
            f"the server at {address.where} refused the login {address.user!r} for "
            f"{address.database}: wrong password or no such login — check the user name and "
            "password (an administrator adds people with 'dossier team add')")
    if "pg_hba.conf" in low:
        return ServerUnavailable(
            f"the server at {address.where} does not accept connections from this machine for "
            f"the login {address.user!r} to {address.database} (pg_hba.conf) — ask its "
            "administrator to allow it")
    if "must be owner of" in low:
        return StorageFault(
            f"{where} needs its schema upgraded for this version of Dossier, which only its "
            f"owner may do: ask them to run 'dossier team init {address.display}'")
    if "connect privilege" in low or "permission denied for database" in low:
        return ServerUnavailable(
            f"the login {address.user!r} may not connect to the team dossier "
            f"{address.database} on {address.where}: it has no role there — ask an "
            f"administrator to add it ('dossier team add {address.user} --role ROLE')")
    if code == "3D000" or ("database" in low and "does not exist" in low):
        return ServerUnavailable(
            f"there is no database {address.database!r} on the server at {address.where} — "
            f"check the name, or create it (createdb {address.database}) and set it up with "
            f"'dossier team init {address.display}'")
    if "not currently accepting connections" in low or code == "57P03":
        return ServerUnavailable(
            f"{where} is not accepting connections now (the server is starting, stopping or "
            "under maintenance) — try again shortly, or ask its administrator")
    if "too many clients" in low or code == "53300":
        return ServerUnavailable(
            f"the server at {address.where} has no free connections (too many clients) — try "
            "again shortly, or ask its administrator to raise max_connections")
    if code in ("53100",) or "no space left on device" in low or "could not extend file" in low:
        return DiskFull(f"the server of {where} has no disk space left; nothing was written — "
                        "ask its administrator to free some space, then try again")
    if code == "25006" or "read-only transaction" in low:
        return ReadOnly(f"{where} is read-only (a standby or read-only server); nothing was "
                        "written — connect to the primary server to make changes")
    if code == "55P03" or "lock timeout" in low:
        return Locked(f"{where} is busy: another writer held its write lock for more than "
                      f"{lock_wait_s:.0f} s; nothing was written — try again when it has "
                      "finished")
    if code == "42501" and "permission denied for" in low:
        return ServerUnavailable(
            f"the login {address.user!r} may not use {where} ({_reason(text)}): it has no role "
            f"there — ask an administrator to add it ('dossier team add {address.user} "
            "--role ROLE')")
    if code in RETRYABLE:
        return StorageFault(f"{where}: the change clashed with a colleague's change made at "
                            "the same moment; nothing was written — try again")
    if any(m in low for m in _UNREACHABLE):
        return ServerUnavailable(
            f"cannot reach the server of the team dossier {address.database} at "
            f"{address.where} ({_reason(text)}) — check that the server is running and the "
            "address is right, and your network connection")
    if is_connection_error(exc):
        return ServerUnavailable(
            f"lost the connection to the server of {where} ({_reason(text)}); nothing that "
            "was in progress was written — check the connection and try again")
    return None


def unknown_commit(address: ServerAddress) -> ServerUnavailable:
    """The connection was lost while a change was being committed: it may or may not be in."""
    return ServerUnavailable(
        f"lost the connection to the server of the team dossier {address.database} at "
        f"{address.where} while saving; the change may or may not have been saved — check "
        "(e.g. 'dossier annotations') before trying again")


def _reason(text: str) -> str:
    """The last line of libpq's message that says something (never holds a password)."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    for line in reversed(lines):
        if not line.startswith(("Is the server", "(Background", "[SQL")):
            cut = line.rsplit(" failed: ", 1)[-1]
            return cut[:160]
    return "no answer"

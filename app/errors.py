"""Errors a user can act on. Their messages are shown as they are: one line, what and what to do."""

from __future__ import annotations


class DossierError(Exception):
    """Base of every error meant for the user. ``exit_code`` is the command line's exit status."""

    exit_code = 2


class BadInput(DossierError):
    """The user's input (a file, an argument, a value) cannot be used."""


class NotFound(BadInput):
    """No document, annotation or tag matches what the user named."""


class Ambiguous(BadInput):
    """Several objects match what the user named."""


class CheckFailed(DossierError):
    """An integrity check found a problem."""

    exit_code = 1


class StorageFault(DossierError):
    """The dossier's storage refused a write: disk full, read-only, or locked by another writer.

    Nothing was written; the message says what to do.
    """


class DiskFull(StorageFault):
    """No space left where the dossier lives."""


class ReadOnly(StorageFault):
    """The dossier is on read-only storage (or its files are not writable by this user)."""


class Locked(StorageFault):
    """Another program held the dossier's write lock for longer than Dossier waits."""


class Refused(DossierError):
    """The acting user may not do this (role, own annotation, workflow state); nothing changed."""


class Cancelled(DossierError):
    """The user cancelled long work (an import, export, set import); nothing was written."""


class Conflict(DossierError):
    """Someone changed the object after the version an edit was based on; nothing changed.

    The message names who changed it, when, and what it holds now.
    """


class ServerUnavailable(StorageFault):
    """A team dossier's server cannot be reached, refused the login, or has no such database."""

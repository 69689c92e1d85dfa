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


class Cancelled(DossierError):
    """The user cancelled long work (an import, export, set import); nothing was written."""

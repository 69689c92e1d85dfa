"""Team dossier passwords in the system keyring (via ``keyring``), never in settings files.

One entry per login and server: service :data:`SERVICE`, account ``USER@HOST:PORT/DATABASE``
(:func:`account_of`). Where the system has no usable keyring, reading gives nothing and storing
says why in one line, so the user can still type the password each time.
"""

from __future__ import annotations

import contextlib
from urllib.parse import quote, urlsplit, urlunsplit

import keyring
from keyring.errors import KeyringError, PasswordDeleteError

from app.errors import BadInput
from app.location import ServerAddress

#: The keyring service name of Dossier's team dossier passwords.
SERVICE = "Dossier team dossier"


def account_of(address: ServerAddress) -> str:
    """The keyring account of a login on a team dossier: ``USER@HOST:PORT/DATABASE``."""
    return f"{address.user}@{address.host}:{address.port}/{address.database}"


def stored_password(address: ServerAddress) -> str | None:
    """The password kept for this login, or None (none kept, or no keyring to ask)."""
    try:
        return keyring.get_password(SERVICE, account_of(address))
    except KeyringError:
        return None


def store_password(address: ServerAddress, password: str) -> None:
    """Keep the password in the system keyring; BadInput (one line) when it cannot be kept."""
    try:
        keyring.set_password(SERVICE, account_of(address), password)
    except KeyringError as exc:
        raise BadInput(f"the password could not be kept in the system keyring ({exc}); "
                       "it was used for now, and you will be asked for it next time") from None


def forget_password(address: ServerAddress) -> None:
    """Remove a kept password (nothing happens when none was kept)."""
    with contextlib.suppress(PasswordDeleteError, KeyringError):
        keyring.delete_password(SERVICE, account_of(address))


def normalise_address(text: str) -> str:
    """``postgresql://USER@HOST:PORT/DATABASE`` from what a user typed (``USER@HOST:PORT/DB``
    with or without the scheme); BadInput for text that names no team dossier."""
    value = text.strip()
    if not value:
        raise BadInput("type the team dossier's address: USER@HOST:PORT/DATABASE")
    if "://" not in value:
        value = "postgresql://" + value
    address = ServerAddress.parse(value)
    if urlsplit(value).password:
        raise BadInput("leave the password out of the address and type it in the password "
                       "field: it is kept in the system keyring, never written to settings")
    return address.display


def with_password(url: str, password: str) -> str:
    """``url`` with the password put in (for opening only: never stored or shown)."""
    parts = urlsplit(url)
    if not password:
        return url
    user = parts.username or ""
    host = parts.hostname or "localhost"
    netloc = f"{quote(user, safe='')}:{quote(password, safe='')}@{host}"
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))

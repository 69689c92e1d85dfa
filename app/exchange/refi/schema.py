"""Checking a project file against the REFI-QDA schema (QDA-XML 1.0) shipped in resources/refi."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

from app.errors import DossierError

SCHEMA_FILE = "project-1.0.xsd"


class InvalidProject(DossierError):
    """A project file Dossier wrote does not follow the schema (a bug: please report it)."""


@lru_cache(maxsize=1)
def project_schema() -> Any:
    """The compiled REFI-QDA project schema (loaded once, ~0.2 s)."""
    import xmlschema

    ref = resources.files("resources.refi").joinpath(SCHEMA_FILE)
    with resources.as_file(ref) as path:
        return xmlschema.XMLSchema(str(path))


def schema_errors(data: bytes, limit: int = 5) -> list[str]:
    """Up to ``limit`` schema violations of a project file ([] when it is valid)."""
    from defusedxml import ElementTree as SafeET

    root = SafeET.fromstring(data, forbid_dtd=True)
    errors = []
    for error in project_schema().iter_errors(root):
        errors.append(f"{error.path}: {error.reason}")
        if len(errors) >= limit:
            break
    return errors


def check_project(data: bytes) -> None:
    """Raise :class:`InvalidProject` when ``data`` is not a valid REFI-QDA project file."""
    errors = schema_errors(data, limit=1)
    if errors:
        raise InvalidProject(f"the REFI-QDA project Dossier wrote is not valid ({errors[0]}); "
                             "nothing was written — please report this")

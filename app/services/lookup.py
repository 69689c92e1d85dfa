"""Finding objects by the id prefixes users type."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import Ambiguous, BadInput, NotFound

T = TypeVar("T")


def resolve_prefix(session: Session, model: type[T], spec: str, label: str) -> T:
    """The one ``model`` row whose id starts with ``spec``; NotFound or Ambiguous otherwise."""
    spec = spec.strip().lower()
    if not spec:
        raise BadInput(f"empty {label} id")
    column: Any = model.id  # type: ignore[attr-defined]
    found = session.get(model, spec)
    if found is not None:
        return found
    if session.get_bind().dialect.name == "postgresql":
        # compare code points as SQLite does, whatever the server's collation
        column = column.collate("C")
    rows = session.scalars(
        select(model).where(column >= spec, column < spec + "\uffff").limit(2)
    ).all()
    if not rows:
        raise NotFound(f"no {label} with id {spec!r}; list them with 'dossier {label}s'")
    if len(rows) > 1:
        raise Ambiguous(f"{label} id {spec!r} is ambiguous; type more of it")
    return rows[0]

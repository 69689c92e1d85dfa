"""Alembic environment: migrations run on the connection that :mod:`db.migrate` passes in."""

from __future__ import annotations

from alembic import context

from db.models import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - Dossier always passes a connection
    raise RuntimeError("run migrations through db.migrate.upgrade()")

context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()

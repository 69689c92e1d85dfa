"""Originals in the database: a content-addressed, deduplicated table (team dossiers).

A team dossier (PostgreSQL) keeps every imported file's bytes here, keyed by SHA-256, so one
database backup holds the whole record; a dossier folder (SQLite) keeps them in ``originals/``
as before and leaves this table empty (see :mod:`app.originals`).

Revision ID: 0009
Revises: 0004
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "originals",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("stored_at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("sha256"),
    )
    if op.get_bind().dialect.name == "postgresql":
        # PDFs and images are compressed already: store them out of line without compressing
        op.execute("ALTER TABLE originals ALTER COLUMN data SET STORAGE EXTERNAL")


def downgrade() -> None:
    op.drop_table("originals")

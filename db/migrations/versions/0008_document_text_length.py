"""Documents keep the length of their text: ``documents.text_length``.

Revision ID: 0008
Revises: 0006 (branch ``ops`` was given down_revision 0002; it follows 0006, which it merged)
Create Date: 2026-11-30

Listings show a document's length without reading its text (a dossier's texts run to hundreds
of megabytes). A plain nullable column added in place and filled from the texts once; the text
itself is unchanged, so no audited state changes.
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE documents ADD COLUMN text_length INTEGER")
    op.execute("UPDATE documents SET text_length = length(text)")


def downgrade() -> None:
    with op.batch_alter_table("documents", recreate="never") as batch:
        batch.drop_column("text_length")

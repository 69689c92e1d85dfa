"""Search entries know where their text starts: ``search_refs.start``.

Revision ID: 0007
Revises: 0008 (branch ``workspace`` was given down_revision 0002; it follows 0008, which it
merged from ``ops``)
Create Date: 2026-11-30

Long texts are indexed in passages of a few thousand characters (snippets stay quick and a hit
opens at its passage); each entry records the code-point offset where its passage starts in the
document text. A plain nullable column added in place; older entries keep NULL (the page or the
document's start is used for them).
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE search_refs ADD COLUMN start INTEGER")


def downgrade() -> None:
    with op.batch_alter_table("search_refs", recreate="never") as batch:
        batch.drop_column("start")

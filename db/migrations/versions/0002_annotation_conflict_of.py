"""Annotations imported as conflicts: ``annotations.conflict_of``.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28

A plain nullable column added in place (``ALTER TABLE ... ADD COLUMN``): no table rebuild, so the
annotations' tags and reviews are never touched (a rebuild with foreign keys on would cascade).
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE annotations ADD COLUMN conflict_of VARCHAR(36)")
    op.create_index(op.f("ix_annotations_conflict_of"), "annotations", ["conflict_of"],
                    unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_annotations_conflict_of"), table_name="annotations")
    with op.batch_alter_table("annotations", recreate="never") as batch:
        batch.drop_column("conflict_of")

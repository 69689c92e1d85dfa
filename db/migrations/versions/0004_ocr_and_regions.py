"""OCR provenance on pages, and region annotations.

Revision ID: 0004
Revises: 0005 (given 0002; relinked after main's 0006, 0008, 0007 and 0005)
Create Date: 2026-11-30

Additive columns only (``ALTER TABLE ... ADD COLUMN``), no table rebuild:

* ``pages.ocr``: JSON - engine, version, language, resolution - for a page whose text came from
  OCR, else NULL;
* ``pages.confidence``: zlib-compressed bytes, one per code point of the page text, the
  confidence (0-100) of the recognised word it belongs to (255: synthetic), else NULL;
* ``annotations.region``: JSON ``{"page": n, "x": .., "y": .., "w": .., "h": ..}`` in page points
  (top-left origin, displayed page) for a region annotation, else NULL.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("pages", sa.Column("ocr", sa.Text(), nullable=True))
    op.add_column("pages", sa.Column("confidence", sa.LargeBinary(), nullable=True))
    op.add_column("annotations", sa.Column("region", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("annotations", recreate="never") as batch:
        batch.drop_column("region")
    with op.batch_alter_table("pages", recreate="never") as batch:
        batch.drop_column("confidence")
        batch.drop_column("ocr")

"""Review and audit: user roles, comments on annotations, corroboration claims.

Revision ID: 0003
Revises: 0007
Create Date: 2026-11-30

Additive only: ``users.role`` is added in place (``ADD COLUMN``); existing users become
annotators and the dossier's creator (the actor of its first audit event) its administrator.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from db.cursor import portable

revision = "0003"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE users ADD COLUMN role VARCHAR(16) NOT NULL DEFAULT 'annotator'")
    cur = portable(op.get_bind().connection.cursor())
    cur.execute(
        "UPDATE users SET role = 'administrator' WHERE name = "
        "(SELECT actor FROM audit_events WHERE actor != 'dossier' ORDER BY seq LIMIT 1)"
    )
    promoted = cur.rowcount
    op.create_table(
        "comments",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("annotation_id", sa.String(length=36), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["annotation_id"], ["annotations.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_comments_annotation_id", "comments", ["annotation_id"])
    op.create_table(
        "claims",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("created", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "claim_links",
        sa.Column("claim_id", sa.String(length=36), nullable=False),
        sa.Column("annotation_id", sa.String(length=36), nullable=False),
        sa.Column("role", sa.String(length=12), nullable=False),
        sa.ForeignKeyConstraint(["claim_id"], ["claims.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["annotation_id"], ["annotations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("claim_id", "annotation_id"),
    )
    op.create_index("ix_claim_links_annotation_id", "claim_links", ["annotation_id"])
    if promoted:
        # a user row changed without an event: record every row's state (see app.state)
        from app.state import record_baseline

        record_baseline(cur, "schema upgrade 0003: the dossier's creator is its administrator")


def downgrade() -> None:
    op.drop_index("ix_claim_links_annotation_id", table_name="claim_links")
    op.drop_table("claim_links")
    op.drop_table("claims")
    op.drop_index("ix_comments_annotation_id", table_name="comments")
    op.drop_table("comments")
    with op.batch_alter_table("users", recreate="never") as batch:
        batch.drop_column("role")

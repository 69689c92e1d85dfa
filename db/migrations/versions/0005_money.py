"""Money flows: entities, aliases, mentions, facts and their sources, screening matches.

Revision ID: 0005
Revises: 0002
Create Date: 2026-11-30

New tables only; nothing existing is touched.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "entities",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("schema", sa.String(32), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("name_key", sa.Text(), nullable=False),
        sa.Column("country", sa.String(64), nullable=False, server_default=""),
        sa.Column("properties_json", sa.Text(), nullable=False, server_default="{}"),
        sa.Column("merged_into", sa.String(36),
                  sa.ForeignKey("entities.id", ondelete="RESTRICT"), nullable=True),
        sa.Column("created", sa.String(32), nullable=False),
        sa.Column("created_by", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
    )
    op.create_index("ix_entities_name_key", "entities", ["name_key"])
    op.create_index("ix_entities_merged_into", "entities", ["merged_into"])
    op.create_table(
        "entity_aliases",
        sa.Column("entity_id", sa.String(36), sa.ForeignKey("entities.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("alias", sa.Text(), primary_key=True),
        sa.Column("alias_key", sa.Text(), nullable=False),
    )
    op.create_index("ix_entity_aliases_alias_key", "entity_aliases", ["alias_key"])
    op.create_table(
        "mentions",
        sa.Column("entity_id", sa.String(36), sa.ForeignKey("entities.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("annotation_id", sa.String(36), primary_key=True),
    )
    op.create_index("ix_mentions_annotation_id", "mentions", ["annotation_id"])
    op.create_table(
        "facts",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("schema", sa.String(32), nullable=False),
        sa.Column("subject_id", sa.String(36), sa.ForeignKey("entities.id"), nullable=False),
        sa.Column("object_id", sa.String(36), sa.ForeignKey("entities.id"), nullable=False),
        sa.Column("amount_text", sa.Text(), nullable=False, server_default=""),
        sa.Column("amount", sa.Float(), nullable=True),
        sa.Column("amount_min", sa.Float(), nullable=True),
        sa.Column("amount_max", sa.Float(), nullable=True),
        sa.Column("currency", sa.String(3), nullable=False, server_default=""),
        sa.Column("date_text", sa.Text(), nullable=False, server_default=""),
        sa.Column("date_start", sa.String(10), nullable=False, server_default=""),
        sa.Column("date_end", sa.String(10), nullable=False, server_default=""),
        sa.Column("fields_json", sa.Text(), nullable=False, server_default="{}"),
        sa.Column("created", sa.String(32), nullable=False),
        sa.Column("author_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
    )
    op.create_index("ix_facts_kind", "facts", ["kind"])
    # Covers the flow totals (GROUP BY kind, payer, payee, currency) without touching the rows.
    op.create_index("ix_facts_flow", "facts", ["kind", "subject_id", "object_id", "currency",
                                               "amount", "amount_min", "amount_max",
                                               "date_start", "date_end"])
    op.create_index("ix_facts_subject_id", "facts", ["subject_id"])
    op.create_index("ix_facts_object_id", "facts", ["object_id"])
    op.create_table(
        "fact_sources",
        sa.Column("fact_id", sa.String(36), sa.ForeignKey("facts.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("annotation_id", sa.String(36), primary_key=True),
        sa.Column("document_id", sa.String(36), nullable=False, server_default=""),
        sa.Column("document_sha256", sa.String(64), nullable=False, server_default=""),
        sa.Column("document_title", sa.Text(), nullable=False, server_default=""),
        sa.Column("quote", sa.Text(), nullable=False, server_default=""),
    )
    op.create_index("ix_fact_sources_annotation_id", "fact_sources", ["annotation_id"])
    op.create_table(
        "screening_matches",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("entity_id", sa.String(36), sa.ForeignKey("entities.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("list_name", sa.Text(), nullable=False),
        sa.Column("list_sha256", sa.String(64), nullable=False),
        sa.Column("listed_id", sa.Text(), nullable=False),
        sa.Column("listed_name", sa.Text(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("listing_json", sa.Text(), nullable=False, server_default="{}"),
        sa.Column("status", sa.String(12), nullable=False, server_default="pending"),
        sa.Column("reason", sa.Text(), nullable=False, server_default=""),
        sa.Column("decided_by", sa.String(200), nullable=False, server_default=""),
        sa.Column("decided_at", sa.String(32), nullable=False, server_default=""),
        sa.Column("created", sa.String(32), nullable=False),
    )
    op.create_index("ix_screening_matches_entity_id", "screening_matches", ["entity_id"])
    op.create_index("ix_screening_matches_status", "screening_matches", ["status"])


def downgrade() -> None:
    for table in ("screening_matches", "fact_sources", "facts", "mentions", "entity_aliases",
                  "entities"):
        op.drop_table(table)

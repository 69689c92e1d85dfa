"""Audit events record the state of the rows they changed (``audit_events.state``); imported
annotations record where they came from (``annotations.provenance``).

Revision ID: 0006
Revises: 0002
Create Date: 2026-11-30

A nullable column added in place. A dossier that already holds data gets one ``state.baseline``
event recording the state of every current row of every audited table (see app.state), so that
``verify`` can compare the data with the chain from here on; events written before keep no state
and hash exactly as before.
"""

from __future__ import annotations

from alembic import op

from db.cursor import portable

revision = "0006"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE audit_events ADD COLUMN state TEXT")
    # Where an annotation that arrived in a set came from (JSON; NULL for local ones).
    op.execute("ALTER TABLE annotations ADD COLUMN provenance TEXT")
    from app.state import record_baseline

    record_baseline(portable(op.get_bind().connection.cursor()), "schema upgrade 0006")


def downgrade() -> None:
    with op.batch_alter_table("annotations", recreate="never") as batch:
        batch.drop_column("provenance")
    with op.batch_alter_table("audit_events", recreate="never") as batch:
        batch.drop_column("state")

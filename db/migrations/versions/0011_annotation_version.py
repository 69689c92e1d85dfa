"""Working together live: an annotation ``version`` for optimistic concurrency, and (on
PostgreSQL) a notification when audit events are committed.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30

* ``annotations.version``: an integer, 1 for every existing row, raised by one on each change of
  the row (the ORM's version counter, ``db.models.Annotation``). An edit states the version it
  was based on and is refused when the row has moved on since. A concurrency counter, not part of
  the record: the row-state hashes leave it out (``app/state.py``), so no audited state changes.
* PostgreSQL only: a statement-level trigger on ``audit_events`` that calls ``pg_notify`` on the
  channel ``dossier_changes`` with the range of sequence numbers the statement appended and the
  writer's origin (``dossier.origin``, set per connection by ``db.notify``). Notifications are
  delivered at commit, never for a rolled-back transaction; listeners read the events themselves
  (``app.live``), so a notification carries no data a listener could not read anyway.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_FUNCTION = """
CREATE OR REPLACE FUNCTION dossier_notify_changes() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    first_seq bigint;
    last_seq bigint;
BEGIN
    SELECT min(seq), max(seq) INTO first_seq, last_seq FROM appended;
    IF last_seq IS NOT NULL THEN
        PERFORM pg_notify('dossier_changes', json_build_object(
            'first', first_seq, 'last', last_seq,
            'origin', current_setting('dossier.origin', true))::text);
    END IF;
    RETURN NULL;
END
$$
"""

_TRIGGER = """
CREATE TRIGGER audit_events_notify AFTER INSERT ON audit_events
REFERENCING NEW TABLE AS appended
FOR EACH STATEMENT EXECUTE FUNCTION dossier_notify_changes()
"""


def upgrade() -> None:
    op.add_column("annotations", sa.Column("version", sa.Integer(), nullable=False,
                                           server_default="1"))
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_FUNCTION)
        op.execute(_TRIGGER)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_events_notify ON audit_events")
        op.execute("DROP FUNCTION IF EXISTS dossier_notify_changes()")
    with op.batch_alter_table("annotations", recreate="never") as batch:
        batch.drop_column("version")

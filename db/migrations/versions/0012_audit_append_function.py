"""PostgreSQL: append one audit event in one server-side step; a guard for kept writes.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30

``dossier_audit_append(actor, action, object_type, object_id, payload, state, at, head, tail)``
takes the dossier's writer slot (the advisory lock every writer holds until its transaction
ends), reads the chain's head row ``FOR UPDATE``, numbers the event after it, hashes it, inserts
it and moves the head, and returns ``"seq:hash"``. The client sends the event's canonical JSON
(``app.audit.canonical_json``) cut around the one value it cannot know, the sequence number:
``head`` is everything up to ``"seq":`` and ``tail`` everything after the number, so the hash is
SHA-256 of ``prev_hash || head || seq || tail`` (UTF-8), exactly :func:`app.audit.event_hash`.

Why: the lean write paths (``app.audit.append_late``) send this call together with the
transaction's ``COMMIT`` in one message, so the slot is held only while the server appends and
commits, never across a round trip to a client that must first be scheduled again (on a busy
machine that wait, not the work, was most of the time the slot was held).

The function runs with the caller's rights (SECURITY INVOKER): a team dossier's privileges,
row-level security and triggers apply to its statements as to the client's own. SQLite: nothing
(its writers are serialised by ``BEGIN IMMEDIATE`` and append from the client).
"""

from __future__ import annotations

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

#: db.cursor.WRITER_LOCK_KEY ("Doss"); a migration keeps its own copy of the constant.
_WRITER_LOCK_KEY = 0x446F7373

_FUNCTION = f"""
CREATE OR REPLACE FUNCTION dossier_audit_append(
    p_actor text, p_action text, p_object_type text, p_object_id text, p_payload text,
    p_state text, p_at text, p_head text, p_tail text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    last_value text;
    next_seq bigint := 1;
    prev text := repeat('0', 64);
    digest text;
BEGIN
    PERFORM pg_advisory_xact_lock({_WRITER_LOCK_KEY});
    -- taken after the slot: a new snapshot, so the head left by the slot's last holder
    SELECT value INTO last_value FROM dossier_meta WHERE key = 'audit_head' FOR UPDATE;
    IF last_value IS NOT NULL THEN
        next_seq := split_part(last_value, ':', 1)::bigint + 1;
        prev := split_part(last_value, ':', 2);
    END IF;
    digest := encode(sha256(convert_to(prev || p_head || next_seq::text || p_tail, 'UTF8')),
                     'hex');
    INSERT INTO audit_events (seq, at, actor, action, object_type, object_id, payload,
                              prev_hash, hash, state)
    VALUES (next_seq, p_at, p_actor, p_action, p_object_type, p_object_id, p_payload, prev,
            digest, p_state);
    UPDATE dossier_meta SET value = next_seq::text || ':' || digest WHERE key = 'audit_head';
    IF NOT FOUND THEN  -- the chain's first event
        INSERT INTO dossier_meta (key, value) VALUES ('audit_head', next_seq::text || ':' || digest);
    END IF;
    RETURN next_seq::text || ':' || digest;
END
$$
"""


#: A kept write's guard (``app.services.lean_review``): raises SQLSTATE DS001 (no class of
#: PostgreSQL's own) when a statement did not find the rows it expected, e.g. an annotation
#: changed since its writer read it, so the whole message stops before it appends anything.
_EXPECT = """
CREATE OR REPLACE FUNCTION dossier_expect(counted bigint, wanted bigint, what text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF counted IS DISTINCT FROM wanted THEN
        RAISE EXCEPTION 'dossier: %', what USING ERRCODE = 'DS001';
    END IF;
END
$$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_FUNCTION)
        op.execute(_EXPECT)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS dossier_audit_append(text, text, text, text, text, "
                   "text, text, text, text)")
        op.execute("DROP FUNCTION IF EXISTS dossier_expect(bigint, bigint, text)")

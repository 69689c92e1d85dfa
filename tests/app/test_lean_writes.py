"""The lean write paths (new annotations, one submission, one decision): same rows, states and
events as the full services, and on a team dossier the writer slot is taken only at the audit
append while the chain stays one line."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import func, select

from app import audit, state
from app.dossier import Dossier
from app.errors import Conflict, Refused
from app.services import annotations, codebook, integrity, lean_review, roles, workflow
from db.cursor import WRITER_LOCK_KEY, LateCursor
from db.models import Annotation, AuditEvent, Review
from tests.helpers.documents import add_text_document
from tests.helpers.engines import raw_database
from tests.helpers.pg import PgServer
from tests.helpers.review import acting_as
from tests.helpers.team import make_team

TEXT = "Managers confiscated the workers' passports on arrival. Wages went to the state."


def _last_event(dossier: Dossier) -> AuditEvent:
    with dossier.read() as session:
        event = session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())
                                .limit(1)).one()
    return event


def _state_now(dossier: Dossier, *objects: tuple[str, str]) -> str | None:
    with dossier.read() as session:
        return state.state_string(audit.cursor(session), objects)


def test_new_annotation_records_the_state_verify_reads_back(any_dossier: Dossier) -> None:
    doc = add_text_document(any_dossier, TEXT)
    with any_dossier.read() as session:
        tag = codebook.resolve_tag(session, "Retention of identity documents").id
    view = annotations.create_annotation(any_dossier, doc.id, 9, 20, [tag, tag], note="n é",
                                         reliability="B", credibility=2)
    event = _last_event(any_dossier)
    assert (event.action, event.object_id) == ("annotation.create", view.id)
    # computed from the values written, it equals what is read back from the stored row
    assert event.state == _state_now(any_dossier, ("annotation", view.id))
    assert annotations.get_annotation(any_dossier, view.id) == view
    assert [t.id for t in view.tags] == [tag]
    assert integrity.verify(any_dossier).problems == []


def test_lean_decisions_move_the_version_and_a_stale_edit_is_refused(
        any_dossier: Dossier) -> None:
    roles.add_user(any_dossier, "rita", "reviewer")
    roles.add_user(any_dossier, "anna", "annotator")
    anna, rita = acting_as(any_dossier, "anna"), acting_as(any_dossier, "rita")
    doc = add_text_document(anna, TEXT)
    ann = annotations.create_annotation(anna, doc.id, 0, 8)
    assert workflow.submit(anna, [ann.id]) == [ann.id]
    assert _last_event(anna).state == _state_now(anna, ("annotation", ann.id))
    (review,) = workflow.decide(rita, [ann.id], "approve")
    event = _last_event(rita)
    assert (event.action, event.actor) == ("annotation.review", "rita")
    assert event.state == _state_now(rita, ("annotation", ann.id), ("review", review.id))
    after = annotations.get_annotation(rita, ann.id)
    assert (after.status, after.version) == ("approved", ann.version + 2)
    with pytest.raises(Conflict):  # based on the version before the two moves
        annotations.update_annotation(anna, ann.id, note="late", based_on=ann.version)
    # not the plain case: the full service words the refusal, nothing is written
    head = _last_event(rita).seq
    with pytest.raises(Refused, match="not submitted"):
        workflow.decide(rita, [ann.id], "approve")
    with pytest.raises(Refused, match="own"):
        workflow.decide(acting_as(any_dossier, "alice"), [
            annotations.create_annotation(any_dossier, doc.id, 0, 4).id], "approve")
    assert _last_event(rita).seq == head + 1  # only alice's new annotation
    assert integrity.verify(any_dossier).problems == []


def _waiting_for_writer_slot(cur: Any) -> bool:
    return bool(cur.execute(
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted "
        "AND objid = ?", (WRITER_LOCK_KEY,)).fetchone()[0])


def test_team_writer_takes_the_slot_only_at_the_append(team_dossier: Dossier) -> None:
    """While another transaction holds the writer slot, a new annotation's row and search
    entries are written and only its audit append waits; both then chain in one line."""
    doc = add_text_document(team_dossier, TEXT)
    other = acting_as(team_dossier, "alice")
    annotations.create_annotation(other, doc.id, 0, 4)  # the session knows its user now
    done: list[Any] = []
    with raw_database(team_dossier) as holder, raw_database(team_dossier) as watcher:
        holder.lock_writers()  # an ongoing write holds the slot
        thread = threading.Thread(target=lambda: done.append(
            annotations.create_annotation(other, doc.id, 9, 20, note="while held")))
        thread.start()
        watcher.raw.connection.autocommit = True
        for _ in range(2000):  # until the writer waits for the slot (no fixed sleep)
            if _waiting_for_writer_slot(watcher):
                break
            thread.join(0.01)
        assert _waiting_for_writer_slot(watcher)
        # by then its row is written (in its own, uncommitted transaction): it holds the
        # annotations table's write lock and the search index's
        held = {r[0] for r in watcher.execute(
            "SELECT c.relname FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
            "WHERE l.granted AND l.mode = 'RowExclusiveLock' AND l.pid <> pg_backend_pid() "
            "AND l.pid IN (SELECT pid FROM pg_locks WHERE locktype = 'advisory' "
            "AND NOT granted)").fetchall()}
        assert {"annotations", "search_passages"} <= held
        assert not done
        # the holder appends an event of its own meanwhile, then commits (leaving the block)
        audit.append(holder, "alice", "test.hold", "test", "x", "{}", None)
    thread.join(30)
    assert done and done[0].note == "while held"
    with team_dossier.read() as session:
        rows = session.execute(select(AuditEvent.seq, AuditEvent.prev_hash, AuditEvent.hash,
                                      AuditEvent.action).order_by(AuditEvent.seq)).all()
    assert [r.action for r in rows[-2:]] == ["test.hold", "annotation.create"]
    assert [r.seq for r in rows] == list(range(1, len(rows) + 1))
    assert all(b.prev_hash == a.hash for a, b in zip(rows, rows[1:], strict=False))
    with team_dossier.read() as session:
        assert audit.verify_chain(session)[0] is None


def test_team_writer_reconnects_when_its_kept_connection_was_dropped(
        team_dossier: Dossier) -> None:
    """The connection the lean path keeps between writes is replaced when the server dropped
    it: the next write still succeeds, once, and verifies."""
    doc = add_text_document(team_dossier, TEXT)
    annotations.create_annotation(team_dossier, doc.id, 0, 4)
    with raw_database(team_dossier) as cur:
        dropped = cur.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE pid <> "
            "pg_backend_pid() AND datname = current_database() AND application_name = "
            "'dossier'").fetchone()[0]
    assert dropped >= 1
    view = annotations.create_annotation(team_dossier, doc.id, 9, 20, note="after the drop")
    assert annotations.get_annotation(team_dossier, view.id).note == "after the drop"
    with team_dossier.read() as session:
        assert session.scalar(select(AuditEvent.object_id).order_by(
            AuditEvent.seq.desc()).limit(1)) == view.id
    assert integrity.verify(team_dossier).problems == []


def test_lean_paths_pass_the_servers_rules_as_real_logins(pg_server: PgServer,
                                                          pg_database: str) -> None:
    """On a dossier made with ``team init`` (privileges, row-level security, review triggers)
    an annotator login's new annotation and submission and a reviewer login's decision take
    the lean paths (none falls back to the full service), the server keeps what they wrote and
    the chain verifies; an annotator's decision is still refused."""
    team = make_team(pg_server, pg_database)
    try:
        anna, rita = team.add("anna", "annotator"), team.add("rita", "reviewer")
        with team.open() as chief:
            doc = add_text_document(chief, TEXT)
        with team.open(anna) as writer, team.open(rita) as reviewer:
            first = annotations.create_annotation(writer, doc.id, 0, 8)  # resolves the user
            workflow.submit(writer, [first.id])
            workflow.decide(reviewer, [first.id], "approve")  # resolves the reviewer
            ann = annotations.create_annotation(writer, doc.id, 9, 20, note="lean")
            assert _last_event(writer).actor == anna
            assert lean_review.submit_one(writer, ann.id)
            done = lean_review.decide_one(reviewer, ann.id, "approved", "")
            assert done is not None and done[1] == rita
            again = annotations.create_annotation(writer, doc.id, 21, 30)
            assert lean_review.submit_one(writer, again.id)
            assert lean_review.decide_one(writer, again.id, "approved", "") is None
            with pytest.raises(Refused):
                workflow.decide(writer, [again.id], "approve")
        code, out = team.psql(f"SELECT status FROM annotations WHERE id = '{ann.id}'")
        assert code == 0 and "approved" in out, out
        with team.open() as chief:
            assert integrity.verify(chief).problems == []
    finally:
        team.drop()


AWKWARD = 'a "quote" \\ back\nslash\ttab \x01\x1f\x7f é 北 عربي \u2028 😀'


@pytest.mark.parametrize("state_text", [None, 'annotation:x=1\nreview:"y"=2'])
def test_server_append_hashes_as_the_client_does(any_dossier: Dossier,
                                                 state_text: str | None) -> None:
    """The append a team dossier's server makes (migration 0012) hashes every character the
    way :func:`app.audit.event_hash` does, with and without a state; SQLite appends from the
    client. Either way the event's stored hash is the one recomputed from its columns."""
    add_text_document(any_dossier, TEXT)  # the chain has a head
    body = audit.canonical_json({"note": AWKWARD, "n": 1})
    with raw_database(any_dossier) as cur:
        audit.append_late(cur, "ana " + AWKWARD, "test." + AWKWARD, "test", AWKWARD, body,
                          state_text)
    event = _last_event(any_dossier)
    assert (event.actor, event.object_id, event.payload, event.state) == (
        "ana " + AWKWARD, AWKWARD, body, state_text)
    with any_dossier.read() as session:
        prev = session.scalar(select(AuditEvent.hash).where(AuditEvent.seq == event.seq - 1))
        assert audit.verify_chain(session)[0] is None
    assert event.prev_hash == prev
    assert event.hash == audit.event_hash(prev, event.seq, event.at, event.actor, event.action,
                                          event.object_type, event.object_id, event.payload,
                                          event.state)


def test_a_refused_append_sent_with_the_commit_leaves_nothing(team_dossier: Dossier) -> None:
    """On a team dossier the new annotation's audit append goes to the server with the COMMIT;
    when the server refuses the append, the annotation's row is not stored either."""
    doc = add_text_document(team_dossier, TEXT)
    annotations.create_annotation(team_dossier, doc.id, 0, 4)  # the session knows its user
    with raw_database(team_dossier) as cur:
        cur.execute("CREATE FUNCTION refuse_test() RETURNS trigger LANGUAGE plpgsql AS $$ "
                    "BEGIN IF NEW.action = 'annotation.create' THEN RAISE EXCEPTION "
                    "'refused by test'; END IF; RETURN NEW; END $$")
        cur.execute("CREATE TRIGGER refuse_test BEFORE INSERT ON audit_events FOR EACH ROW "
                    "EXECUTE FUNCTION refuse_test()")
    with team_dossier.read() as session:
        before = session.scalar(select(func.count()).select_from(Annotation))
    with pytest.raises(Exception, match="refused by test"):
        annotations.create_annotation(team_dossier, doc.id, 9, 20, note="never stored")
    with team_dossier.read() as session:
        assert session.scalar(select(func.count()).select_from(Annotation)) == before
    with raw_database(team_dossier) as cur:
        cur.execute("DROP TRIGGER refuse_test ON audit_events")
    # the kept connection is usable again at once
    view = annotations.create_annotation(team_dossier, doc.id, 9, 20, note="stored")
    assert annotations.get_annotation(team_dossier, view.id).note == "stored"
    assert integrity.verify(team_dossier).problems == []


def test_a_connection_lost_while_committing_is_resolved_not_guessed(
        team_dossier: Dossier) -> None:
    """The server ends the writer's session while it commits a new annotation (its backend
    terminates itself in a check that runs at COMMIT, once): the write asks the server whether
    the annotation's event was committed, finds it was not, and writes it again on a new
    connection, so the user sees one annotation and no error."""
    doc = add_text_document(team_dossier, TEXT)
    annotations.create_annotation(team_dossier, doc.id, 0, 4)  # the session knows its user
    with raw_database(team_dossier) as cur:
        cur.execute("CREATE SEQUENCE lost_once")
        cur.execute("CREATE FUNCTION lose_once() RETURNS trigger LANGUAGE plpgsql AS $$ "
                    "BEGIN IF nextval('lost_once') = 1 THEN "
                    "PERFORM pg_terminate_backend(pg_backend_pid()); END IF; RETURN NULL; END $$")
        cur.execute("CREATE CONSTRAINT TRIGGER lose_once AFTER INSERT ON audit_events "
                    "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION lose_once()")
    try:
        view = annotations.create_annotation(team_dossier, doc.id, 9, 20, note="once")
    finally:
        with raw_database(team_dossier) as cur:
            fired = cur.execute("SELECT last_value FROM lost_once").fetchone()[0]
            cur.execute("DROP TRIGGER lose_once ON audit_events")
    assert fired == 2  # the first commit was lost, the second went through
    with team_dossier.read() as session:
        notes = session.scalars(select(Annotation.note).where(
            Annotation.document_id == doc.id, Annotation.note == "once")).all()
        events = session.scalars(select(AuditEvent.object_id).where(
            AuditEvent.object_id == view.id)).all()
    assert (notes, events) == (["once"], [view.id])
    assert integrity.verify(team_dossier).problems == []


def test_a_decision_on_a_row_changed_meanwhile_records_the_state_it_finds(
        team_dossier: Dossier, monkeypatch: pytest.MonkeyPatch) -> None:
    """Between the lean decision's read and its one message, someone links a tag to the
    annotation (a change that leaves its version alone): the message's guard finds the row
    changed and writes nothing, and the full service records the decision with the state the
    row really has, so the chain never records a state the row did not have."""
    roles.add_user(team_dossier, "rita", "reviewer")
    anna, rita = acting_as(team_dossier, "anna"), acting_as(team_dossier, "rita")
    doc = add_text_document(anna, TEXT)
    first, ann = (annotations.create_annotation(anna, doc.id, s, s + 8) for s in (0, 9))
    workflow.submit(anna, [first.id, ann.id])
    workflow.decide(rita, [first.id], "approve")  # rita's session knows her user now
    with team_dossier.read() as session:
        tag = codebook.resolve_tag(session, "Retention of identity documents").id
    sent = LateCursor.commit
    changed: list[bool] = []

    def change_then_send(cur: LateCursor) -> None:
        if not changed:  # once: another writer's change lands meanwhile
            changed.append(True)
            with raw_database(team_dossier) as other:
                other.execute("INSERT INTO annotation_tags (annotation_id, tag_id) VALUES (?, ?)",
                              (ann.id, tag))
        sent(cur)

    monkeypatch.setattr(LateCursor, "commit", change_then_send)
    (review,) = workflow.decide(rita, [ann.id], "approve")
    assert changed
    event = _last_event(rita)
    assert (event.action, event.actor) == ("annotation.review", "rita")
    # the state recorded is the row's own, the tag linked meanwhile included
    assert event.state == _state_now(rita, ("annotation", ann.id), ("review", review.id))
    assert [t.id for t in annotations.get_annotation(rita, ann.id).tags] == [tag]
    with team_dossier.read() as session:
        assert session.scalar(select(func.count()).select_from(Review).where(
            Review.annotation_id == ann.id)) == 1

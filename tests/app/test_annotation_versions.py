"""Optimistic concurrency: every annotation edit states the version it was based on, and an edit
of a version someone changed since is refused with the newer version shown, never written."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.dossier import Dossier
from app.services import annotations, codebook, integrity, workflow
from app.services.annotations import EditConflict
from db.models import AuditEvent
from tests.helpers.cli import run_cli
from tests.helpers.documents import add_text_document
from tests.helpers.engines import execute
from tests.helpers.review import ensure_user


@pytest.fixture
def dossier(any_dossier: Dossier) -> Dossier:
    """Every test here runs on a folder dossier and on a team dossier (PostgreSQL)."""
    return any_dossier


TEXT = "The recruiter kept the workers' passports and promised wages that never came."


def _tag(dossier: Dossier, spec: str) -> str:
    with dossier.read() as session:
        return codebook.resolve_tag(session, spec).id


def _events(dossier: Dossier) -> int:
    with dossier.read() as session:
        return int(session.scalar(select(func.count()).select_from(AuditEvent)) or 0)


def test_each_change_raises_the_version(dossier: Dossier) -> None:
    doc = add_text_document(dossier, TEXT)
    ann = annotations.create_annotation(dossier, doc.id, 4, 13, [_tag(dossier, "Deception")])
    assert ann.version == 1
    assert annotations.get_annotation(dossier, ann.id).to_json()["version"] == 1
    noted = annotations.update_annotation(dossier, ann.id, note="first", based_on=1)
    assert noted.version == 2
    tagged = annotations.set_tags(dossier, ann.id, [], based_on=2)
    assert tagged.version == 3
    workflow.submit(dossier, [ann.id])  # any change of the row counts, not only edits
    assert annotations.get_annotation(dossier, ann.id).version == 4
    assert [v.version for v in annotations.list_annotations(dossier, document_id=doc.id)] == [4]


def test_an_edit_of_an_older_version_is_refused_and_shows_the_newer(dossier: Dossier) -> None:
    doc = add_text_document(dossier, TEXT)
    ann = annotations.create_annotation(dossier, doc.id, 4, 13, note="seen by both")
    bob = ensure_user(dossier, "bob", "administrator")
    annotations.update_annotation(bob, ann.id, note="Bob's reading: a debt-bondage case",
                                  based_on=ann.version)
    events = _events(dossier)
    with pytest.raises(EditConflict) as caught:
        annotations.update_annotation(dossier, ann.id, note="alice's overwrite",
                                      based_on=ann.version)
    message = str(caught.value)
    assert "changed by bob at 20" in message and " UTC " in message
    assert "version 1" in message and "version 2" in message
    assert "Bob's reading: a debt-bondage case" in message
    assert caught.value.current.note == "Bob's reading: a debt-bondage case"
    assert caught.value.changed_by == "bob"
    stored = annotations.get_annotation(dossier, ann.id)
    assert (stored.note, stored.version) == ("Bob's reading: a debt-bondage case", 2)
    assert _events(dossier) == events  # nothing written, not even an audit event
    with pytest.raises(EditConflict):
        annotations.set_tags(dossier, ann.id, [_tag(dossier, "Deception")], based_on=1)
    with pytest.raises(EditConflict):
        annotations.delete_annotation(dossier, ann.id, based_on=1)
    assert annotations.get_annotation(dossier, ann.id).tags == ()
    # based on what is there now, the edit goes through
    assert annotations.update_annotation(dossier, ann.id, note="agreed", based_on=2).version == 3


def test_the_version_is_deliberately_left_out_of_the_row_states(dossier: Dossier) -> None:
    doc = add_text_document(dossier, TEXT)
    ann = annotations.create_annotation(dossier, doc.id, 4, 13)
    annotations.update_annotation(dossier, ann.id, note="changed", based_on=1)
    snapshot = annotations.delete_annotation(dossier, ann.id, based_on=2)
    assert snapshot["version"] == 2
    restored = annotations.restore_annotation(dossier, snapshot)
    assert restored.version == 2  # the same content, the same version: no stale edit slips in
    assert integrity.verify(dossier).problems == []
    # a counter, not the record: moving it does not make the data disagree with the chain
    execute(dossier, "UPDATE annotations SET version = 40 WHERE id = ?", params=(ann.id,))
    assert integrity.verify(dossier).problems == []


def test_the_cli_edits_what_it_read_and_refuses_an_older_version(
        any_dossier_path: Path | str) -> None:
    dossier_path = any_dossier_path
    dossier = Dossier.open(dossier_path, user="alice")
    doc = add_text_document(dossier, TEXT)
    ann = annotations.create_annotation(dossier, doc.id, 4, 13)
    annotations.update_annotation(dossier, ann.id, note="the newer note", based_on=1)
    dossier.close()
    refused = run_cli(dossier_path, "edit", ann.id[:8], "--note", "stale", "--based-on", "1")
    assert refused.returncode == 2
    assert "version 1" in refused.stderr and "the newer note" in refused.stderr
    assert "Traceback" not in refused.stderr
    done = run_cli(dossier_path, "edit", ann.id[:8], "--note", "fresh", check=True)
    assert done.returncode == 0
    reopened = Dossier.open(dossier_path, user="alice")
    assert annotations.get_annotation(reopened, ann.id).note == "fresh"
    reopened.close()

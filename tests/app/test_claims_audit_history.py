"""Claims with independent sources, comments, the audit log in words, annotation history."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from app.dossier import Dossier
from app.errors import BadInput
from app.services import (
    annotations,
    audit_log,
    claims,
    codebook,
    comments,
    history,
    roles,
    workflow,
)
from app.services.integrity import verify
from tests.helpers.documents import add_text_document
from tests.helpers.review import acting_as

WIRE = ("Workers at the garment factory said their passports were confiscated on arrival and "
        "kept in the manager's office for the whole of their three-year contracts.")
OTHER = ("A court fined a recruitment agency for charging migrant workers illegal fees and "
         "ordered it to repay the money within ninety days or lose its licence.")


@pytest.fixture
def dossier(any_dossier: Dossier) -> Dossier:
    """The tests that take ``dossier`` run on both engines (SQLite folder, PostgreSQL)."""
    return any_dossier


def _tag(dossier: Dossier, name: str) -> str:
    with dossier.read() as session:
        return codebook.resolve_tag(session, name).id


def test_claim_counts_independent_sources_and_flags_single_source(dossier: Dossier) -> None:
    wire = add_text_document(dossier, WIRE, "Agency")
    copy = add_text_document(dossier, "Reprinted. " + WIRE, "Reprint")
    court = add_text_document(dossier, OTHER, "Court")
    a, b, c = (annotations.create_annotation(dossier, d.id, 0, 10).id
               for d in (wire, copy, court))
    single = claims.add_claim(dossier, "Passports were confiscated", [a, b])
    assert (single.support_sources, single.single_source) == (1, True)  # one wire story
    two = claims.add_claim(dossier, "  Workers were  abused ", [a[:8], c], contradict=[b])
    assert (two.statement, two.support_sources, two.contradict_sources) == (
        "Workers were abused", 2, 1)
    assert not two.single_source
    assert [c.id for c in claims.list_claims(dossier)] == [single.id, two.id]
    with pytest.raises(BadInput, match="both support and contradict"):
        claims.add_claim(dossier, "x", [a], contradict=[a])
    with pytest.raises(BadInput, match="at least one supporting"):
        claims.add_claim(dossier, "x", [])
    assert "5-gram" in two.to_json()["overlap_measure"]
    annotations.delete_annotation(dossier, c)  # its link goes; the chain records the claim
    assert claims.list_claims(dossier)[1].support_sources == 1
    assert verify(dossier).ok, verify(dossier).problems


def test_comments_are_threaded_and_audited(dossier: Dossier) -> None:
    doc = add_text_document(dossier, WIRE)
    ann = annotations.create_annotation(dossier, doc.id, 0, 7).id
    roles.add_user(dossier, "rita", "reviewer")
    comments.add_comment(dossier, ann, "Which outlet first ran this?")
    comments.add_comment(acting_as(dossier, "rita"), ann[:8], "AP, on 3 May.")
    thread = comments.list_comments(dossier, ann)
    assert [(c.author, c.text) for c in thread] == [
        ("alice", "Which outlet first ran this?"), ("rita", "AP, on 3 May.")]
    with pytest.raises(BadInput, match="empty"):
        comments.add_comment(dossier, ann, "   ")
    entries = audit_log.list_events(dossier, action="comment")
    assert [e.words for e in entries] == [
        "alice commented on 'Workers': Which outlet first ran this?",
        "rita commented on 'Workers': AP, on 3 May."]
    assert verify(dossier).ok


def test_audit_log_in_words_filters_and_exports(dossier: Dossier, tmp_path: Path) -> None:
    roles.add_user(dossier, "rita", "reviewer")
    doc = add_text_document(dossier, WIRE, "Factory story")
    other = add_text_document(dossier, OTHER, "Court story")
    start = WIRE.index("passports were confiscated")
    ann = annotations.create_annotation(dossier, doc.id, start, start + 26,
                                        [_tag(dossier, "Retention of identity documents")])
    annotations.create_annotation(dossier, other.id, 0, 7)
    workflow.submit(dossier, [ann.id])
    workflow.decide(acting_as(dossier, "rita"), [ann.id], "reject", "wrong tag")
    words = [e.words for e in audit_log.list_events(dossier, document_id=doc.id)]
    assert words == [
        "alice imported the document 'Factory story'",
        "alice tagged 'passports were confiscated' as Abuses/Retention of identity documents",
        "alice submitted 'passports were confiscated' for review",
        "rita rejected 'passports were confiscated': wrong tag"]
    assert [e.actor for e in audit_log.list_events(dossier, user="rita")] == ["rita"]
    assert "alice added rita as reviewer" in [e.words for e in audit_log.list_events(
        dossier, action="user.create")]
    everything = audit_log.list_events(dossier)
    assert [e.seq for e in everything] == sorted(e.seq for e in everything)
    later = audit_log.list_events(dossier, since=everything[-2].at)
    assert later and all(e.at >= everything[-2].at for e in later)
    assert audit_log.list_events(dossier, since="9999") == []
    audit_log.write_csv(everything, tmp_path / "log.csv")
    audit_log.write_json(everything, tmp_path / "log.json")
    with (tmp_path / "log.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["words"] for r in rows] == [e.words for e in everything]
    data = json.loads((tmp_path / "log.json").read_text(encoding="utf-8"))
    assert [d["hash"] for d in data] == [e.hash for e in everything]


def test_history_shows_every_version_with_who_and_when(dossier: Dossier) -> None:
    roles.add_user(dossier, "rita", "reviewer")
    rita = acting_as(dossier, "rita")
    doc = add_text_document(dossier, WIRE)
    ann = annotations.create_annotation(dossier, doc.id, 0, 7, note="first").id
    workflow.submit(dossier, [ann])
    workflow.decide(rita, [ann], "request_changes", "quote the whole sentence")
    annotations.update_annotation(dossier, ann, start=0, end=20)
    workflow.submit(dossier, [ann])
    workflow.decide(rita, [ann], "approve")
    ann_id, versions = history.annotation_history(dossier, ann[:8])
    assert ann_id == ann
    assert [(v.actor, v.action, v.state["status"], v.state["quote"], v.reason)
            for v in versions] == [
        ("alice", "annotation.create", "draft", WIRE[:7], ""),
        ("alice", "annotation.submit", "submitted", WIRE[:7], ""),
        ("rita", "annotation.review", "changes_requested", WIRE[:7],
         "quote the whole sentence"),
        ("alice", "annotation.update", "changes_requested", WIRE[:20], ""),
        ("alice", "annotation.submit", "submitted", WIRE[:20], ""),
        ("rita", "annotation.review", "approved", WIRE[:20], "")]
    assert all(v.at for v in versions)
    annotations.delete_annotation(dossier, ann)
    _, after = history.annotation_history(dossier, ann)  # full id still finds the history
    assert after[-1].state["status"] == "deleted"

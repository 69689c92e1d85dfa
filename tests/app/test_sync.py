"""Clone a dossier, work offline, push back: nothing lost, conflicts flagged, both sides verify.

The "team dossier" here is given by the ``team`` fixture: a dossier folder, and a PostgreSQL
database when the both-engines fixtures are present (the service works on Dossier objects).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from app.dossier import Dossier
from app.errors import BadInput
from app.services import annotations, codebook, comments, integrity, workflow
from app.services.sync import clone, push
from db import search
from db.models import Annotation, AnnotationTag, AuditEvent, Comment, Review, User
from tests.helpers.documents import add_text_document
from tests.helpers.review import acting_as, bring_to, ensure_user

TEXT = ("Managers confiscated the workers' passports on arrival and kept them in a safe. "
        "Wages were paid into accounts controlled by the site manager. Workers slept twelve "
        "to a room. Recruitment fees were deducted from the first six months of pay.\n")
OFFLINE_TEXT = "A second report, read on the plane: the fees reached 1,500 dollars a worker.\n"


@pytest.fixture
def team(any_dossier_path: Path | str) -> Iterator[str]:
    """Where the team dossier lives (alice administers it): a folder, or a PostgreSQL URL."""
    yield str(any_dossier_path)


def _open(location: str, user: str = "alice") -> Dossier:
    return Dossier.open(location, user=user)


def _tag(d: Dossier, path: str) -> str:
    with d.read() as session:
        return codebook.resolve_tag(session, path).id


def _annotation_rows(d: Dossier) -> dict[str, dict[str, Any]]:
    """Every annotation with its author's name, times, fields and tag paths."""
    with d.read() as session:
        paths = {t.id: t.path for t in codebook.list_tags(session)}
        tags: dict[str, list[str]] = {}
        for ann_id, tag_id in session.execute(select(AnnotationTag.annotation_id,
                                                     AnnotationTag.tag_id)):
            tags.setdefault(ann_id, []).append(paths[tag_id])
        out = {}
        for ann, author in session.execute(select(Annotation, User.name)
                                           .join(User, User.id == Annotation.author_id)):
            out[ann.id] = {"author": author, "created": ann.created, "modified": ann.modified,
                           "note": ann.note, "status": ann.status, "quote": ann.quote,
                           "document_id": ann.document_id, "conflict_of": ann.conflict_of,
                           "tags": sorted(tags.get(ann.id, []))}
    return out


def _verify(d: Dossier) -> None:
    report = integrity.verify(d)
    assert report.ok, report.problems


def _seed(location: str) -> dict[str, str]:
    server = _open(location)
    try:
        doc = add_text_document(server, TEXT, "Site report")
        tag = _tag(server, "Retention of identity documents")
        ids = {}
        for name, quote in (("kept", "confiscated the workers' passports"),
                            ("edited", "kept them in a safe"),
                            ("deleted", "Workers slept twelve"),
                            ("reviewed", "accounts controlled by the site manager"),
                            ("contested", "Recruitment fees were deducted")):
            start = TEXT.index(quote)
            ids[name] = annotations.create_annotation(server, doc.id, start, start + len(quote),
                                                      [tag], note=f"{name} note").id
        bring_to(server, ids["reviewed"], "submitted")
        ensure_user(server, "rita", "reviewer")
        comments.add_comment(server, ids["kept"], "check the safe's key holder")
        ids["document"] = doc.id
        ids["tag"] = tag
    finally:
        server.close()
    return ids


def _offline_work(folder: Path, ids: dict[str, str]) -> dict[str, str]:
    """What alice, rita and a new colleague carol do in the clone on the plane."""
    local = _open(str(folder))
    try:
        tag = _tag(local, "Retention of identity documents")
        start = TEXT.index("Wages were paid")
        new = annotations.create_annotation(local, ids["document"], start, start + 15, [tag],
                                            note="made offline")
        annotations.update_annotation(local, ids["edited"], note="edited offline")
        annotations.update_annotation(local, ids["contested"], note="offline view")
        annotations.delete_annotation(local, ids["deleted"])
        review = workflow.decide(acting_as(local, "rita"), [ids["reviewed"]], "approve", "")[0]
        comments.add_comment(local, ids["kept"], "the key is with the manager")
        doc = add_text_document(local, OFFLINE_TEXT, "Plane notes")
        carol = acting_as(local, "carol")
        fees = OFFLINE_TEXT.index("1,500 dollars")
        by_carol = annotations.create_annotation(carol, doc.id, fees, fees + 13, [tag])
    finally:
        local.close()
    return {"new": new.id, "review": review.id, "doc": doc.id, "carol": by_carol.id}


def test_clone_copies_the_record_and_verifies(team: str, tmp_path: Path) -> None:
    ids = _seed(team)
    result = clone(team, tmp_path / "clone", user="alice")
    assert result.ok, result.problems
    server, local = _open(team), _open(str(tmp_path / "clone"))
    try:
        assert _annotation_rows(local) == _annotation_rows(server)
        with server.read() as s, local.read() as c:
            assert c.scalar(select(AuditEvent.hash).where(AuditEvent.seq == result.head_seq)) \
                == s.scalar(select(AuditEvent.hash).where(AuditEvent.seq == result.head_seq))
            for model in (User, Review, Comment):
                assert c.query(model).count() == s.query(model).count()
        with local.read() as c:
            from db.models import Document

            for sha in c.scalars(select(Document.sha256)):
                assert local.originals.read(sha) == server.originals.read(sha)
            found = {h.ref for h in search.search(c, "passports")}
        assert {ids["kept"], ids["document"]} <= found  # the clone's own search index
        _verify(local)
        _verify(server)
        assert ids["kept"] in _annotation_rows(local)
    finally:
        server.close()
        local.close()


def test_round_trip_keeps_every_annotation_author_and_time(team: str, tmp_path: Path) -> None:
    ids = _seed(team)
    folder = tmp_path / "clone"
    clone(team, folder, user="alice")
    made = _offline_work(folder, ids)
    server = _open(team)
    annotations.update_annotation(server, ids["contested"], note="server view")  # meanwhile
    server.close()
    summary = push(folder, team, user="alice")

    server, local = _open(team), _open(str(folder))
    try:
        theirs, mine = _annotation_rows(server), _annotation_rows(local)
        for ann_id, row in mine.items():  # every annotation of the clone, author and times kept
            if ann_id != ids["contested"]:
                assert theirs[ann_id] == row, ann_id
        assert ids["deleted"] not in theirs
        assert theirs[ids["reviewed"]]["status"] == "approved"
        assert theirs[made["carol"]]["author"] == "carol"
        # the conflict: the team's version stays, the offline one is a flagged copy beside it
        assert theirs[ids["contested"]]["note"] == "server view"
        (copy,) = [r for r in theirs.values() if r["conflict_of"] == ids["contested"]]
        assert copy["note"] == "offline view" and copy["author"] == "alice"
        assert [c.local_id for c in summary.conflicts] == [ids["contested"]]
        with server.read() as s:
            review = s.get(Review, made["review"])
            assert review is not None and review.decision == "approved"
            texts = set(s.scalars(select(Comment.text)))
            assert {"check the safe's key holder", "the key is with the manager"} <= texts
            assert s.scalar(select(User.role).where(User.name == "carol")) == "annotator"
            pushed = [json.loads(p) for p in s.scalars(
                select(AuditEvent.payload).where(AuditEvent.payload.like('%"pushed"%')))]
        with local.read() as c:
            originals = {(e.seq, e.actor, e.at, e.action) for e in c.scalars(
                select(AuditEvent).where(AuditEvent.action.not_like("sync.%"),
                                         AuditEvent.seq > summary.head_seq - len(pushed) - 50))}
        recorded = {(p["pushed"]["seq"], p["pushed"]["actor"], p["pushed"]["at"]) for p in pushed}
        assert {(s, a, t) for s, a, t, _ in originals if s > 0} >= recorded
        assert len(pushed) == summary.events >= 8
        assert {p["pushed"]["actor"] for p in pushed} >= {"alice", "rita", "carol"}
        assert server.originals.read(_sha(local, made["doc"])) == OFFLINE_TEXT.encode()
        _verify(server)
        _verify(local)
    finally:
        server.close()
        local.close()

    again = push(folder, team, user="alice")  # nothing new: nothing sent twice
    assert again.events == 0 and not again.added and not again.conflicts
    server = _open(team)
    try:
        assert _annotation_rows(server) == theirs
        _verify(server)
    finally:
        server.close()


def _sha(d: Dossier, doc_id: str) -> str:
    from db.models import Document

    with d.read() as session:
        digest = session.scalar(select(Document.sha256).where(Document.id == doc_id))
    assert digest is not None
    return digest


def test_second_push_sends_only_newer_work(team: str, tmp_path: Path) -> None:
    ids = _seed(team)
    folder = tmp_path / "clone"
    clone(team, folder, user="alice")
    local = _open(str(folder))
    annotations.update_annotation(local, ids["kept"], note="first trip")
    local.close()
    first = push(folder, team, user="alice")
    assert first.updated == {"annotation": 1}
    local = _open(str(folder))
    annotations.update_annotation(local, ids["kept"], note="second trip")
    local.close()
    second = push(folder, team, user="alice")
    assert second.updated == {"annotation": 1} and not second.conflicts
    server = _open(team)
    try:
        assert _annotation_rows(server)[ids["kept"]]["note"] == "second trip"
        _verify(server)
    finally:
        server.close()


def test_a_local_dossier_moves_into_the_team_dossier(team: str, tmp_path: Path) -> None:
    _seed(team)
    folder = tmp_path / "laptop"
    mine = _open(str(folder), user="dana")
    doc = add_text_document(mine, OFFLINE_TEXT, "Plane notes")
    tag = _tag(mine, "Retention of identity documents")
    fees = OFFLINE_TEXT.index("1,500 dollars")
    ann = annotations.create_annotation(mine, doc.id, fees, fees + 13, [tag], note="dana's")
    before = _annotation_rows(mine)
    mine.close()

    summary = push(folder, team, user="alice")
    assert summary.moved and summary.users_created == ["dana"]
    server = _open(team)
    try:
        theirs = _annotation_rows(server)
        assert theirs[ann.id] == before[ann.id]  # the tag is the team's tag of the same path
        _verify(server)
    finally:
        server.close()
    again = push(folder, team, user="alice")
    assert again.events == 0 and not again.added


def test_push_refuses_another_dossier_and_a_tampered_clone(team: str, tmp_path: Path,
                                                          template_dossier: Path) -> None:
    import shutil
    import sqlite3

    _seed(team)
    folder = tmp_path / "clone"
    clone(team, folder, user="alice")
    with pytest.raises(BadInput, match="already exists"):
        clone(team, folder, user="alice")
    other = tmp_path / "other"
    shutil.copytree(template_dossier, other)
    local = _open(str(folder))
    annotations.update_annotation(local, _annotation_ids(local)[0], note="offline")
    local.close()
    with pytest.raises(BadInput, match="is not the dossier this folder was cloned from"):
        push(folder, str(other), user="alice")
    conn = sqlite3.connect(folder / "dossier.sqlite")
    conn.execute("UPDATE annotations SET note = 'forged'")
    conn.commit()
    conn.close()
    with pytest.raises(BadInput, match="fails verify"):
        push(folder, team, user="alice")


def _annotation_ids(d: Dossier) -> list[str]:
    with d.read() as session:
        return list(session.scalars(select(Annotation.id).order_by(Annotation.id)))


def test_a_tag_changed_on_both_sides_keeps_the_local_version_recoverably(
        team: str, tmp_path: Path) -> None:
    """The team's tag stays; the clone's values go into the team's audit chain with the push,
    are listed, and can be applied (audited) while the team's row is as it was at the push."""
    from app.services.sync.kept import apply_kept, list_kept

    ids = _seed(team)
    folder = tmp_path / "clone"
    clone(team, folder, user="alice")
    local = _open(str(folder))
    codebook.update_tag(local, ids["tag"], colour="#112233", description="offline description")
    local.close()
    server = _open(team)
    codebook.update_tag(server, ids["tag"], colour="#aa0000")  # a colleague, meanwhile
    server.close()

    summary = push(folder, team, user="alice")
    (kept,) = summary.kept
    assert kept["object"] == f"tag:{ids['tag']}" and kept["fields"] == ["colour", "description"]
    assert kept["local"] == {"colour": "#112233", "description": "offline description"}
    server = _open(team)
    try:
        info = codebook.tag_by_id(server, ids["tag"])
        team_description = info.description  # the codebook's, untouched by the team
        assert info.colour == "#aa0000" and team_description.startswith("Passports")
        (found,) = list_kept(server)
        assert (found.object, found.fields, found.applied_in) == (kept["object"],
                                                                  kept["fields"], None)
        assert found.local == kept["local"] and found.team == {
            "colour": "#aa0000", "description": team_description}
        _verify(server)
        codebook.update_tag(server, ids["tag"], colour="#bb0000")  # moved on again
        with pytest.raises(BadInput, match=r"changed again since the push \(colour\)"):
            apply_kept(server, found.seq, found.object)
        codebook.update_tag(server, ids["tag"], colour="#aa0000")
        applied = apply_kept(server, found.seq, found.object)
        assert applied.applied_in is not None
        info = codebook.tag_by_id(server, ids["tag"])
        assert (info.colour, info.description) == ("#112233", "offline description")
        with pytest.raises(BadInput, match="applied already"):
            apply_kept(server, found.seq, found.object)
        from app.services import audit_log

        (pushed,) = [e for e in audit_log.list_events(server)
                     if "the pushed one is kept aside" in e.words]
        assert pushed.seq == found.seq and pushed.words.endswith(
            "theirs stays, the pushed one is kept aside (colour, description; dossier kept list)")
        (entry,) = audit_log.list_events(server, action="sync.apply_kept")
        assert entry.words == (f"alice applied the version of the tag '{info.path}' kept aside "
                               f"by push event {found.seq} (colour, description)")
        _verify(server)
    finally:
        server.close()


def test_dossier_kept_lists_and_applies_from_the_command_line(
        dossier_path: Path, tmp_path: Path) -> None:
    from tests.helpers.cli import run_cli

    server = Dossier.open(dossier_path, user="alice")
    tag = _tag(server, "Retention of identity documents")
    server.close()
    folder = tmp_path / "clone"
    clone(str(dossier_path), folder, user="alice")
    local = _open(str(folder))
    codebook.update_tag(local, tag, description="offline description")
    local.close()
    server = Dossier.open(dossier_path, user="alice")
    codebook.update_tag(server, tag, description="team description")
    server.close()
    pushed = run_cli(dossier_path, "push", str(folder), str(dossier_path), check=True)
    assert f"kept the team's tag:{tag}" in pushed.stdout
    assert "yours: description = 'offline description'" in pushed.stdout
    listed = run_cli(dossier_path, "kept", "list", check=True).stdout
    line = next(x for x in listed.splitlines() if "dossier kept apply" in x)
    seq = line.split("dossier kept apply ")[1].split()[0]
    assert "description: team 'team description', kept 'offline description'" in listed
    done = run_cli(dossier_path, "kept", "apply", seq, f"tag:{tag}", check=True)
    assert "applied the kept version" in done.stdout
    assert "applied in event" in run_cli(dossier_path, "kept", "list", check=True).stdout
    again = run_cli(dossier_path, "kept", "apply", seq, f"tag:{tag}")
    assert again.returncode == 2 and "applied already" in again.stderr

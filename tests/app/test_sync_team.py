"""Clone and push with real logins: the server's rules hold for pushed work too.

An annotator clones the team dossier, works offline (her own annotation, an edit of her own, and
an annotation by somebody who is not a member), then pushes as herself: her work arrives under
her name with its times; what her login may not write on the server (adding a person, their
annotation) is reported as kept, never forced or misattributed; the chain verifies on both sides
and every pushed event is signed by her login with the original author and time in its payload.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from app.dossier import Dossier
from app.services import annotations, integrity
from app.services.sync import clone, push
from db.models import Annotation, AuditEvent, User
from tests.helpers.documents import add_text_document
from tests.helpers.pg import PgServer
from tests.helpers.review import acting_as
from tests.helpers.team import Team, make_team

TEXT = "Managers kept the workers' passports. Wages went to a state account in Pyongyang.\n"


@pytest.fixture
def team(pg_server: PgServer, pg_database: str) -> Iterator[Team]:
    made = make_team(pg_server, pg_database)
    try:
        yield made
    finally:
        made.drop()


def test_an_annotator_pushes_her_own_work_and_nothing_else(team: Team, tmp_path: Path) -> None:
    anna = team.add("anna", "annotator")
    with team.open(anna) as server:
        doc = add_text_document(server, TEXT)
        first = annotations.create_annotation(server, doc.id, 0, 8, note="at the office")
    folder = tmp_path / "plane"
    assert clone(team.url(anna), folder).ok

    local = Dossier.open(folder, user=anna)
    try:
        start = TEXT.index("Wages")
        mine = annotations.create_annotation(local, doc.id, start, start + 9, note="offline")
        annotations.update_annotation(local, first.id, note="checked on the plane")
        stranger = annotations.create_annotation(acting_as(local, "carol"), doc.id, 9, 13)
        with local.read() as session:
            made = session.get(Annotation, mine.id)
            assert made is not None
            created, modified = made.created, made.modified
    finally:
        local.close()

    summary = push(folder, team.url(anna))
    assert summary.added == {"annotation": 1} and summary.updated == {"annotation": 1}
    kept = {k["object"].split(":")[0] for k in summary.kept}
    assert kept == {"user", "annotation"} and summary.users_created == []

    with team.open(anna) as server:
        with server.read() as session:
            row = session.get(Annotation, mine.id)
            assert row is not None and (row.created, row.modified) == (created, modified)
            assert session.scalar(select(User.name).where(User.id == row.author_id)) == anna
            edited = session.get(Annotation, first.id)
            assert edited is not None and edited.note == "checked on the plane"
            assert session.get(Annotation, stranger.id) is None
            assert session.scalar(select(User.id).where(User.name == "carol")) is None
            pushed = [(e.actor, json.loads(e.payload)["pushed"]) for e in session.scalars(
                select(AuditEvent).where(AuditEvent.payload.like('%"pushed"%')))]
        assert pushed and {actor for actor, _ in pushed} == {anna}
        assert {p["actor"] for _, p in pushed} == {anna, "carol"}
        report = integrity.verify(server)
        assert report.ok, report.problems
    local = Dossier.open(folder, user=anna)
    try:
        assert integrity.verify(local).ok
    finally:
        local.close()

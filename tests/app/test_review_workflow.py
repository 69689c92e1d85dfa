"""Roles and the review workflow through the services: every transition, every refusal.

A refused action raises before anything is written: the annotation row, the reviews and the
audit chain are exactly as they were.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from app import audit
from app.dossier import Dossier
from app.errors import BadInput, Refused
from app.services import annotations, codebook, roles, workflow
from db.models import Review, User
from tests.helpers.documents import add_text_document
from tests.helpers.review import acting_as

TEXT = "Managers confiscated the workers' passports on arrival. Wages went to the state."


@pytest.fixture
def team(any_dossier: Dossier) -> dict[str, Dossier]:
    """alice administers; rita reviews; anna and bob annotate (on both engines)."""
    dossier = any_dossier
    roles.add_user(dossier, "rita", "reviewer")
    roles.add_user(dossier, "anna", "annotator")
    roles.add_user(dossier, "bob", "annotator")
    return {name: acting_as(dossier, name) for name in ("alice", "rita", "anna", "bob")}


def _draft(as_user: Dossier) -> str:
    doc = add_text_document(as_user, TEXT)
    with as_user.read() as session:
        tag = codebook.resolve_tag(session, "Retention of identity documents").id
    return annotations.create_annotation(as_user, doc.id, 0, 8, [tag]).id


def _state(dossier: Dossier, ann_id: str | None = None) -> tuple[Any, ...]:
    with dossier.read() as session:
        head = audit.head(session)
        reviews = session.scalar(select(func.count()).select_from(Review))
        users = tuple(session.execute(select(User.name, User.role).order_by(User.name)).all())
    ann = annotations.get_annotation(dossier, ann_id) if ann_id else None
    return head, reviews, users, ann


def _refused(dossier: Dossier, ann_id: str | None, action: Callable[[], object],
             error: type[Exception], match: str) -> None:
    before = _state(dossier, ann_id)
    with pytest.raises(error, match=match):
        action()
    assert _state(dossier, ann_id) == before  # nothing changed, no audit event


def test_first_user_administers_later_ones_annotate(tmp_path: Any) -> None:
    d = Dossier.open(tmp_path / "new", user="carol")
    assert roles.role_of(d, "carol") == "administrator"
    dave = acting_as(d, "dave")
    _draft(dave)  # dave acts for the first time: recorded as an annotator
    assert roles.role_of(d, "dave") == "annotator"
    d.close()


def test_full_cycle_with_changes_requested_and_resubmission(team: dict[str, Dossier]) -> None:
    anna, rita = team["anna"], team["rita"]
    ann = _draft(anna)
    assert workflow.submit(anna, [ann[:8]]) == [ann]
    assert annotations.get_annotation(anna, ann).status == "submitted"
    workflow.decide(rita, [ann], "request_changes", "quote is cut short")
    assert annotations.get_annotation(anna, ann).status == "changes_requested"
    annotations.update_annotation(anna, ann, start=0, end=20)
    workflow.submit(anna, [ann])  # resubmitted
    [review] = workflow.decide(rita, [ann], "approve")
    assert (review.reviewer, review.decision, review.reason) == ("rita", "approved", "")
    assert annotations.get_annotation(anna, ann).status == "approved"
    decisions = [(r.decision, r.reason) for r in workflow.reviews_of(anna, ann)]
    assert decisions == [("changes_requested", "quote is cut short"), ("approved", "")]
    actions = [e.action for e in _events(anna)][-5:]
    assert actions == ["annotation.submit", "annotation.review", "annotation.update",
                       "annotation.submit", "annotation.review"]


def _events(dossier: Dossier) -> list[Any]:
    with dossier.read() as session:
        return list(audit.iter_events(session))


@pytest.mark.parametrize("decision, status", [("approve", "approved"), ("reject", "rejected"),
                                              ("request_changes", "changes_requested")])
def test_each_decision_by_a_reviewer_and_by_an_administrator(
        team: dict[str, Dossier], decision: str, status: str) -> None:
    for reviewer in ("rita", "alice"):
        ann = _draft(team["anna"])
        workflow.submit(team["anna"], [ann])
        workflow.decide(team[reviewer], [ann], decision, "reason given")
        assert annotations.get_annotation(team["anna"], ann).status == status


@pytest.mark.parametrize("edit", [
    {"start": 0, "end": 20}, {"reliability": "B"}, {"credibility": 3}, "tags"])
@pytest.mark.parametrize("status", ["submitted", "approved"])
def test_editing_range_quote_tags_or_grades_sends_back_to_draft(
        team: dict[str, Dossier], edit: Any, status: str) -> None:
    anna = team["anna"]
    ann = _draft(anna)
    workflow.submit(anna, [ann])
    if status == "approved":
        workflow.decide(team["rita"], [ann], "approve")
    if edit == "tags":
        annotations.set_tags(anna, ann, [])
    else:
        annotations.update_annotation(anna, ann, **edit)
    assert annotations.get_annotation(anna, ann).status == "draft"
    # the decision stays in its history
    assert len(workflow.reviews_of(anna, ann)) == (1 if status == "approved" else 0)


def test_editing_the_note_keeps_an_approval(team: dict[str, Dossier]) -> None:
    ann = _draft(team["anna"])
    workflow.submit(team["anna"], [ann])
    workflow.decide(team["rita"], [ann], "approve")
    annotations.update_annotation(team["anna"], ann, note="typo fixed")
    assert annotations.get_annotation(team["anna"], ann).status == "approved"


def test_refused_transitions_change_nothing(team: dict[str, Dossier]) -> None:
    alice, rita, anna, bob = (team[n] for n in ("alice", "rita", "anna", "bob"))
    ann = _draft(anna)
    _refused(anna, ann, lambda: workflow.decide(rita, [ann], "approve"), Refused,
             "draft, not submitted")
    _refused(anna, ann, lambda: workflow.submit(bob, [ann]), Refused,
             "only its author or an administrator")
    workflow.submit(anna, [ann])
    _refused(anna, ann, lambda: workflow.submit(anna, [ann]), Refused, "is submitted")
    # an annotator approving
    _refused(anna, ann, lambda: workflow.decide(bob, [ann], "approve"), Refused,
             "bob is an annotator; only reviewers or administrators may review")
    # missing reason
    for decision in ("reject", "request_changes"):
        _refused(anna, ann, lambda d=decision: workflow.decide(rita, [ann], d, "  "),
                 BadInput, "a reason is required")
    # self-approval, also by a reviewer or an administrator on their own annotation
    for own in (rita, alice):
        mine = _draft(own)
        workflow.submit(own, [mine])
        _refused(own, mine, lambda o=own, m=mine: workflow.decide(o, [m], "approve"), Refused,
                 "nobody decides on their own annotation")
    # a batch is all or nothing: one own annotation refuses the whole batch
    rita_own = _draft(rita)
    workflow.submit(rita, [rita_own])
    _refused(anna, ann, lambda: workflow.decide(rita, [ann, rita_own], "approve"), Refused,
             "own")
    _refused(anna, ann, lambda: workflow.decide(rita, [ann], "maybe"), BadInput,
             "decision must be one of")


def test_status_is_never_set_directly(team: dict[str, Dossier]) -> None:
    anna = team["anna"]
    ann = _draft(anna)
    for who in ("anna", "rita", "alice"):
        _refused(anna, ann, lambda w=who: annotations.update_annotation(
            team[w], ann, status="approved"), Refused, "not set directly")
    doc = annotations.get_annotation(anna, ann).document_id
    _refused(anna, None, lambda: annotations.create_annotation(anna, doc, 0, 5,
                                                                status="approved"),
             Refused, "not set directly")


def test_roles_granted_only_by_administrators(team: dict[str, Dossier]) -> None:
    alice, rita, anna = team["alice"], team["rita"], team["anna"]
    _refused(alice, None, lambda: roles.set_role(anna, "anna", "reviewer"), Refused,
             "anna is an annotator; only administrators may grant roles")
    _refused(alice, None, lambda: roles.set_role(rita, "bob", "reviewer"), Refused,
             "rita is a reviewer; only administrators may grant roles")
    _refused(alice, None, lambda: roles.add_user(anna, "eve", "administrator"), Refused,
             "only administrators may add users")
    _refused(alice, None, lambda: roles.add_user(alice, "rita", "reviewer"), BadInput,
             "already exists")
    _refused(alice, None, lambda: roles.add_user(alice, "eve", "boss"), BadInput,
             "role must be one of")
    _refused(alice, None, lambda: roles.set_role(alice, "alice", "reviewer"), Refused,
             "only administrator")
    roles.set_role(alice, "anna", "reviewer")
    roles.set_role(alice, "bob", "administrator")
    roles.set_role(team["bob"], "alice", "annotator")  # another administrator remains
    assert {u.name: u.role for u in roles.list_users(alice)} == {
        "alice": "annotator", "anna": "reviewer", "bob": "administrator", "rita": "reviewer"}
    events = [(e.actor, e.action) for e in _events(alice)][-3:]
    assert events == [("alice", "user.role"), ("alice", "user.role"), ("bob", "user.role")]


def test_existing_dossier_migrates_authors_as_annotators_creator_as_administrator(
        dossier: Dossier, dossier_path: Any) -> None:
    from alembic import command

    from db.migrate import _config

    bob = acting_as(dossier, "bob")
    _draft(bob)  # bob authored before roles existed
    dossier.close()
    from sqlalchemy import create_engine, text

    engine = create_engine(f"sqlite:///{dossier_path / 'dossier.sqlite'}")
    with engine.begin() as conn:
        cfg = _config()
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0005")  # the revision before 0003 (review)
        assert "role" not in {r[1] for r in conn.execute(text("PRAGMA table_info(users)"))}
    engine.dispose()
    reopened = Dossier.open(dossier_path, user="bob")
    assert {u.name: u.role for u in roles.list_users(reopened)} == {
        "alice": "administrator", "bob": "annotator"}
    from app.services.integrity import verify

    assert verify(reopened).ok, verify(reopened).problems
    reopened.close()

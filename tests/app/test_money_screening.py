"""Screening against a local FtM list: planted matches found and ranked; people decide."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from app.dossier import Dossier
from app.errors import BadInput
from app.money.screening import confirmed_for, decide, list_matches, screen_dossier
from db.models import AuditEvent
from tests.helpers.screening_list import PLANTED, add_entities, write_list


def test_every_planted_match_scores_above_every_other_candidate(dossier: Dossier,
                                                               tmp_path: Path) -> None:
    add_entities(dossier)
    listing = write_list(tmp_path / "fictional-list.ftm.json")
    result = screen_dossier(dossier, listing, threshold=0.3)
    assert result.listed == 8 and result.entities == 6  # the vessel is not screened
    scores = {(c.entity_name, c.listed_id): c.score for c in result.candidates}
    assert set(scores) >= PLANTED, sorted(scores)
    others = [s for pair, s in scores.items() if pair not in PLANTED]
    assert others, "the near miss (same name, other birth date) should be a candidate"
    assert min(scores[p] for p in PLANTED) > max(others)
    assert min(scores[p] for p in PLANTED) >= 0.7 > max(others)  # 0.7: the default threshold
    assert [c.score for c in result.candidates] == sorted(scores.values(), reverse=True)
    # Nothing is confirmed by the machine.
    assert {c.status for c in result.candidates} == {"pending"}
    assert confirmed_for(dossier) == {}
    sid = next(c for c in result.candidates if c.listed_id == "fict-person-sidorov")
    assert sid.listing["program"] == ["FICT-RUS-1"] and "2021-03-04" in sid.listing_summary()
    chollima = next(c for c in result.candidates if c.listed_id == "fict-org-chollima")
    assert chollima.listing["authority"] == ["Fictional Security Council"]

    confirmed = decide(dossier, sid.id, "confirmed", "same birth year and patronymic")
    decide(dossier, next(c.id for c in result.candidates
                         if c.listed_id == "fict-person-sidorov-jr"), "dismissed", "born 1994")
    assert confirmed.decided_by == "alice"
    assert [m.listed_id for ms in confirmed_for(dossier).values() for m in ms] == [
        "fict-person-sidorov"]
    with dossier.read() as session:
        events = session.scalars(select(AuditEvent).where(
            AuditEvent.action.like("screening.%")).order_by(AuditEvent.seq)).all()
    assert [e.action for e in events] == ["screening.run", "screening.confirmed",
                                         "screening.dismissed"]
    assert json.loads(events[1].payload)["before"]["status"] == "pending"
    # A second run keeps the decisions and adds no duplicates.
    screen_dossier(dossier, listing, threshold=0.3)
    assert len(list_matches(dossier)) == len(result.candidates)
    assert len(list_matches(dossier, "confirmed")) == 1


def test_a_list_that_is_not_ftm_is_refused_naming_the_line(dossier: Dossier,
                                                           tmp_path: Path) -> None:
    bad = tmp_path / "list.json"
    bad.write_text('{"id": "a", "schema": "Person", "properties": {}}\nnot json\n',
                   encoding="utf-8")
    with pytest.raises(BadInput, match="list.json, line 2: not an FtM entity"):
        screen_dossier(dossier, bad)
    with pytest.raises(BadInput, match="no list file"):
        screen_dossier(dossier, tmp_path / "missing.json")

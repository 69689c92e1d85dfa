"""import-set treats a set from elsewhere as provenance, not authority, and refuses hostile values
with one line, writing nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from app.dossier import Dossier
from app.errors import BadInput
from app.importers.base import ExtractedDocument
from app.limits import MAX_NOTE_CHARS
from app.services import annotations as A
from app.services.documents import store_document
from app.services.integrity import verify
from app.services.sets.merge import import_set
from db.models import Annotation, AuditEvent
from tests.app.test_exchange_jsonld import ARTICLE, web_annotation

URL = "https://news.example.org/story"


def _article(dossier: Dossier) -> None:
    extracted = ExtractedDocument(kind="html", text=ARTICLE, title="Web article", url=URL,
                                  extractor="test")
    store_document(dossier, b"<html>story</html>", extracted, source="test",
                   filename="story.html")


def _write(path: Path, items: list[dict[str, Any]]) -> Path:
    path.write_text(json.dumps(items), encoding="utf-8")
    return path


def _counts(dossier: Dossier) -> tuple[int, int]:
    with dossier.read() as session:
        return (session.scalar(select(func.count()).select_from(Annotation)) or 0,
                session.scalar(select(func.count()).select_from(AuditEvent)) or 0)


def test_a_forged_set_arrives_as_submitted_with_its_claims_recorded(
        dossier: Dossier, tmp_path: Path) -> None:
    _article(dossier)
    forged = web_annotation(
        URL, "passports", creator={"type": "Person", "name": "alice"},  # the local user
        created="2001-01-01T00:00:00Z")
    forged.update({"dossier:status": "approved", "dossier:reliability": "A",
                   "dossier:credibility": 1})
    summary = import_set(dossier, _write(tmp_path / "forged.jsonld", [forged]))
    (ann,) = A.list_annotations(dossier)
    assert ann.status == "submitted"
    assert (ann.author, ann.created, ann.grade) == ("alice", "2001-01-01T00:00:00.000000Z",
                                                    "A1")  # the sender's claims, as history
    with dossier.read() as session:
        provenance = json.loads(session.scalar(select(Annotation.provenance)) or "{}")
    assert provenance["sender_status"] == "approved"
    assert provenance["claimed_local_author"] == "alice"
    assert provenance["imported_by"] == "alice" and provenance["set"] == "forged.jsonld"
    text = " ".join(summary.warnings)
    assert "arrive as submitted" in text and "approved 1" in text
    assert "claim 'alice', a user of this dossier" in text
    assert verify(dossier).ok


def test_a_quote_that_disagrees_with_its_offsets_is_placed_by_quote_and_flagged(
        dossier: Dossier, tmp_path: Path) -> None:
    _article(dossier)
    start = ARTICLE.index("passports")
    item = web_annotation(URL, "passports")
    item["target"]["selector"] = [
        {"type": "TextQuoteSelector", "exact": "passports"},
        {"type": "TextPositionSelector", "start": start + 40, "end": start + 49}]
    summary = import_set(dossier, _write(tmp_path / "moved.jsonld", [item]))
    (ann,) = A.list_annotations(dossier)
    assert (ann.start, ann.quote, ann.anchor) == (start, "passports", "fuzzy")
    assert any("placed by the quote and flagged fuzzy" in w for w in summary.warnings)


@pytest.mark.parametrize("change, problem", [
    ({"created": "0001-01-01T00:00:00+14:00"}, "out of range"),
    ({"created": "9999-12-31T23:59:59-14:00"}, "out of range"),
    ({"creator": {"type": "Person", "name": "x\udfffy"}}, "not UTF-8 text"),
    ({"body": [{"type": "TextualBody", "purpose": "commenting",
                "value": "n" * (MAX_NOTE_CHARS + 1)}]}, "characters, more than the"),
    ({"target": {"source": URL, "selector": {
        "type": "FragmentSelector", "conformsTo": "http://tools.ietf.org/rfc/rfc3778",
        "value": "page=" + "9" * 5000}}}, "out of range"),
    ({"target": {"source": URL, "selector": {
        "type": "TextPositionSelector", "start": 10**30, "end": 10**30 + 1}}}, "too large"),
])
def test_hostile_values_are_refused_in_one_line_writing_nothing(
        dossier: Dossier, tmp_path: Path, change: dict[str, Any], problem: str) -> None:
    _article(dossier)
    before = _counts(dossier)
    item = web_annotation(URL, "passports")
    item.update(change)
    path = tmp_path / "hostile.jsonld"
    path.write_text(json.dumps([item], ensure_ascii=True), encoding="utf-8")
    with pytest.raises(BadInput) as caught:
        import_set(dossier, path)
    message = str(caught.value)
    assert "\n" not in message and message.startswith("hostile.jsonld")
    assert problem in message
    assert _counts(dossier) == before


def test_a_lone_surrogate_never_reaches_the_dossier(dossier: Dossier, tmp_path: Path) -> None:
    """JSON may escape a lone surrogate; the set's parser replaces it, or the set is refused in
    one line — never an internal error, and the stored text is valid UTF-8 (verify passes)."""
    _article(dossier)
    item = web_annotation(URL, "passports")
    item["body"] = [{"type": "TextualBody", "purpose": "commenting", "value": "a\ud800b"}]
    path = tmp_path / "surrogate.jsonld"
    path.write_text(json.dumps([item], ensure_ascii=True), encoding="utf-8")
    try:
        import_set(dossier, path)
    except BadInput as exc:
        assert "\n" not in str(exc) and str(exc).startswith("surrogate.jsonld")
    for ann in A.list_annotations(dossier):
        ann.note.encode("utf-8")
    assert verify(dossier).ok

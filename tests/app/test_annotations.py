"""Annotations through the service: exact quotes in code points, tags, edits, delete/restore."""

from __future__ import annotations

import pytest

from app.dossier import Dossier
from app.errors import Ambiguous, BadInput, NotFound
from app.services import annotations, codebook
from db import search
from tests.helpers.documents import add_text_document
from tests.helpers.review import bring_to, create_with_status

MIXED = (
    "Workers 👷🏽‍♂️ said: 护照被没收了。 Then the manager 😠 kept the passports. "
    "قال العمال إن جوازات سفرهم صودرت. End 🇰🇵 of report."
)


@pytest.fixture
def dossier(any_dossier: Dossier) -> Dossier:
    """These tests run on both engines (SQLite folder, PostgreSQL team dossier)."""
    return any_dossier


def _tag(dossier: Dossier, spec: str) -> str:
    with dossier.read() as session:
        return codebook.resolve_tag(session, spec).id


@pytest.mark.parametrize("quote", ["护照被没收了。", "manager 😠 kept", "جوازات سفرهم صودرت",
                                   "👷🏽‍♂️ said", "🇰🇵"])
def test_quote_is_exact_in_code_points(dossier: Dossier, quote: str) -> None:
    doc = add_text_document(dossier, MIXED)
    start, end = annotations.find_quote(MIXED, quote)
    ann = annotations.create_annotation(dossier, doc.id, start, end, [_tag(dossier, "Deception")])
    stored = annotations.get_annotation(dossier, ann.id)
    assert stored.quote == quote
    assert (stored.start, stored.end) == (MIXED.index(quote), MIXED.index(quote) + len(quote))
    assert stored.prefix == MIXED[max(0, start - 32):start]
    assert stored.suffix == MIXED[end:end + 32]


def test_tags_resolve_by_path_or_name_case_insensitively(dossier: Dossier) -> None:
    with dossier.read() as session:
        by_path = codebook.resolve_tag(session, "abuses/retention OF identity documents")
        by_name = codebook.resolve_tag(session, "Retention of identity documents")
        assert by_path.id == by_name.id
        assert by_path.path == "Abuses/Retention of identity documents"
        with pytest.raises(NotFound):
            codebook.resolve_tag(session, "Passports")
    codebook.create_tag(dossier, "Deception", parent="Context", colour="#123456")
    with dossier.read() as session, pytest.raises(Ambiguous, match="Abuses/Deception"):
        codebook.resolve_tag(session, "deception")


def test_update_set_tags_delete_and_restore(dossier: Dossier) -> None:
    doc = add_text_document(dossier, MIXED)
    deception, wages = _tag(dossier, "Deception"), _tag(dossier, "Withholding of wages")
    ann = annotations.create_annotation(dossier, doc.id, 0, 7, [deception], note="first")
    changed = annotations.update_annotation(dossier, ann.id, note="second", reliability="B",
                                            credibility=2)
    assert (changed.note, changed.grade, changed.status) == ("second", "B2", "draft")
    assert changed.modified >= ann.modified
    bring_to(dossier, ann.id, "submitted")
    tagged = annotations.set_tags(dossier, ann.id, [deception, wages])
    assert [t.path for t in tagged.tags] == ["Abuses/Deception", "Abuses/Withholding of wages"]
    assert tagged.status == "draft"  # retagging a submitted annotation reopens it
    moved = annotations.update_annotation(dossier, ann.id, start=8, end=14)
    assert moved.quote == MIXED[8:14]
    snapshot = annotations.delete_annotation(dossier, ann.id)
    with pytest.raises(NotFound):
        annotations.get_annotation(dossier, ann.id)
    restored = annotations.restore_annotation(dossier, snapshot)
    assert restored == moved


def test_bad_values_are_refused_without_writing(dossier: Dossier) -> None:
    doc = add_text_document(dossier, MIXED)
    with pytest.raises(BadInput, match="outside"):
        annotations.create_annotation(dossier, doc.id, 5, len(MIXED) + 1)
    with pytest.raises(BadInput, match="A-F"):
        annotations.create_annotation(dossier, doc.id, 0, 5, reliability="Z")
    with pytest.raises(BadInput, match="1-6"):
        annotations.create_annotation(dossier, doc.id, 0, 5, credibility=9)
    assert annotations.list_annotations(dossier) == []


def test_list_filters_by_tag_family_and_status(dossier: Dossier) -> None:
    doc = add_text_document(dossier, MIXED)
    a = annotations.create_annotation(dossier, doc.id, 0, 7, [_tag(dossier, "Deception")])
    b = create_with_status(dossier, doc.id, 10, 20, [_tag(dossier, "Use of proceeds")],
                           status="approved")
    assert [x.id for x in annotations.list_annotations(dossier, tag_id=_tag(dossier, "Abuses"))] \
        == [a.id]
    assert [x.id for x in annotations.list_annotations(dossier, status="approved")] == [b.id]


def test_search_finds_document_text_quotes_and_notes(dossier: Dossier) -> None:
    doc = add_text_document(dossier, MIXED + " The passports were locked in a safe.")
    start, end = annotations.find_quote(MIXED, "kept the passports")
    ann = annotations.create_annotation(dossier, doc.id, start, end,
                                        note="corroborated by NK Watch")
    with dossier.read() as session:
        hits = search.search(session, "passports")
        kinds = {(h.kind, h.ref) for h in hits}
        assert ("document", doc.id) in kinds and ("quote", ann.id) in kinds
        notes = search.search(session, "corroborated")
        assert [(h.kind, h.ref) for h in notes] == [("note", ann.id)]
        assert "[corroborated]" in notes[0].snippet
    annotations.update_annotation(dossier, ann.id, note="changed")
    with dossier.read() as session:
        assert search.search(session, "corroborated") == []


def test_pages_of_an_annotation_follow_the_selector_rule(dossier: Dossier) -> None:
    from array import array

    from app.anchoring import make_selectors
    from app.importers.base import ExtractedDocument, ExtractedPage, join_pages
    from app.services.documents import store_document

    def page(text: str) -> ExtractedPage:
        return ExtractedPage(text, array("f", [0.0] * (4 * len(text))), bytes(len(text)),
                             612.0, 792.0)

    pages = [page("First page ends here."), page("Second page starts here.")]
    text, ranges = join_pages(pages)
    doc, _ = store_document(dossier, b"%PDF-test", ExtractedDocument("pdf", text, pages=pages),
                            source="test", filename="two.pdf")
    for start, end in [(0, 5), (ranges[0][1] - 4, ranges[1][0] + 6), (ranges[0][1], ranges[1][1])]:
        ann = annotations.create_annotation(dossier, doc.id, start, end)
        sel = make_selectors(text, start, end, ranges)
        assert (ann.page_start, ann.page_end) == (sel.page_start, sel.page_end)
    starts_between = annotations.list_annotations(dossier)[-1]
    assert (starts_between.page_start, starts_between.page_end) == (2, 2)

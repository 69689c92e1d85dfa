"""Independent sources: copies of one story count once, different stories count apart."""

from __future__ import annotations

from app.dossier import Dossier
from app.importers.base import ExtractedDocument
from app.services import annotations, sources
from app.services.documents import store_document
from app.textmodel import normalise
from tests.helpers.documents import add_text_document

WIRE = (
    "Workers at the Green Valley garment factory said their passports were confiscated on "
    "arrival and kept in the manager's office. Several said they had not been paid for three "
    "months and were told they owed recruitment fees of up to two thousand dollars. The company "
    "did not respond to requests for comment before publication."
)
OTHER = (
    "A court in the capital fined a recruitment agency for charging migrant workers illegal "
    "fees, the labour ministry announced on Tuesday, and ordered the agency to repay the money "
    "within ninety days or lose its licence."
)


def test_shingles_and_containment_by_hand() -> None:
    # 7 words -> 3 word 5-grams; case and punctuation do not matter
    a = sources.shingles("One two three four five six seven.")
    b = sources.shingles("one, TWO three four five six")  # 2 five-grams, both in a
    assert (len(a), len(b)) == (3, 2)
    assert sources.containment(a, b) == 1.0
    c = sources.shingles("five six seven eight nine ten")  # 2 five-grams, none in a
    assert sources.containment(a, c) == 0.0
    assert sources.shingles("too short") == sources.shingles("Too  short!")
    assert len(sources.shingles("too short")) == 1
    assert sources.containment(frozenset(), a) == 0.0


def test_two_copies_of_a_wire_story_are_one_source(dossier: Dossier) -> None:
    original = add_text_document(dossier, WIRE, "Agency wire")
    # another outlet: own headline and byline, last sentence cut
    copy = add_text_document(
        dossier, "Factory workers' passports seized. By Staff Reporter. "
        + WIRE.rsplit(" The company", 1)[0], "Daily copy")
    different = add_text_document(dossier, OTHER, "Court story")
    with dossier.read() as session:
        groups = sources.independent_sources(session, [different.id, copy.id, original.id])
        assert sorted(map(sorted, groups)) == sorted(
            [sorted([original.id, copy.id]), [different.id]])
        assert sources.count_independent_sources(session, [original.id, copy.id]) == 1
        assert sources.count_independent_sources(session, [original.id, different.id]) == 2
        assert sources.count_independent_sources(session, []) == 0
        assert sources.count_independent_sources(session, [original.id, original.id]) == 1


def test_a_short_quote_shared_by_two_stories_does_not_merge_them(dossier: Dossier) -> None:
    quote = "their passports were confiscated on arrival"
    first = add_text_document(dossier, OTHER + " One worker said " + quote + ".", "First")
    second = add_text_document(dossier, WIRE, "Second")
    with dossier.read() as session:
        assert sources.count_independent_sources(session, [first.id, second.id]) == 2


def test_overlap_is_transitive(dossier: Dossier) -> None:
    words = [f"w{i}" for i in range(60)]
    a = add_text_document(dossier, " ".join(words[:30]), "A")
    b = add_text_document(dossier, " ".join(words[8:52]), "B")  # most of A and most of C
    c = add_text_document(dossier, " ".join(words[30:60]), "C")   # shares nothing with A
    with dossier.read() as session:
        assert sources.count_independent_sources(session, [a.id, c.id]) == 2
        assert sources.independent_sources(session, [a.id, b.id, c.id]) == [
            frozenset({a.id, b.id, c.id})]


def test_versions_of_one_document_are_one_source(dossier: Dossier) -> None:
    first = add_text_document(dossier, WIRE, "v1")
    text = normalise(OTHER)  # a rewritten page: the text no longer overlaps
    second, _ = store_document(
        dossier, text.encode("utf-8"),
        ExtractedDocument(kind="text", text=text, title="v2", extractor="test"),
        source="test", filename="v2.txt", previous_id=first.id)
    with dossier.read() as session:
        assert sources.count_independent_sources(session, [first.id, second.id]) == 1


def test_sources_behind_annotations(dossier: Dossier) -> None:
    original = add_text_document(dossier, WIRE, "Agency wire")
    copy = add_text_document(dossier, WIRE + " Reporting by staff.", "Copy")
    different = add_text_document(dossier, OTHER, "Court story")
    anns = [annotations.create_annotation(dossier, d.id, 0, 10)
            for d in (original, copy, different)]
    with dossier.read() as session:
        assert sources.count_annotation_sources(session, [a.id for a in anns]) == 2
        assert sources.annotation_sources(session, [anns[0].id, anns[1].id]) == [
            frozenset({original.id, copy.id})]
        assert sources.count_annotation_sources(session, []) == 0

"""W3C Web Annotation export and import-set: shape of the file, round trip, conflicts, filters."""

from __future__ import annotations

import json
import shutil
import uuid
from array import array
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, update

from app import audit
from app.dossier import Dossier
from app.errors import BadInput
from app.exchange import export
from app.exchange.filters import build_filter, select_for_export
from app.importers.base import ExtractedDocument, ExtractedPage
from app.services import annotations as A
from app.services import codebook
from app.services.documents import DocumentView, store_document
from app.services.sets.merge import import_set, list_conflicts
from db.models import Annotation, Review, User
from tests.helpers.documents import add_text_document
from tests.helpers.review import create_with_status
from tests.helpers.second import another_dossier

ARTICLE = (
    "Workers said their passports were confiscated by managers on arrival in Vladivostok.\n\n"
    "Most of the wages, about 70 %, went to state-controlled accounts, a former manager said.\n\n"
    "\u00ab\u6c34\u6ce5\u5382\u00bb, \"quoted\" \U0001f9f1 bricks =SUM(A1) and more text follows."
)
PAGES = [
    "Page one: the agency dispatched 300 workers under a three-year contract.",
    "Page two: payments by employers were routed through Dandong front companies.",
]


def add_pdf_document(dossier: Dossier, pages: list[str] = PAGES,
                     name: str = "report.pdf") -> DocumentView:
    """A paged document (as a PDF import stores it), without needing a real PDF file."""
    extracted = ExtractedDocument(
        kind="pdf", text="", title="UN panel report", extractor="test",
        pages=[ExtractedPage(text=p, boxes=array("f", [0.0] * 4 * len(p)),
                             synthetic=bytes(len(p)), width=612, height=792) for p in pages])
    doc, _ = store_document(dossier, ("%PDF-1.7 fake " + name).encode(), extracted,
                            source="test", filename=name)
    return doc


def tag_ids(dossier: Dossier) -> dict[str, str]:
    """Tag path -> id."""
    with dossier.read() as session:
        return {t.path: t.id for t in codebook.list_tags(session)}


def seed(dossier: Dossier) -> dict[str, Any]:
    """Two documents (an article and a two-page 'PDF') with five varied annotations."""
    doc = add_text_document(dossier, ARTICLE, "Article A")
    pdf = add_pdf_document(dossier)
    tags = tag_ids(dossier)
    quote = "passports were confiscated by managers"
    s = ARTICLE.index(quote)
    a1 = create_with_status(
        dossier, doc.id, s, s + len(quote),
        [tags["Abuses/Retention of identity documents"], tags["Contracts/Employer or worksite"]],
        note="Key claim; corroborated by a second source.\nSecond line.",
        attribution="former manager, via NK Watch", reliability="B", credibility=2,
        status="approved", reviewer="bob", reason="quote checked against the original")
    s2 = ARTICLE.index("Most of the wages")
    a2 = create_with_status(dossier, doc.id, s2, s2 + 58,
                            [tags["Funding flows/Wage deposits to state-controlled accounts"]],
                            note="=HYPERLINK(\"http://evil\")", status="submitted")
    s3 = ARTICLE.index("\u00ab")
    a3 = A.create_annotation(dossier, doc.id, s3, s3 + 30, [], note="")
    pdf_text = "\n\n".join(PAGES)
    s4 = pdf_text.index("payments by employers")
    a4 = A.create_annotation(dossier, pdf.id, s4, s4 + len("payments by employers"),
                             [tags["Funding flows/Payments by employers"]], note="+ page two",
                             reliability="C", credibility=3)
    s5 = pdf_text.index("three-year contract")
    a5 = A.create_annotation(dossier, pdf.id, s5, pdf_text.index("Page two:") + 9,
                             [tags["Contracts/Contract length and renewal"]], note="@spans pages")
    return {"doc": doc, "pdf": pdf, "tags": tags, "anns": [a1, a2, a3, a4, a5]}


def same_documents(dossier: Dossier) -> None:
    """The same originals as :func:`seed` (so their SHA-256 match), without annotations."""
    add_text_document(dossier, ARTICLE, "Article A")
    add_pdf_document(dossier)


def fields(ann: A.AnnotationView) -> tuple[Any, ...]:
    """What a round trip must keep (the status is local: an import arrives as submitted)."""
    return (ann.quote, ann.start, ann.end, tuple(sorted(t.path for t in ann.tags)), ann.note,
            ann.author, ann.created, ann.modified, ann.reliability, ann.credibility,
            ann.attribution, ann.page_start, ann.page_end)


def counts(dossier: Dossier) -> tuple[int, int, int]:
    """(annotations, reviews, audit events)."""
    with dossier.read() as session:
        return (session.scalar(select(func.count()).select_from(Annotation)) or 0,
                session.scalar(select(func.count()).select_from(Review)) or 0,
                audit.head(session)[0])


def open_empty(template_dossier: Path, folder: Path, user: str = "bob") -> Dossier:
    """A second dossier with nothing in it but the default codebook."""
    shutil.copytree(template_dossier, folder)
    return Dossier.open(folder, user=user)


@pytest.fixture
def dossier(any_dossier: Dossier) -> Dossier:
    """Round trips run between two dossier folders and between two team dossiers."""
    return any_dossier


@pytest.fixture
def other(request: pytest.FixtureRequest, engine_name: str, tmp_path: Path) -> Iterator[Dossier]:
    """A second, empty dossier (user bob) on the same engine."""
    with another_dossier(request, engine_name, tmp_path / "other") as d:
        yield d


def exported(dossier: Dossier, path: Path, **filters: Any) -> dict[str, Any]:
    export(dossier, "jsonld", path, build_filter(dossier, **filters))
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


# -- the file -----------------------------------------------------------------------------------

def test_export_is_a_w3c_collection_with_tags_notes_selectors_and_own_fields(
        dossier: Dossier, tmp_path: Path) -> None:
    s = seed(dossier)
    data = exported(dossier, tmp_path / "set.jsonld")
    assert data["@context"][0] == "http://www.w3.org/ns/anno.jsonld"
    assert data["@context"][1]["dossier"] == "urn:dossier:ns:"
    assert data["type"] == "AnnotationCollection" and data["total"] == 5
    page = data["first"]
    assert page["type"] == "AnnotationPage" and page["startIndex"] == 0
    assert "@context" not in page
    items = {i["id"]: i for i in page["items"]}
    a1 = s["anns"][0]
    item = items[f"urn:uuid:{a1.id}"]
    assert item["type"] == "Annotation" and item["motivation"] == "tagging"
    assert item["creator"]["type"] == "Person" and item["creator"]["name"] == "alice"
    assert item["created"] == a1.created and item["created"].endswith("Z")
    tagging = [b["value"] for b in item["body"] if b.get("purpose") == "tagging"]
    assert sorted(tagging) == ["Abuses/Retention of identity documents",
                               "Contracts/Employer or worksite"]
    classifying = {b["source"] for b in item["body"] if b.get("purpose") == "classifying"}
    assert classifying == {f"urn:uuid:{s['tags'][p]}" for p in tagging}
    comment = [b for b in item["body"] if b.get("purpose") == "commenting"]
    assert comment[0]["value"] == a1.note and comment[0]["type"] == "TextualBody"
    target = item["target"]
    assert target["source"] == f"urn:uuid:{s['doc'].id}"
    assert target["dossier:sha256"] == s["doc"].sha256
    quote = next(x for x in target["selector"] if x["type"] == "TextQuoteSelector")
    position = next(x for x in target["selector"] if x["type"] == "TextPositionSelector")
    assert quote["exact"] == ARTICLE[position["start"]:position["end"]] == a1.quote
    assert quote["prefix"] == ARTICLE[max(0, a1.start - 32):a1.start]
    assert (item["dossier:status"], item["dossier:reliability"], item["dossier:credibility"],
            item["dossier:attribution"]) == ("approved", "B", 2, "former manager, via NK Watch")
    assert item["dossier:reviews"][0]["dossier:decision"] == "approved"
    assert item["dossier:reviews"][0]["dossier:reviewer"] == "bob"
    assert items[f"urn:uuid:{s['anns'][2].id}"]["motivation"] == "highlighting"
    assert {t["dossier:path"] for t in data["dossier:codebook"]} >= set(s["tags"])
    assert {d["dossier:sha256"] for d in data["dossier:documents"]} == {s["doc"].sha256,
                                                                       s["pdf"].sha256}


def test_pdf_passage_on_one_page_gets_a_page_fragment_with_page_offsets(
        dossier: Dossier, tmp_path: Path) -> None:
    s = seed(dossier)
    items = {i["id"]: i for i in exported(dossier, tmp_path / "s.jsonld")["first"]["items"]}
    one_page = items[f"urn:uuid:{s['anns'][3].id}"]["target"]["selector"]
    fragment = next(x for x in one_page if x["type"] == "FragmentSelector")
    assert fragment["conformsTo"] == "http://tools.ietf.org/rfc/rfc3778"
    assert fragment["value"] == "page=2"
    pos = next(x for x in fragment["refinedBy"] if x["type"] == "TextPositionSelector")
    assert PAGES[1][pos["start"]:pos["end"]] == "payments by employers"
    spanning = items[f"urn:uuid:{s['anns'][4].id}"]["target"]["selector"]
    assert not [x for x in spanning if x["type"] == "FragmentSelector"]


# -- round trip ---------------------------------------------------------------------------------

def test_round_trip_into_a_dossier_with_the_same_documents_keeps_everything(
        dossier: Dossier, other: Dossier, tmp_path: Path) -> None:
    s = seed(dossier)
    path = tmp_path / "set.jsonld"
    exported(dossier, path)
    same_documents(other)
    summary = import_set(other, path)
    assert len(summary.added) == 5 and summary.identical == 0 and not summary.conflicts
    assert summary.reviews_added == 1
    before = {a.id: fields(a) for a in s["anns"]}
    after = {a.id: fields(a) for a in A.list_annotations(other)}
    assert after == before
    assert {a.status for a in A.list_annotations(other)} == {"submitted"}
    with other.read() as session:
        reviewer = session.execute(select(User.name, Review.decision, Review.reason)
                                   .join(Review, Review.reviewer_id == User.id)).all()
    assert [tuple(r) for r in reviewer] == [("bob", "approved",
                                            "quote checked against the original")]
    first = counts(other)
    again = import_set(other, path)
    assert again.identical == 5 and not again.added and not again.conflicts
    assert counts(other) == first  # nothing written at all, not even an audit event


def test_page_fragment_alone_places_a_pdf_passage(dossier: Dossier, other: Dossier,
                                                 tmp_path: Path) -> None:
    s = seed(dossier)
    data = exported(dossier, tmp_path / "s.jsonld")
    keep = f"urn:uuid:{s['anns'][3].id}"
    item = next(i for i in data["first"]["items"] if i["id"] == keep)
    item["target"]["selector"] = [x for x in item["target"]["selector"]
                                  if x["type"] == "FragmentSelector"]
    data["first"]["items"] = [item]
    path = tmp_path / "page-only.jsonld"
    path.write_text(json.dumps(data), encoding="utf-8")
    same_documents(other)
    import_set(other, path)
    (got,) = A.list_annotations(other)
    assert (got.quote, got.start, got.end, got.page_start) == (
        "payments by employers", s["anns"][3].start, s["anns"][3].end, 2)


def test_changed_annotation_is_a_flagged_conflict_never_an_overwrite(
        dossier: Dossier, other: Dossier, tmp_path: Path) -> None:
    s = seed(dossier)
    path = tmp_path / "set.jsonld"
    exported(dossier, path)
    same_documents(other)
    import_set(other, path)
    a1 = s["anns"][0]
    # a changed grade sends bob's approved copy back to draft: note and status both differ
    A.update_annotation(other, a1.id, note="bob's reading differs", credibility=3)
    summary = import_set(other, path)
    assert summary.identical == 4 and len(summary.conflicts) == 1
    conflict = summary.conflicts[0]
    assert conflict.local_id == a1.id and {"note"} <= set(conflict.fields)
    local = A.get_annotation(other, a1.id)
    assert (local.note, local.status) == ("bob's reading differs", "draft")
    copy = A.get_annotation(other, conflict.kept_as)
    assert (copy.note, copy.status, copy.quote, copy.author) == (a1.note, "submitted", a1.quote,
                                                                 "alice")
    assert list_conflicts(other) == [(conflict.kept_as, a1.id)]
    with other.read() as session:
        event = session.scalars(select(audit.AuditEvent).where(
            audit.AuditEvent.object_id == conflict.kept_as)).one()
    payload = json.loads(event.payload)
    assert event.action == "annotation.import" and payload["conflict_of"] == a1.id
    assert payload["set_sha256"] == summary.sha256
    third = import_set(other, path)
    assert not third.conflicts and third.conflicts_already == 1 and not third.added
    assert len(A.list_annotations(other)) == 6


# -- sets from elsewhere ------------------------------------------------------------------------

def web_annotation(source: str, exact: str, **extra: Any) -> dict[str, Any]:
    item = {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "id": "https://annotations.example.org/a/17", "type": "Annotation",
        "motivation": "commenting",
        "creator": {"type": "Person", "name": "A. Analyst"},
        "created": "2025-03-04T10:15:00Z",
        "body": [{"type": "TextualBody", "purpose": "tagging", "value": "contract"},
                 {"type": "TextualBody", "purpose": "commenting", "value": "Amount differs."}],
        "target": {"source": source, "selector": {
            "type": "TextQuoteSelector", "exact": exact, "prefix": "the ",
            "suffix": " were"}},
    }
    item.update(extra)
    return item


def test_plain_w3c_annotation_from_another_tool_is_matched_by_url(
        dossier: Dossier, tmp_path: Path) -> None:
    extracted = ExtractedDocument(kind="html", text=ARTICLE, title="Web article",
                                  url="https://news.example.org/story", extractor="test")
    store_document(dossier, b"<html>story</html>", extracted, source="test",
                   filename="story.html")
    path = tmp_path / "hypothesis.json"
    path.write_text(json.dumps([web_annotation("https://news.example.org/story",
                                               "passports")]), encoding="utf-8")
    summary = import_set(dossier, path)
    assert len(summary.added) == 1 and summary.tags_created == ["Imported", "Imported/contract"]
    assert summary.users_created == ["A. Analyst"]
    (ann,) = A.list_annotations(dossier)
    assert (ann.quote, ann.note, ann.author, ann.created, ann.status) == (
        "passports", "Amount differs.", "A. Analyst", "2025-03-04T10:15:00.000000Z", "submitted")
    assert [t.path for t in ann.tags] == ["Imported/contract"]
    again = import_set(dossier, path)  # a non-UUID IRI maps to the same id every time
    assert again.identical == 1 and not again.added


@pytest.mark.parametrize(("change", "message"), [
    ({"target": {"selector": {"type": "TextQuoteSelector", "exact": "passports"}}},
     "annotation 2 (https://annotations.example"
     ".org/a/17): its target has no source"),
    ({"dossier:status": "final"}, "dossier:status 'final' is not one of"),
    ({"dossier:credibility": 9}, "dossier:credibility 9 is not one of 1-6"),
    ({"created": "yesterday"}, "created 'yesterday' is not an ISO 8601"),
    ({"@context": "http://schema.org"}, 'no "@context" naming'),
    ({"type": "Note"}, "not \"Annotation\""),
])
def test_malformed_annotation_is_refused_naming_it_and_nothing_is_written(
        dossier: Dossier, tmp_path: Path, change: dict[str, Any], message: str) -> None:
    seed(dossier)
    good = web_annotation("https://x.example", "passports")
    good["id"] = "urn:uuid:" + str(uuid.uuid4())
    bad = web_annotation("https://x.example", "passports", **change)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps([good, bad]), encoding="utf-8")
    before = counts(dossier)
    with pytest.raises(BadInput, match=message.replace("(", r"\(").replace(")", r"\)")):
        import_set(dossier, path)
    assert counts(dossier) == before


def test_missing_documents_and_vanished_quotes_are_reported_not_guessed(
        dossier: Dossier, other: Dossier, tmp_path: Path) -> None:
    s = seed(dossier)
    data = exported(dossier, tmp_path / "s.jsonld")
    for item in data["first"]["items"]:
        if item["id"] == f"urn:uuid:{s['anns'][1].id}":
            for sel in item["target"]["selector"]:
                sel.update({"exact": "a sentence no document holds"} if "exact" in sel else {})
    path = tmp_path / "edited.jsonld"
    path.write_text(json.dumps(data), encoding="utf-8")
    add_text_document(other, ARTICLE, "Article A")  # the PDF is not in this dossier
    summary = import_set(other, path)
    assert len(summary.added) == 2
    assert [u["annotation"] for u in summary.unanchored] == [s["anns"][1].id]
    (missing,) = summary.documents_missing
    assert missing["sha256"] == s["pdf"].sha256 and missing["annotations"] == 2


def test_duplicate_ids_in_a_set_are_refused(dossier: Dossier, tmp_path: Path) -> None:
    seed(dossier)
    data = exported(dossier, tmp_path / "s.jsonld")
    data["first"]["items"].append(data["first"]["items"][0])
    path = tmp_path / "dup.jsonld"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(BadInput, match="annotation 6 has the same id as annotation 1"):
        import_set(dossier, path)


# -- filters ------------------------------------------------------------------------------------

def test_filters_by_status_tag_with_subtags_author_document_and_date(
        dossier: Dossier) -> None:
    s = seed(dossier)
    anns = s["anns"]
    with dossier.write() as session:
        session.execute(update(Annotation).where(Annotation.id == anns[2].id)
                        .values(created="2025-01-15T12:00:00.000000Z"))

    def ids(**kw: Any) -> set[str]:
        return {a.id for a in select_for_export(dossier, build_filter(dossier, **kw)).annotations}

    assert ids(statuses=["approved"]) == {anns[0].id}
    assert ids(tags=["Funding flows"]) == {anns[1].id, anns[3].id}
    assert ids(tags=["Abuses", "Contracts/Contract length and renewal"]) == {anns[0].id,
                                                                             anns[4].id}
    assert ids(documents=[s["pdf"].id[:8]]) == {anns[3].id, anns[4].id}
    assert ids(authors=["bob"]) == set()
    assert ids(created_from="2025-01-01", created_to="2025-01-15") == {anns[2].id}
    assert ids(created_to="2025-01-14") == set()
    selection = select_for_export(dossier, build_filter(dossier, statuses=["approved"]))
    assert [d.id for d in selection.documents] == [s["doc"].id]
    with pytest.raises(BadInput, match="--from"):
        build_filter(dossier, created_from="March")


def test_refi_project_merges_by_original_hash_with_codes_as_tags(dossier: Dossier) -> None:
    from app.exchange.incoming import from_refi
    from app.exchange.refi.model import RefiCode, RefiDocument, RefiProject, RefiSelection
    from app.services.integrity import verify
    from app.services.sets.merge import merge_set

    doc = add_text_document(dossier, ARTICLE, "Article A")
    start = ARTICLE.index("former manager")
    project = RefiProject(
        name="QualCoder project",
        documents=[RefiDocument(guid="A1B2C3D4-0000-4000-8000-000000000001", name="Article A",
                                kind="text", text=ARTICLE, sha256="0" * 64,
                                text_sha256=doc.text_sha256, original_sha256=doc.sha256)],
        codes=[RefiCode("C0DE0000-0000-4000-8000-000000000001", "Sources", "#112233", None,
                        is_codable=False),
               RefiCode("C0DE0000-0000-4000-8000-000000000002", "Defectors", "#445566",
                        "C0DE0000-0000-4000-8000-000000000001")],
        selections=[RefiSelection(guid="5E1EC710-0000-4000-8000-000000000001",
                                  source="A1B2C3D4-0000-4000-8000-000000000001", start=start,
                                  end=start + 14, quote="former manager",
                                  codes=("C0DE0000-0000-4000-8000-000000000002",),
                                  note="memo", creator="qualcoder user",
                                  created="2024-05-06T07:08:09Z", status="submitted")])
    summary = merge_set(dossier, from_refi(project, "p.qdpx", "f" * 64))
    assert summary.tags_created == ["Sources", "Sources/Defectors"]
    (ann,) = A.list_annotations(dossier)
    assert (ann.id, ann.quote, ann.author, ann.created, ann.status, ann.note) == (
        "5e1ec710-0000-4000-8000-000000000001", "former manager", "qualcoder user",
        "2024-05-06T07:08:09.000000Z", "submitted", "memo")
    assert [(t.id, t.path) for t in ann.tags] == [("c0de0000-0000-4000-8000-000000000002",
                                                   "Sources/Defectors")]
    again = merge_set(dossier, from_refi(project, "p.qdpx", "f" * 64))
    assert again.identical == 1 and not again.added and not again.tags_created
    assert verify(dossier).ok


def test_conflict_flag_travels_with_the_set(dossier: Dossier, other: Dossier,
                                            template_dossier: Path, tmp_path: Path) -> None:
    s = seed(dossier)
    path = tmp_path / "set.jsonld"
    exported(dossier, path)
    same_documents(other)
    import_set(other, path)
    A.update_annotation(other, s["anns"][0].id, note="changed")
    (conflict,) = import_set(other, path).conflicts
    onward = tmp_path / "onward.jsonld"
    export(other, "jsonld", onward)
    item = next(i for i in json.loads(onward.read_text(encoding="utf-8"))["first"]["items"]
                if i["id"] == f"urn:uuid:{conflict.kept_as}")
    assert item["dossier:conflictOf"] == f"urn:uuid:{s['anns'][0].id}"
    third = open_empty(template_dossier, tmp_path / "third", "carol")
    try:
        same_documents(third)
        summary = import_set(third, onward)
        assert len(summary.added) == 6 and not summary.conflicts
        assert list_conflicts(third) == [(conflict.kept_as, s["anns"][0].id)]
    finally:
        third.close()

"""Annotations written by other web clients: Hypothesis's W3C shape and its own JSON export.

The files are written here from the published formats (W3C Web Annotation; Hypothesis's API
annotation objects and export wrapper), not copied from anyone. Hypothesis counts positions in
UTF-16 units and collapses whitespace in PDF quotes, so the emoji and line breaks below make
every stored position wrong: each annotation must be placed by its quote.
"""

from __future__ import annotations

import json
from array import array
from pathlib import Path
from typing import Any

import pytest

from app.dossier import Dossier
from app.importers.base import ExtractedDocument, ExtractedPage
from app.services import annotations as A
from app.services.documents import store_document
from app.services.sets.matching import url_key
from app.services.sets.merge import import_set

ARTICLE = ("Budget leak 🔥🔥 — a special report.\n\n"
           "The ministry signed a contract worth EUR 4.2 million with Acme Ltd in March. "
           "Officials 😶 declined to comment.\n\n"
           "A second payment of EUR 1.1 million followed in May, records show.")
PDF_TEXT = "Annual report 2023\n\nThe agency dispatched 300\nworkers to Russia in 2023."


@pytest.fixture
def local(dossier: Dossier) -> Dossier:
    """A web page (canonical URL with www and a final slash) and a PDF."""
    store_document(dossier, b"<html>budget</html>", ExtractedDocument(
        kind="html", text=ARTICLE, title="Budget leak", extractor="test",
        url="https://www.news.example.org/2025/budget-leak/"), source="test",
        filename="leak.html")
    page = ExtractedPage(PDF_TEXT, array("f", [0.0] * 4 * len(PDF_TEXT)), bytes(len(PDF_TEXT)),
                         612, 792)
    store_document(dossier, b"%PDF-1.4 stand-in", ExtractedDocument(
        kind="pdf", text=PDF_TEXT, title="Agency report", pages=[page], extractor="test"),
        source="test", filename="report.pdf")
    return dossier


def utf16(text: str, index: int) -> int:
    return len(text[:index].encode("utf-16-le")) // 2


def hypothesis_selectors(text: str, quote: str) -> list[dict[str, Any]]:
    """What the Hypothesis client stores for an HTML selection (FORMATS.md §2)."""
    at = text.index(quote)
    return [
        {"type": "RangeSelector", "startContainer": "/main[1]/p[2]", "startOffset": 4,
         "endContainer": "/main[1]/p[2]", "endOffset": 40},
        {"type": "TextPositionSelector", "start": utf16(text, at),
         "end": utf16(text, at + len(quote))},
        {"type": "TextQuoteSelector", "exact": quote, "prefix": text[max(0, at - 32):at],
         "suffix": text[at + len(quote):at + len(quote) + 32]},
    ]


def pdf_selectors() -> list[dict[str, Any]]:
    quote = "dispatched 300 workers to Russia"  # whitespace collapsed, as pdf.js gives it
    return [{"type": "TextPositionSelector", "start": 40, "end": 72},
            {"type": "TextQuoteSelector", "exact": quote, "prefix": "The agency ",
             "suffix": " in 2023."},
            {"type": "PageSelector", "index": 0, "label": "1"}]


PAGE_URL = "https://news.example.org/2025/budget-leak?utm_source=rss#comments"
QUOTES = ["a contract worth EUR 4.2 million", "declined to comment",
          "A second payment of EUR 1.1 million"]


def w3c_item(n: int, quote: str) -> dict[str, Any]:
    return {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "id": f"https://hypothes.is/a/w3c{n}", "type": "Annotation",
        "created": "2025-03-04T10:15:00.123456+00:00", "modified": "2025-03-05T08:00:00Z",
        "creator": f"acct:ana{n}@hypothes.is",
        "body": [{"type": "TextualBody", "value": f"Comment {n}", "format": "text/markdown"},
                 {"type": "TextualBody", "purpose": "tagging", "value": "budget"}],
        "target": [{"source": PAGE_URL, "selector": hypothesis_selectors(ARTICLE, quote)}],
    }


def test_hypothesis_shaped_w3c_collection_is_placed_by_quotes(local: Dossier,
                                                               tmp_path: Path) -> None:
    items = [w3c_item(i, q) for i, q in enumerate(QUOTES)]
    items.append({"@context": "http://www.w3.org/ns/anno.jsonld",
                  "id": "https://hypothes.is/a/pdf1", "type": "Annotation",
                  "body": {"type": "TextualBody", "value": "Number matches the ministry."},
                  "target": [{"source": "urn:x-pdf:6b2ab1e0c4f2", "selector": pdf_selectors()}]})
    items.append({"@context": "http://www.w3.org/ns/anno.jsonld",
                  "id": "https://hypothes.is/a/note1", "type": "Annotation",
                  "body": {"type": "TextualBody", "value": "A page note."},
                  "target": [{"source": PAGE_URL}]})
    path = tmp_path / "hypothesis.jsonld"
    path.write_text(json.dumps({
        "@context": "http://www.w3.org/ns/anno.jsonld", "id": "https://hypothes.is/c/1",
        "type": "AnnotationCollection", "total": len(items),
        "first": {"type": "AnnotationPage", "startIndex": 0, "items": items}}), "utf-8")
    summary = import_set(local, path)
    assert len(summary.added) == 4, summary.lines()
    assert not summary.unanchored and not summary.documents_missing
    (skipped,) = summary.skipped
    assert "page note" in skipped["reason"] and "note1" in skipped["annotation"]
    placed = {a.quote: a for a in A.list_annotations(local)}
    assert set(QUOTES) <= set(placed)
    assert all(placed[q].anchor == "exact" for q in QUOTES)
    assert placed[QUOTES[0]].note == "Comment 0"
    assert [t.path for t in placed[QUOTES[0]].tags] == ["Imported/budget"]
    pdf = next(a for a in placed.values() if a.quote not in QUOTES)
    assert pdf.quote == "dispatched 300\nworkers to Russia"  # the PDF's own layout
    assert pdf.note == "Number matches the ministry."


def hypothesis_row(n: int, quote: str, **extra: Any) -> dict[str, Any]:
    row = {
        "id": f"Kx3qPZ9zEe6{n}", "created": "2025-03-04T10:15:00.123456+00:00",
        "updated": "2025-03-06T11:00:00.000000+00:00", "user": "acct:ana_k@hypothes.is",
        "uri": PAGE_URL, "text": f"Row {n}: check the date.", "tags": ["budget", "EU/funds"],
        "group": "__world__", "permissions": {"read": ["group:__world__"]},
        "document": {"title": ["Budget leak"]},
        "links": {"html": f"https://hypothes.is/a/Kx3qPZ9zEe6{n}",
                  "incontext": f"https://hyp.is/Kx3qPZ9zEe6{n}/news.example.org/2025"},
        "user_info": {"display_name": "Ana K."}, "flagged": False, "hidden": False,
    }
    if "target" not in extra:
        row["target"] = [{"source": PAGE_URL, "selector": hypothesis_selectors(ARTICLE, quote)}]
    row.update(extra)
    return row


def test_hypothesis_json_export_imports_every_annotation_or_says_why(
        local: Dossier, tmp_path: Path) -> None:
    rows = [hypothesis_row(i, q) for i, q in enumerate(QUOTES)]
    rows.append(hypothesis_row(7, QUOTES[0], references=["Kx3qPZ9zEe60"],
                               target=[{"source": PAGE_URL}]))
    rows.append(hypothesis_row(8, QUOTES[0], target=[{"source": PAGE_URL}]))
    rows.append(hypothesis_row(9, "", uri="https://amp.example.net/budget",
                               target=[{"source": "https://amp.example.net/budget",
                                        "selector": pdf_selectors()}]))
    path = tmp_path / "hypothesis-export.json"
    path.write_text(json.dumps({"export_date": "2025-03-07T09:00:00.000Z",
                                "export_userid": "acct:ana_k@hypothes.is",
                                "client_version": "1.1300.0", "annotations": rows}), "utf-8")
    summary = import_set(local, path)
    assert summary.kind == "hypothesis"
    assert len(summary.added) == 4, summary.lines()
    reasons = sorted(s["reason"] for s in summary.skipped)
    assert len(reasons) == 2
    assert "reply" in reasons[0] and "page note" in reasons[1]
    anns = {a.quote: a for a in A.list_annotations(local)}
    for i, quote in enumerate(QUOTES):
        ann = anns[quote]
        assert (ann.anchor, ann.author, ann.note) == ("exact", "Ana K.", f"Row {i}: check the "
                                                                         "date.")
        assert ann.created == "2025-03-04T10:15:00.123456Z"
        assert sorted(t.path for t in ann.tags) == ["Imported/EU-funds", "Imported/budget"]
    # an unknown URL (an AMP copy) is matched to the document holding its quote
    assert "dispatched 300\nworkers to Russia" in anns
    again = import_set(local, path)
    assert again.identical == 4 and not again.added
    assert any("already here" in line for line in again.lines())


def test_added_0_always_comes_with_reasons(local: Dossier, tmp_path: Path) -> None:
    rows = [hypothesis_row(1, QUOTES[0], target=[{"source": PAGE_URL}]),
            hypothesis_row(2, "not in the text at all, nowhere near it",
                           target=[{"source": "https://elsewhere.example/x", "selector": [
                               {"type": "TextQuoteSelector",
                                "exact": "words that occur in no document of this dossier"}]}])]
    path = tmp_path / "none.json"
    path.write_text(json.dumps({"total": 2, "rows": rows}), "utf-8")
    summary = import_set(local, path)
    assert not summary.added
    text = "\n".join(summary.lines())
    assert "page note" in text and "document missing" in text


@pytest.mark.parametrize(("selector", "expected"), [
    ({"type": "FragmentSelector", "conformsTo": "http://tools.ietf.org/rfc/rfc5147",
      "value": "char=0,11"}, "Budget leak"),
    ({"type": "RangeSelector",
      "startSelector": {"type": "TextQuoteSelector", "exact": "The ministry"},
      "endSelector": {"type": "TextQuoteSelector", "exact": " with Acme"}},
     "The ministry signed a contract worth EUR 4.2 million"),
    ({"type": "RangeSelector",
      "startSelector": {"type": "TextPositionSelector", "start": 0, "end": 1},
      "endSelector": {"type": "TextPositionSelector", "start": 6, "end": 7}}, "Budget"),
    ({"type": "XPathSelector", "value": "/html/body/p[2]",
      "refinedBy": {"type": "TextQuoteSelector", "exact": "declined to comment"}},
     "declined to comment"),
    ({"type": "CssSelector", "value": "#story p:nth-child(3)",
      "refinedBy": [{"type": "TextPositionSelector", "start": 9999, "end": 10010},
                    {"type": "TextQuoteSelector", "exact": "records show"}]}, "records show"),
])
def test_every_w3c_selector_kind_places_text(local: Dossier, tmp_path: Path,
                                             selector: dict[str, Any], expected: str) -> None:
    item = {"@context": "http://www.w3.org/ns/anno.jsonld", "id": "urn:uuid:"
            "0c1d2e3f-4a5b-4c6d-8e7f-901a2b3c4d5e", "type": "Annotation",
            "target": {"source": {"id": "https://news.example.org/2025/budget-leak"},
                       "selector": selector}}
    path = tmp_path / "one.jsonld"
    path.write_text(json.dumps(item), "utf-8")
    summary = import_set(local, path)
    assert len(summary.added) == 1, summary.lines()
    (ann,) = A.list_annotations(local)
    assert ann.quote == expected


def test_selectors_dossier_cannot_resolve_are_reported(local: Dossier, tmp_path: Path) -> None:
    item = {"@context": "http://www.w3.org/ns/anno.jsonld", "id": "urn:uuid:"
            "0c1d2e3f-4a5b-4c6d-8e7f-901a2b3c4d5e", "type": "Annotation",
            "target": {"source": "https://news.example.org/2025/budget-leak",
                       "selector": {"type": "SvgSelector", "value": "<svg/>"}}}
    path = tmp_path / "svg.jsonld"
    path.write_text(json.dumps(item), "utf-8")
    summary = import_set(local, path)
    assert not summary.added
    assert "SvgSelector" in summary.skipped[0]["reason"]


def test_url_key_ignores_scheme_www_slash_fragment_and_tracking() -> None:
    assert url_key("https://www.News.example.org/a/?utm_source=x&id=3#c") == \
        url_key("http://news.example.org/a?id=3")
    assert url_key("https://example.org/a") != url_key("https://example.org/b")


def test_a_position_that_is_not_the_quotes_place_in_any_counting_is_flagged(
        local: Dossier, tmp_path: Path) -> None:
    item = w3c_item(1, QUOTES[1])
    item["target"][0]["selector"][1].update(start=40, end=59)  # nowhere near the quote
    path = tmp_path / "moved.jsonld"
    path.write_text(json.dumps(item), "utf-8")
    summary = import_set(local, path)
    (ann,) = A.list_annotations(local)
    assert (ann.quote, ann.anchor) == (QUOTES[1], "fuzzy")
    assert "not at the position the set states" in summary.flagged[0]["reason"]


@pytest.mark.parametrize("selector", [
    {"type": "TextPositionSelector", "start": 2**40, "end": 2**40 + 1},
    {"type": "FragmentSelector", "conformsTo": "http://tools.ietf.org/rfc/rfc3778",
     "value": "page=" + "9" * 5000},
])
def test_numbers_out_of_range_refuse_the_set(local: Dossier, tmp_path: Path,
                                             selector: dict[str, Any]) -> None:
    from app.errors import BadInput

    item = w3c_item(1, QUOTES[1])
    item["target"][0]["selector"].append(selector)
    path = tmp_path / "hostile.jsonld"
    path.write_text(json.dumps(item), "utf-8")
    with pytest.raises(BadInput, match="out of range.*nothing was imported"):
        import_set(local, path)
    assert not A.list_annotations(local)

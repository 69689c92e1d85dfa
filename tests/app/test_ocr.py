"""OCR built in: scanned pages import with recognised words, boxes on the ink, and provenance."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from app.dossier import Dossier
from app.importers.base import ImportRefused
from app.importers.ocr import OcrOptions, low_confidence_ranges
from app.services import documents, imports
from app.services.integrity import verify
from db import search as search_index
from tests.helpers.corpus import corpus_dir, requires_corpus
from tests.helpers.scans import LINES, digital_pdf, rasterise, scanned_pdf, word_box
from tests.helpers.scripts_pages import KOREAN, KOREAN_FONT, korean_pdf
from tests.helpers.snapshot import dossier_state

CORPUS = corpus_dir()
requires_tesseract = pytest.mark.skipif(shutil.which("tesseract") is None,
                                        reason="Tesseract is not installed (make system-deps)")


def _tokens(text: str) -> list[str]:
    return re.findall(r"\w[\w,.\-]*\w|\w", text.lower())


@pytest.fixture(scope="module")
def scan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("scan")
    digital = digital_pdf(folder / "digital.pdf")
    return scanned_pdf(folder / "scan.pdf", rasterise(digital, 300))


@requires_tesseract
def test_a_scan_imports_with_recognised_words_on_their_ink(dossier: Dossier, scan: Path) -> None:
    result = imports.import_file(dossier, scan)
    assert result.status == "imported" and result.document is not None
    text = documents.document_text(dossier, result.document.id)
    expected = _tokens(" ".join(line[3] for line in LINES))
    got = _tokens(text)
    common = sum(min(got.count(t), expected.count(t)) for t in set(expected))
    assert common / len(expected) >= 0.95, text
    assert "2,450,000" in text and "88-4172" in text

    (page,) = documents.page_geometry(dossier, result.document.id)
    assert page.ocr is not None
    assert page.ocr["engine"] == "tesseract" and page.ocr["lang"] == "eng"
    assert page.ocr["version"] and page.confidence is not None
    assert len(page.confidence) == page.end - page.start

    # A highlight on "Meridian" covers the word's ink: the union of its character boxes holds
    # every dark pixel of the word as rendered.
    x, y, size, line = LINES[2]
    start = text.index("Meridian")
    boxes = [page.box(page.start + start + i) for i in range(len("Meridian"))]
    hx0, hy0 = min(b[0] for b in boxes), min(b[1] for b in boxes)
    hx1, hy1 = max(b[2] for b in boxes), max(b[3] for b in boxes)
    ink_x0, ink_x1 = word_box(line, x, y, size, "Meridian")
    (image,) = rasterise(scan, 72 * 2)
    pixels = image.load()
    dark = [(px / 2, py / 2)
            for px in range(int(ink_x0 * 2) - 2, int(ink_x1 * 2) + 2)
            for py in range(int((y - size) * 2), int((y + 0.3 * size) * 2))
            if pixels[px, py] < 100]
    assert dark
    inside = [p for p in dark if hx0 - 1 <= p[0] <= hx1 + 1 and hy0 - 1 <= p[1] <= hy1 + 1]
    assert len(inside) / len(dark) >= 0.98
    assert verify(dossier).ok


def test_low_confidence_runs_are_found() -> None:
    conf = bytes([90, 90, 255, 30, 40, 255, 95])
    assert low_confidence_ranges(7, conf) == [(3, 5)]
    assert low_confidence_ranges(7, None) == []


@requires_tesseract
def test_ocr_never_refuses_a_scan_with_the_old_message(
    dossier: Dossier, dossier_path: Path, scan: Path
) -> None:
    before = dossier_state(dossier_path)
    with pytest.raises(ImportRefused, match="no extractable text .it is a scanned image.; OCR it"):
        imports.import_file(dossier, scan, ocr=OcrOptions("never"))
    assert dossier_state(dossier_path) == before


def test_a_blank_pdf_is_blank_not_damaged(dossier: Dossier, tmp_path: Path) -> None:
    from reportlab.pdfgen import canvas

    path = tmp_path / "blank.pdf"
    c = canvas.Canvas(str(path))
    c.showPage()
    c.save()
    with pytest.raises(ImportRefused, match="blank.pdf is blank: its 1 page.s. hold no text"):
        imports.import_file(dossier, path)


@requires_corpus
@requires_tesseract
def test_the_fax_scan_imports_by_ocr_and_is_refused_without(
    dossier: Dossier, dossier_path: Path
) -> None:
    assert CORPUS is not None
    path = CORPUS / "bad" / "scanned-fax-no-text.pdf"
    before = dossier_state(dossier_path)
    with pytest.raises(ImportRefused, match=r"scanned-fax-no-text.pdf has no extractable text "
                       r"\(it is a scanned image\); OCR it first"):
        imports.import_file(dossier, path, ocr=OcrOptions("never"))
    assert dossier_state(dossier_path) == before
    # A 16 x 16 pixel image of a face: recognised, no words found; it imports so that regions
    # of it can be tagged, with a warning saying so.
    result = imports.import_file(dossier, path)
    assert result.status == "imported" and result.document is not None
    # It went through OCR: the page records engine, version and language, and that OCR found
    # no words; the document claims no text and the import ends with a warning saying so.
    (page,) = documents.page_geometry(dossier, result.document.id)
    assert page.ocr is not None
    assert page.ocr["engine"] == "tesseract" and page.ocr["lang"] == "eng"
    assert re.fullmatch(r"\d+\.\d+(\.\d+)?", str(page.ocr["version"]))
    assert page.ocr["words"] == 0
    assert page.start == page.end == 0 and len(page.boxes) == 0
    assert documents.document_text(dossier, result.document.id) == ""
    assert result.warnings and "OCR found no text" in result.warnings[-1]
    assert "scanned-fax-no-text.pdf" in result.warnings[-1]


@requires_corpus
@requires_tesseract
def test_a_broken_page_tree_whose_page_can_be_found_imports(dossier: Dossier) -> None:
    assert CORPUS is not None
    result = imports.import_file(dossier, CORPUS / "bad" / "recursive-page-tree.pdf")
    assert result.status == "imported" and result.document is not None
    assert result.document.pages == 1
    assert any("damaged" in w for w in result.warnings)


@requires_corpus
@requires_tesseract
def test_federal_register_scanned_pages_are_searchable(dossier: Dossier) -> None:
    assert CORPUS is not None
    result = imports.import_file(dossier, CORPUS / "pdf" / "federal-register-2020-17221.pdf")
    assert result.document is not None
    pages = documents.page_geometry(dossier, result.document.id)
    assert [p.number for p in pages if p.ocr] == [8, 9, 10, 11, 12, 13]
    assert not any("mostly image" in w for w in result.warnings)
    with dossier.read() as session:
        hits = search_index.search(session, "Runaway Stabilizer")
    assert 10 in {h.page for h in hits}


def test_a_quote_with_low_confidence_words_is_flagged_in_the_report(dossier: Dossier) -> None:
    from array import array

    from app.exchange.filters import select_for_export
    from app.exchange.report.render import render_report_html
    from app.importers.base import ExtractedDocument, ExtractedPage
    from app.services import annotations, codebook
    from app.services.documents import store_document

    text = "Paid 1,284 to Meridian on Monday"
    conf = bytearray(90 if ch != " " else 255 for ch in text)
    low = text.index("1,284")
    conf[low:low + 5] = bytes([31] * 5)  # "1,284": Tesseract was unsure
    page = ExtractedPage(text, array("f", [0.0] * 4 * len(text)),
                         bytes(1 if ch == " " else 0 for ch in text), 612.0, 792.0,
                         ocr={"engine": "tesseract", "version": "5", "lang": "eng", "dpi": 300},
                         confidence=bytes(conf))
    doc, _ = store_document(dossier, b"%PDF-1.4 scan", ExtractedDocument(
        kind="pdf", text=text, title="Scan", pages=[page], extractor="test"),
        source="test", filename="scan.pdf")
    with dossier.read() as session:
        tag = codebook.resolve_tag(session, "Scale and statistics").id
    annotations.create_annotation(dossier, doc.id, 0, len("Paid 1,284"), [tag])
    annotations.create_annotation(dossier, doc.id, text.index("Meridian"), len(text), [tag])
    html = render_report_html(dossier, select_for_export(dossier))
    assert html.count("recognised with low confidence") == 1
    assert "OCR: 1 word(s) of this quote" in html


def test_pages_of_a_broken_page_tree_that_pdfium_finds_are_imported(
    dossier: Dossier, tmp_path: Path
) -> None:
    import pypdfium2 as pdfium

    data = digital_pdf(tmp_path / "good.pdf").read_bytes()
    broken = data.replace(b"/Type /Page\n", b"/Typ  /Page\n").replace(b"/Type /Page ",
                                                                      b"/Typ  /Page ")
    assert broken != data
    path = tmp_path / "untyped-pages.pdf"
    path.write_bytes(broken)
    assert len(pdfium.PdfDocument(broken)) == 1  # a viewer shows the page
    result = imports.import_file(dossier, path)
    assert result.document is not None and result.document.pages == 1
    assert "Meridian Holdings" in documents.document_text(dossier, result.document.id)
    assert any("not marked as pages" in w for w in result.warnings)


def test_text_is_built_from_tesseracts_word_table() -> None:
    from app.importers.ocr import NO_CONFIDENCE, build_text

    rows = [  # level, block, par, line, left, top, width, height, conf, text
        (5, 1, 1, 1, 100, 100, 90, 30, 96.0, "Paid"),
        (5, 1, 1, 1, 200, 100, 120, 30, 41.5, "2,450,000"),
        (5, 1, 1, 2, 100, 140, 150, 30, 93.0, "transfer-"),
        (5, 1, 1, 3, 100, 180, 60, 30, 90.0, "red"),
        (4, 1, 2, 1, 0, 0, 0, 0, -1.0, ""),
        (5, 1, 2, 1, 100, 260, 80, 30, 88.0, "Lagos"),
    ]
    keys = ("level", "block_num", "par_num", "line_num", "left", "top", "width", "height",
            "conf", "text")
    table = {k: [r[i] for r in rows] for i, k in enumerate(keys)}
    out = build_text(table, 72.0 / 300)
    assert out.text == "Paid 2,450,000 transfer-red\nLagos"
    assert out.words == 5
    assert len(out.boxes) == 4 * len(out.text) and len(out.confidence) == len(out.text)
    amount = out.text.index("2,450,000")
    assert out.boxes[4 * amount] == pytest.approx(200 * 72 / 300)
    assert out.boxes[4 * (amount + 8) + 2] == pytest.approx(320 * 72 / 300)
    assert out.confidence[amount] == 42 and out.confidence[0] == 96
    assert out.confidence[4] == NO_CONFIDENCE and out.synthetic[4] == 1  # the space
    assert low_confidence_ranges(len(out.text), out.confidence) == [(amount, amount + 9)]
    # Beside a text layer: words on its glyphs, and unsure words, are left out.
    beside = build_text(table, 72.0 / 300, covered=[(20.0, 20.0, 50.0, 35.0)],
                        min_confidence=40)
    assert beside.text == "2,450,000 transfer-red\nLagos"


def test_which_pages_are_recognised() -> None:
    auto, always, never = OcrOptions("auto"), OcrOptions("always"), OcrOptions("never")
    assert auto.wanted(has_text=False, has_image=True)
    assert not auto.wanted(has_text=True, has_image=True)
    assert auto.wanted(has_text=True, has_image=True, mostly_image=True)
    assert not auto.wanted(has_text=False, has_image=False)  # blank: nothing to read
    assert always.wanted(has_text=True, has_image=False)
    assert not never.wanted(has_text=False, has_image=True)


@requires_tesseract
@pytest.mark.skipif(not KOREAN_FONT.exists(), reason="fonts-nanum not installed (.ci/ocr-deps.sh)")
def test_a_korean_scan_is_read_line_by_line_with_its_word_spaces(tmp_path: Path) -> None:
    from app.importers.ocr import installed_languages
    from app.importers.pdf import extract_pdf

    if "kor" not in installed_languages():
        pytest.skip("tesseract-ocr-kor not installed (.ci/ocr-deps.sh)")
    lines = KOREAN[:4]
    pdf = korean_pdf(tmp_path / "korean.pdf", lines)
    scan = scanned_pdf(tmp_path / "korean-scan.pdf", rasterise(pdf, 300))
    page = extract_pdf(scan, workers=1, ocr=OcrOptions("auto", "kor")).pages[0]
    # Every line, in order, with its words spaced as printed (Tesseract's word table cuts Korean
    # words into syllables; its automatic layout alone loses most of the page).
    assert " ".join(page.text.split()) == " ".join(" ".join(lines).split())
    assert page.ocr is not None and page.ocr["lang"] == "kor"

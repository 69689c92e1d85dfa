"""PDF evidence reports of hundreds of pages: every entry, long notes and the index are printed.

The full-size cases of the hardening issue (3,000 annotations; one 10 MB note) run in
``benchmarks/report.py``; here one report of several hundred pages holds 700 annotations, one
of them with a 600 KB note, and is read back with PDFium (pypdfium2) page by page.
"""

from __future__ import annotations

import re
from pathlib import Path

import pypdfium2
import pytest
from pypdf import PdfReader, PdfWriter

from app.dossier import Dossier
from app.errors import CheckFailed
from app.exchange import export
from app.exchange.filters import select_for_export
from app.exchange.report.check import check_report_pdf
from app.exchange.report.model import build_report
from app.services import annotations, codebook
from tests.helpers.documents import add_text_document

WORDS = ["passport", "wages", "account", "state", "worker", "manager", "overseas", "agency",
         "salary", "deposit", "fund", "construction", "quota", "labour", "export"]
COUNT = 700


def _text_of(path: Path) -> tuple[list[str], str]:
    """Each page's text, and all of it without whitespace and page footers."""
    pdf = pypdfium2.PdfDocument(str(path))
    pages = []
    for page in pdf:
        textpage = page.get_textpage()
        pages.append(textpage.get_text_range())
        textpage.close()
        page.close()
    pdf.close()
    body = "".join(re.sub(r"Evidence report|page \d+ of \d+", "", page) for page in pages)
    return pages, re.sub(r"\s+", "", body)


@pytest.fixture
def big(dossier: Dossier) -> tuple[Dossier, str]:
    body = " ".join(WORDS[(i * 7) % len(WORDS)] for i in range(20_000))
    doc = add_text_document(dossier, body, "Long report")
    with dossier.read() as session:
        tags = [t.id for t in codebook.list_tags(session) if t.is_codable]
    long_note = " ".join(f"line{i:05d} of the long note about payments" for i in range(15_000))
    long_note += " END-OF-THE-LONG-NOTE"
    for i in range(COUNT):
        start = (i * 131) % (len(body) - 400)
        note = long_note if i == COUNT // 2 else f"Note {i}: second source" if i % 2 else ""
        annotations.create_annotation(dossier, doc.id, start, start + 80 + i % 200,
                                      [tags[i % len(tags)]], note=note, reliability="B",
                                      credibility=2)
    return dossier, long_note


@pytest.mark.slow
def test_a_report_of_hundreds_of_pages_holds_every_entry_the_long_note_and_the_index(
    big: tuple[Dossier, str], tmp_path: Path
) -> None:
    dossier, long_note = big
    out = tmp_path / "report.pdf"
    result = export(dossier, "report-pdf", out)
    assert result.annotations == COUNT
    pages, flat = _text_of(out)
    assert len(pages) > 200
    assert pages[-1].rstrip().endswith(f"page {len(pages)} of {len(pages)}")
    selection = select_for_export(dossier)
    index_at = flat.index("Documentindex")
    for ann in selection.annotations:
        assert 0 <= flat.find(f"id{ann.id[:8]}") < index_at, ann.id
    assert "line00000ofthelongnote" in flat and "line14999ofthelongnoteaboutpaymentsEND" in flat
    assert flat.count("ofthelongnoteaboutpayments") == 15_000  # every line of it, once
    for doc in selection.documents:
        assert doc.sha256 in flat[index_at:]

    # the exporter's own check refuses the same report cut in half
    reader = PdfReader(out)
    cut = PdfWriter()
    for page in reader.pages[: len(reader.pages) // 2]:
        cut.add_page(page)
    short = tmp_path / "short.pdf"
    with short.open("wb") as fh:
        cut.write(fh)
    report = build_report(selection)
    assert check_report_pdf(out, report) == len(pages)
    with pytest.raises(CheckFailed, match=r"the PDF report is incomplete: .* is not in it"):
        check_report_pdf(short, report)

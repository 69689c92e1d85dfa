"""The evidence report's "Money flows" section: the graph and the flows with their sources."""

from __future__ import annotations

import os
from pathlib import Path

import pypdfium2 as pdfium

from app.dossier import Dossier
from app.exchange import export
from app.money.amounts import parse_amount
from app.money.facts import record_fact
from app.money.screening import decide, screen_dossier
from tests.helpers.corpus import requires_corpus
from tests.helpers.money import record_seed_claims
from tests.helpers.screening_list import add_entities, write_list


@requires_corpus
def test_report_has_a_money_flow_section(qapp: object, dossier: Dossier, tmp_path: Path) -> None:
    seed = record_seed_claims(dossier)
    add_entities(dossier, with_unrelated=False)
    for text in ("USD 250,000", "EUR 40,000", "USD 50,000"):
        record_fact(dossier, "payment", [seed.annotations["deposits"]], "Petr Ivanovich Sidorov",
                    "Government of North Korea", amount=parse_amount(text))
    result = screen_dossier(dossier, write_list(tmp_path / "list.ftm.json"))
    decide(dossier, result.candidates[0].id, "confirmed", "same birth year")
    export(dossier, "report-html", tmp_path / "report.html")
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    section = page[page.index("<h2>Money flows</h2>"):page.index("Document index")]
    assert "billions of dollars a year" in section and "range 1,000,000,000–" in section
    assert "Government of North Korea" in section and "1 independent source<" in section
    assert "Confirmed screening matches" in section and "FICT-RUS-1" in section
    # USD and EUR between the same pair: two rows, never one sum.
    assert "300,000 USD (stated exactly)" in section and "40,000 EUR (stated exactly)" in section
    assert "340,000" not in section
    svg = section[section.index("<svg"):section.index("</svg>")]
    assert "Government of North Korea" in svg and "Petr Ivanovich Sidorov" in svg
    assert "⚠ listed" in svg  # the confirmed match is marked in the graph

    export(dossier, "report-pdf", tmp_path / "report.pdf")
    pdf = pdfium.PdfDocument(str(tmp_path / "report.pdf"))
    texts = [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]
    money_pages = [i for i, t in enumerate(texts) if "Money flows" in t]
    assert money_pages, "the PDF has a Money flows page"
    text = " ".join(" ".join(texts[money_pages[0]:]).split())
    assert "billions of dollars a year" in text and "Government of North Korea" in text
    # The graph is drawn on the page as vectors: its boxes' labels are text of that page.
    assert "listed:" in texts[money_pages[0]] and "PublicBody" in texts[money_pages[0]]
    pdf.close()
    shots = os.environ.get("DOSSIER_SCREENSHOTS")
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
        (Path(shots) / "money-report.pdf").write_bytes((tmp_path / "report.pdf").read_bytes())

"""Evidence report: grouped annotations with their evidence facts, escaped, as HTML and PDF."""

from __future__ import annotations

import re
from array import array
from html.parser import HTMLParser
from pathlib import Path

import pdfplumber
import pytest

from app.dossier import Dossier
from app.exchange.filters import ReviewRecord, Selection, select_for_export
from app.exchange.report.pdf import report_pdf, write_report_pdf
from app.exchange.report.render import write_report_html
from app.importers.base import ExtractedDocument, ExtractedPage
from app.services import annotations, codebook
from app.services.documents import DocumentView, store_document
from app.textmodel import normalise

ARTICLE = (
    "North Korean workers in Russia said managers took their passports on arrival.\n\n"
    "Most wages were paid into accounts controlled by the state, a former official said. "
    "One worker wrote <script>alert('pwned')</script> on the wall & left.\n\n"
    "The money funds the weapons programme, according to the UN panel."
)
LEDGER = "Payments by the employer went to a front company in Vladivostok."


def _store(
    dossier: Dossier, text: str, title: str, url: str | None, author: str | None
) -> DocumentView:
    text = normalise(text)
    extracted = ExtractedDocument(
        kind="html" if url else "text",
        text=text,
        title=title,
        url=url,
        author=author,
        extractor="test",
    )
    doc, _ = store_document(
        dossier, text.encode("utf-8"), extracted, source=url or "test", filename=f"{title}.html"
    )
    return doc


def _tag(dossier: Dossier, spec: str) -> str:
    with dossier.read() as session:
        return codebook.resolve_tag(session, spec).id


def _annotate(
    dossier: Dossier, doc: DocumentView, text: str, quote: str, tags: list[str], **fields: object
) -> None:
    start, end = annotations.find_quote(normalise(text), quote)
    annotations.create_annotation(
        dossier, doc.id, start, end, [_tag(dossier, t) for t in tags], **fields
    )  # type: ignore[arg-type]


@pytest.fixture
def selection(dossier: Dossier) -> Selection:
    article = _store(
        dossier,
        ARTICLE,
        "Workers <b>abroad</b>",
        "https://news.example.org/nk-workers?a=1&b=2",
        "J. Reporter",
    )
    ledger = _store(dossier, LEDGER, "Ledger", "javascript:alert(1)", None)
    _annotate(
        dossier,
        article,
        ARTICLE,
        "managers took their passports on arrival",
        ["Retention of identity documents", "Restriction of movement"],
        reliability="B",
        credibility=2,
        status="approved",
        note="Matches the UN panel's 2023 report.",
        attribution="Former worker",
    )
    _annotate(
        dossier,
        article,
        ARTICLE,
        "paid into accounts controlled by the state",
        ["Wage deposits to state-controlled accounts"],
        reliability="C",
        credibility=3,
        attribution="A former official",
    )
    _annotate(
        dossier,
        article,
        ARTICLE,
        "<script>alert('pwned')</script>",
        [],
        note="<img src=x onerror=alert(2)>",
    )
    _annotate(
        dossier,
        ledger,
        LEDGER,
        "went to a front company in Vladivostok",
        ["Evasion channels"],
        status="submitted",
    )
    scan = _store_pdf(dossier, ["Cover page", "Evidence on page 2: a wage list."])
    annotations.create_annotation(dossier, scan.id, 12, 36, [_tag(dossier, "Scale and statistics")])
    return select_for_export(dossier)


def _store_pdf(dossier: Dossier, pages: list[str]) -> DocumentView:
    """A paged document (a text original standing in for a PDF: only page ranges matter)."""
    extracted = ExtractedDocument(
        kind="pdf",
        text="",
        title="Scanned ledger",
        extractor="test",
        pages=[
            ExtractedPage(t, array("f", [0.0] * 4 * len(t)), bytes(len(t)), 612, 792) for t in pages
        ],
    )
    doc, _ = store_document(
        dossier, b"%PDF-1.4 stand-in", extracted, source="test", filename="ledger.pdf"
    )
    return doc


class _Outline(HTMLParser):
    """Headings and blockquote texts of the report, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.items: list[tuple[str, str]] = []
        self._open: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("h2", "h3", "blockquote"):
            self._open, self._text = tag, []

    def handle_endtag(self, tag: str) -> None:
        if tag == self._open:
            self.items.append((tag, "".join(self._text)))
            self._open = None

    def handle_data(self, data: str) -> None:
        if self._open:
            self._text.append(data)


def test_html_report_groups_by_family_then_tag_with_exact_quotes(
    selection: Selection, tmp_path: Path
) -> None:
    out = tmp_path / "report.html"
    assert write_report_html(None, selection, out) == []  # type: ignore[arg-type]
    page = out.read_text(encoding="utf-8")
    outline = _Outline()
    outline.feed(page)
    heads = [
        (tag, re.sub(r"\s*\(\d+\)$", "", text).lstrip("■ ").strip())
        for tag, text in outline.items
        if tag != "blockquote"
    ]
    assert heads == [
        ("h2", "Abuses"),
        ("h3", "Restriction of movement"),
        ("h3", "Retention of identity documents"),
        ("h2", "Funding flows"),
        ("h3", "Wage deposits to state-controlled accounts"),
        ("h3", "Evasion channels"),
        ("h2", "Context"),
        ("h3", "Scale and statistics"),
        ("h2", "Untagged"),
        ("h2", "Document index"),
    ]
    quotes = [text for tag, text in outline.items if tag == "blockquote"]
    by_id = {a.id: a for a in selection.annotations}
    expected = [by_id[a].quote for a in by_id]
    assert sorted(set(quotes)) == sorted(expected)
    assert quotes.count("managers took their passports on arrival") == 2  # under both tags


def test_html_report_shows_the_evidence_facts(selection: Selection, tmp_path: Path) -> None:
    approved = next(a for a in selection.annotations if a.status == "approved")
    selection.reviews[approved.id] = [
        ReviewRecord("r1", approved.id, "bob", "changes_requested", "Which report?",
                     "2026-01-02T10:00:00.000000Z"),
        ReviewRecord("r2", approved.id, "bob", "approved", "Source <confirmed>",
                     "2026-01-03T11:30:00.000000Z"),
    ]
    out = tmp_path / "report.html"
    write_report_html(None, selection, out)  # type: ignore[arg-type]
    page = out.read_text(encoding="utf-8")
    for doc in selection.documents:
        assert doc.sha256 in page
    assert selection.chain_head in page and selection.exported_at in page
    assert "B2 (usually reliable; probably true)" in page
    assert "C3 (fairly reliable; possibly true)" in page
    assert "Review: <b>approved</b> — approved by bob, 2026-01-03 11:30 UTC " \
           "(“Source &lt;confirmed&gt;”)" in page
    assert "Review: <b>submitted</b>" in page and "Which report?" not in page
    assert "Attributed to: Former worker" in page
    assert "Matches the UN panel&#39;s 2023 report." in page
    assert '<a href="https://news.example.org/nk-workers?a=1&amp;b=2">' in page
    assert "document author: J. Reporter" in page
    assert "<b>Scanned ledger</b> · p. 2<br>" in page


def test_html_report_escapes_hostile_text(selection: Selection, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    write_report_html(None, selection, out)  # type: ignore[arg-type]
    page = out.read_text(encoding="utf-8")
    assert "<script" not in page.lower() and "<img" not in page.lower()
    assert "&lt;script&gt;alert(&#39;pwned&#39;)&lt;/script&gt;" in page
    assert "Workers &lt;b&gt;abroad&lt;/b&gt;" in page
    assert 'href="javascript' not in page and "javascript:alert(1)" in page


def _mono_text(path: Path) -> str:
    """The text set in the monospace font (hashes), all pages, whitespace removed."""
    with pdfplumber.open(path) as pdf:
        return "".join(
            c["text"] for page in pdf.pages for c in page.chars if "Mono" in c["fontname"]
        )


def test_pdf_report_opens_and_holds_quotes_and_hashes(
    selection: Selection, tmp_path: Path
) -> None:
    out = tmp_path / "report.pdf"
    assert write_report_pdf(None, selection, out) == []  # type: ignore[arg-type]
    with pdfplumber.open(out) as pdf:
        assert len(pdf.pages) >= 2
        assert abs(pdf.pages[0].width - 595.3) < 1 and abs(pdf.pages[0].height - 841.9) < 1
        text = "\n".join(page.extract_text() or "" for page in pdf.pages)
    flat = "".join(text.split())
    for ann in selection.annotations:
        assert "".join(ann.quote.split()) in flat
    assert "Documentindex" in flat and "Evidencereport" in flat
    hashes = _mono_text(out)
    assert selection.chain_head in hashes
    for doc in selection.documents:
        assert doc.sha256 in hashes


def test_pdf_report_of_an_empty_selection(dossier: Dossier) -> None:
    data = report_pdf(select_for_export(dossier))
    assert data.startswith(b"%PDF")
    path = Path(dossier.folder) / "empty.pdf"
    path.write_bytes(data)
    with pdfplumber.open(path) as pdf:
        assert "No annotations match" in (pdf.pages[0].extract_text() or "")


def test_pdf_report_is_made_without_qt(dossier: Dossier, tmp_path: Path) -> None:
    """The core never creates a QGuiApplication: a PDF report loads no Qt module at all."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from app.dossier import Dossier\n"
        "from app.exchange import export\n"
        "d = Dossier.open(sys.argv[1], user='alice')\n"
        "export(d, 'report-pdf', sys.argv[2])\n"
        "print(sorted(m for m in sys.modules if m.startswith(('PySide6', 'shiboken6'))))\n"
    )
    out = tmp_path / "report.pdf"
    proc = subprocess.run([sys.executable, "-c", code, str(dossier.folder), str(out)],
                          capture_output=True, text=True, timeout=300,
                          cwd=Path(__file__).resolve().parents[2])
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"
    assert out.read_bytes().startswith(b"%PDF")

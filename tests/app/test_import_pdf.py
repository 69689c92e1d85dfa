"""PDF extraction: text in reading order, spacing, duplicates, bidi, columns, metadata, refusals.

Every expected passage below was read off the page as rendered by PDFium (pypdfium2), not taken
from the extractor's output.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from pathlib import Path

import pdfplumber
import pypdfium2 as pdfium
import pytest

from app.importers.base import (
    ExtractedDocument,
    ImportCancelled,
    ImportRefused,
    PasswordRequired,
    join_pages,
)
from app.importers.pdf import (
    PdfSettings,
    extract_pdf,
    extractor_id,
    iter_pdf_pages,
    open_pdf,
    pdf_date,
)
from app.textmodel import normalise
from tests.helpers.corpus import corpus_dir, requires_corpus

pytestmark = [requires_corpus, pytest.mark.corpus]

CORPUS = corpus_dir() or Path("/nonexistent")
PDFS = CORPUS / "pdf"
BAD = CORPUS / "bad"
BIG = "GeoTopo-komprimiert.pdf"
SMALL = sorted(p.name for p in PDFS.glob("*.pdf") if p.name != BIG)

#: Passages read off the rendered pages (pypdfium2), per file.
PASSAGES: dict[str, list[str]] = {
    "2023-06-20-PV.pdf": [
        "COMITÉ DE DÉMOLITION",
        "Séance publique tenue le 20 juin, à 16h00 à la salle du conseil",
        "M. Gaëtan Gagné, conseiller municipal",
        "Mme Ariane Bélanger, greffière adjointe, Service du greffe",
        "La séance est ouverte à 16h00.",
        "ordre du jour de la séance est adopté.",
    ],
    "annotated_pdf.pdf": ["Some text.", "Line 1", "Line 2", "Not highlighted"],
    "annotations.pdf": ["Dummy PDF file"],
    "federal-register-2020-17221.pdf": [
        "DEPARTMENT OF TRANSPORTATION",
        "Federal Aviation Administration",
        "14 CFR Part 39",
        "Airworthiness Directives; The Boeing Company Airplanes",
        # a sentence wrapping over two lines of one column
        "Investigation of the accident has been completed by the Indonesian authorities",
        "These effects include stall warning activation, airspeed disagree alert, and",
    ],
    "google-doc-document.pdf": [
        "Example document",
        "Beautiful is better than ugly.",
        "There should be one-- and preferably only one --obvious way to do it.",
        "Vatican City",
        "2021 estimate",
    ],
    "habibi.pdf": ["habibi حَبيبي"],
    "habibi-rotated.pdf": ["habibi حَبيبي"],
    "image-with-watermark-text.pdf": [
        "Produced with a Trial Version of PDF Annotator - www.PDFAnnotator.com"
    ],
    "issue-71-duplicate-chars.pdf": [
        # wraps from one line to the next: CJK lines join without a space
        "负责四川省甘孜州丹巴磨子电站引水隧洞爆破方案优化设计及爆破震动监测工作",
        "北京师范大学珠海分校",
        "青岛理工大学",
        "教育经历",
        "培训经历",
        "3com 认证网络大师",
        "语言能力",
        "专业技能",
    ],
    "la-precinct-bulletin-2014-p1.pdf": [
        "REGISTRAR-RECORDER/COUNTY CLERK",
        "PRECINCT BULLETINS",
        "327 BALLOTS CAST",
        "1100 REGISTERED VOTERS",
        "NEEL KASHKARI",
        "EDMUND G BROWN",
    ],
    "malformed-from-issue-932.pdf": ["2021", "31"],
    "multicolumn.pdf": [
        "Two-Column Document with Lorem Ipsum",
        "Your Name",
        "January 3, 2024",
        "This is a sample document with two columns filled with Lorem Ipsum text.",
        "lacus vel est. Curabitur consectetuer.",
        "Suspendisse vitae elit. Aliquam arcu neque, ornare in, ullamcorper quis",
    ],
    "nics-background-checks-2015-11-rotated.pdf": [
        "NICS Firearm Background Checks",
        "November - 2015",
        "State / Territory",
        "Alabama\t18,870\t23,022\t22,650\t859",
    ],
    "pdflatex-4-pages.pdf": [
        "Hello, here is some text without a meaning.",
        "This text should show what a printed text will look like at this place.",
        "Is there a difference between this text and some nonsense like",
        "Kjift – not at all!",
        "you will get no information. Really? Is there no information?",
    ],
    "scotus-transcript-p1.pdf": [
        "IN THE SUPREME COURT OF THE UNITED STATES",
        "Washington, D.C.",
        "Tuesday, January 13, 2009",
        "The above-entitled matter came on for oral",
        "STEVEN E. MERCER, ESQ., Deputy Attorney General, Los",
    ],
    "senate-expenditures.pdf": [
        "LEGISLATIVE CORRESPONDENT TO JUL. 15 AND FROM AUG. 11 TO AUG. 14",
        "CITIBANK - TRAVEL CBA CARD",
        "AIRFARE FOR E JOHNSON KANSAS CITY TO WASHINGTON DC AND RETURN",
        "DHAW20190001",
    ],
    "unreadablemetadata.pdf": [
        "Data Sheet",
        "Rotary Potentiometer",
        "Dust-proof construction",
        "Precision linearity",
        "Superior resistance stability in temperature and environment change",
        "Electrical and Mechanical Specifications",
        "RoHS compliant",
    ],
    BIG: [
        "Einführung in die",
        "Geometrie und Topologie",
        "0. Auflage, 31. Dezember 2016",
        "Martin Thoma",
        "Beobachtung: d erzeugt die euklidische Topologie.",
        "Abbildung 1.3: Veranschaulichungen zur Metrik d aus Beispiel 10",
    ],
}



@pytest.fixture(scope="module")
def big() -> ExtractedDocument:
    """The 117-page document, once, through the worker pool."""
    return extract_pdf(PDFS / BIG, workers=2)


def reference_page_count(path: Path) -> int:
    """PDFium's page count, or pdfplumber's where PDFium cannot open the (damaged) file."""
    try:
        return len(pdfium.PdfDocument(path))
    except pdfium.PdfiumError:
        with pdfplumber.open(path) as pdf:
            return len(pdf.pages)


def check_invariants(d: ExtractedDocument) -> None:
    assert d.kind == "pdf"
    text, _ranges = join_pages(d.pages)
    assert d.text == text
    for page in d.pages:
        assert len(page.boxes) == 4 * len(page.text)
        assert len(page.synthetic) == len(page.text)
        assert normalise(page.text) == page.text  # NFC, \n line ends, no NUL
        assert "\r" not in page.text and "\x00" not in page.text
        assert page.width > 0 and page.height > 0
        for k, ch in enumerate(page.text):
            if ch in " \n" and page.synthetic[k]:
                x0, _t, x1, _b = page.box(k)
                assert x0 == x1 or _t == _b  # inserted characters have no extent
        assert all(flag in (0, 1) for flag in page.synthetic)
        assert not page.text.startswith((" ", "\n")) and not page.text.endswith((" ", "\n"))
    assert "pdfplumber=" in d.extractor and "pdfminer.six=" in d.extractor


@pytest.mark.parametrize("name", SMALL)
def test_every_corpus_pdf_imports_with_its_page_count(
    name: str, doc: Callable[[str], ExtractedDocument]
) -> None:
    d = doc(name)
    assert len(d.pages) == reference_page_count(PDFS / name)
    check_invariants(d)
    assert d.text.strip()


@pytest.mark.parametrize("name", sorted(n for n in PASSAGES if n != BIG))
def test_passages_read_off_the_rendered_pages_are_found(
    name: str, doc: Callable[[str], ExtractedDocument]
) -> None:
    text = doc(name).text
    missing = [p for p in PASSAGES[name] if p not in text]
    assert not missing, f"{name}: not found: {missing}"


@pytest.mark.slow
def test_the_117_page_document_through_the_pool(big: ExtractedDocument) -> None:
    assert len(big.pages) == reference_page_count(PDFS / BIG) == 117
    check_invariants(big)
    for passage in PASSAGES[BIG]:
        assert passage in big.text
    assert big.title == "Geometrie und Topologie"
    assert big.author == "Martin Thoma"
    assert [p.label for p in big.pages[:5]] == ["i", "ii", "iii", "1", "2"]


# --- spacing, duplicates, bidi, columns --------------------------------------------------------


def test_pdflatex_word_spaces_are_restored(doc: Callable[[str], ExtractedDocument]) -> None:
    text = doc("pdflatex-4-pages.pdf").text
    # pdfplumber's default tolerances glue these words together
    assert "hereissometext" not in text
    assert "Thistextshould" not in text
    assert (
        "Hello, here is some text without a meaning. This text should show what a printed" in text
    )


def test_duplicate_glyphs_are_drawn_once(doc: Callable[[str], ExtractedDocument]) -> None:
    text = doc("issue-71-duplicate-chars.pdf").text
    assert "项目描述：负责" in text
    assert "项项" not in text and "目目" not in text and "描描" not in text
    assert text.count("北京师范大学珠海分校") == 1
    sheet = doc("unreadablemetadata.pdf").text
    assert "Series 026 Data Sheet" in sheet
    assert "DDaattaa" not in sheet


def test_right_to_left_text_is_in_logical_order(doc: Callable[[str], ExtractedDocument]) -> None:
    text = doc("habibi.pdf").text
    word = "حَبيبي"  # typed: ح, fatha, ب, ي, ب, ي
    assert word[0] == "\u062d"
    assert "habibi " + word in text
    assert word[::-1] not in text  # not in visual (reversed) order
    for page in doc("habibi-rotated.pdf").pages:
        assert "habibi " + word in page.text


def test_two_columns_are_read_one_after_the_other(doc: Callable[[str], ExtractedDocument]) -> None:
    page = doc("multicolumn.pdf").pages[0].text
    end_of_first = page.index("Vivamus viverra fermentum felis. Donec nonummy")
    start_of_second = page.index("pellentesque ante. Phasellus adipiscing semper elit.")
    assert end_of_first < start_of_second
    # the first column is complete before the second starts
    assert page.index("Pellentesque cursus luctus mauris.") < start_of_second
    # a sentence wrapping over lines of a column: one space
    assert "Cras viverra metus rhon-cus sem." in page or "Cras viverra metus rhoncus sem." in page
    assert "Integer sapien est, iaculis in, pretium quis, viverra ac, nunc." in page
    second = doc("multicolumn.pdf").pages[1].text
    assert second.index("vehicula eu, lacus.") < second.index("luctus et ultrices posuere")


def test_three_columns_of_the_federal_register(doc: Callable[[str], ExtractedDocument]) -> None:
    page = doc("federal-register-2020-17221.pdf").pages[1].text
    first = page.index("Hatta International Airport in Jakarta")
    second = page.index("may affect the flightcrew")
    third = page.index("and the Ethiopian Civil Aviation")
    assert first < second < third
    assert "the flight data recorder, which is contained in the Indonesian accident" in page


def test_tables_are_read_row_by_row(doc: Callable[[str], ExtractedDocument]) -> None:
    # A row is one line, its cells in column order separated by a tab (pastes into a sheet).
    table = doc("multicolumn.pdf").pages[2].text
    assert "Belgium\t11.5\t30,689\tBrussels\tDutch, French, German\n" in table
    nics = doc("nics-background-checks-2015-11-rotated.pdf").text
    assert "\nAlabama\t18,870\t23,022\t22,650\t859\t" in nics


# --- metadata, warnings ------------------------------------------------------------------------


def test_metadata_from_the_pdf_info(doc: Callable[[str], ExtractedDocument]) -> None:
    pv = doc("2023-06-20-PV.pdf")
    with pdfplumber.open(PDFS / "2023-06-20-PV.pdf") as pdf:
        assert pv.title == pdf.metadata["Title"]
    assert pv.metadata["created"] == "2023-06-21T09:30:27-04:00"  # D:20230621093027-04'00'
    assert pv.metadata["modified"] == "2023-06-21T10:09:55-04:00"
    assert pv.published == pv.metadata["created"]
    fr = doc("federal-register-2020-17221.pdf")
    assert fr.metadata["created"] == "2020-08-06T09:51:25Z"
    assert fr.title == "federal-register-2020-17221"  # no title in the file: the file name
    scotus = doc("scotus-transcript-p1.pdf")
    assert scotus.author == "Supreme"


def test_pdf_dates() -> None:
    assert pdf_date("D:20161231184323+01'00'") == "2016-12-31T18:43:23+01:00"
    assert pdf_date("D:20200806095125Z") == "2020-08-06T09:51:25Z"
    assert pdf_date("D:2008") == "2008"
    assert pdf_date("D:200805") == "2008-05"
    assert pdf_date("yesterday") is None


def test_unreadable_metadata_imports_with_none(doc: Callable[[str], ExtractedDocument]) -> None:
    d = doc("unreadablemetadata.pdf")
    assert d.metadata == {}
    assert d.title == "unreadablemetadata"
    assert d.author is None and d.published is None


def test_title_falls_back_to_the_name_given() -> None:
    d = extract_pdf(PDFS / "habibi-rotated.pdf", title="Habibi, rotated")
    assert d.title == "Habibi, rotated"
    assert extract_pdf(PDFS / "habibi.pdf", title="ignored").title == "habibi"  # from the PDF


def test_image_pages_are_imported_with_a_warning(doc: Callable[[str], ExtractedDocument]) -> None:
    d = doc("image-with-watermark-text.pdf")
    assert any("page 1" in w and "mostly image" in w for w in d.warnings)
    malformed = doc("malformed-from-issue-932.pdf")
    assert len(malformed.pages) == 1
    assert any("mostly image" in w for w in malformed.warnings)
    assert doc("multicolumn.pdf").warnings == []


# --- settings, streaming, parallel, cancel ---------------------------------------------------


def test_settings_are_honoured_and_recorded(doc: Callable[[str], ExtractedDocument]) -> None:
    default = doc("pdflatex-4-pages.pdf")
    wide = extract_pdf(PDFS / "pdflatex-4-pages.pdf", settings=PdfSettings(x_tolerance_ratio=0.6))
    assert wide.text != default.text
    assert "hereissometext" in wide.text.replace(" ", "") and "is some" not in wide.text
    assert wide.extractor != default.extractor
    assert "x_tolerance_ratio=0.6" in wide.extractor
    assert default.extractor == extractor_id(PdfSettings())
    doubled = extract_pdf(
        PDFS / "issue-71-duplicate-chars.pdf", settings=PdfSettings(dedupe_tolerance=0)
    )
    # Drawn twice and not merged: each copy stays whole (never interleaved "项项目目").
    assert "项目描述：项目描述：" in doubled.text and "项项" not in doubled.text
    lines = extract_pdf(PDFS / "multicolumn.pdf", settings=PdfSettings(join_paragraph_lines=False))
    assert "two columns filled\nwith Lorem Ipsum text." in lines.text


def test_same_file_same_settings_same_text(doc: Callable[[str], ExtractedDocument]) -> None:
    again = extract_pdf(PDFS / "federal-register-2020-17221.pdf", workers=2)
    first = doc("federal-register-2020-17221.pdf")
    assert again.text == first.text
    assert [p.boxes for p in again.pages] == [p.boxes for p in first.pages]
    assert [p.synthetic for p in again.pages] == [p.synthetic for p in first.pages]


def test_pages_stream_in_order_with_progress() -> None:
    seen: list[int] = []
    progress: list[tuple[int, int]] = []
    for index, page in iter_pdf_pages(
        PDFS / "federal-register-2020-17221.pdf", workers=2,
        progress=lambda done, total: progress.append((done, total)),
    ):
        seen.append(index)
        assert page.text
    assert seen == list(range(15))
    assert progress == [(i, 15) for i in range(1, 16)]


def test_open_then_stream_then_assemble() -> None:
    source = open_pdf(PDFS / "multicolumn.pdf")
    assert source.page_count == 3
    pages = [page for _, page in source.iter_pages(workers=1)]
    d = source.document(pages)
    assert d.text.startswith("Two-Column Document with Lorem Ipsum")


@pytest.mark.parametrize("workers", [1, 2])
def test_cancel_between_pages(workers: int) -> None:
    calls = {"n": 0}

    def cancel() -> bool:
        calls["n"] += 1
        return calls["n"] > 3

    with pytest.raises(ImportCancelled):
        extract_pdf(PDFS / "federal-register-2020-17221.pdf", workers=workers, cancel=cancel)
    assert calls["n"] == 4  # stopped at the first check that said so, not after every page


def test_boxes_of_ligatures_and_nfc() -> None:
    """Ligature glyphs are expanded (every code point gets the glyph's box); text is NFC."""
    d = extract_pdf(PDFS / "pdflatex-4-pages.pdf")
    assert "\ufb01" not in d.text and "\ufb00" not in d.text
    assert "difference" in d.text
    page = d.pages[0]
    k = page.text.index("difference")
    # "ff" is one glyph in Computer Modern: both letters share its box
    assert page.box(k + 2) == page.box(k + 3)
    assert unicodedata.is_normalized("NFC", d.text)


# --- refusals ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "error", "words"),
    [
        ("empty.pdf", ImportRefused, ["empty.pdf", "empty", "0 bytes"]),
        ("truncated.pdf", ImportRefused, ["truncated.pdf", "truncated", "again"]),
        ("html-named.pdf", ImportRefused, ["html-named.pdf", "not a PDF", "HTML"]),
        (
            "scanned-fax-no-text.pdf",
            ImportRefused,
            ["scanned-fax-no-text.pdf", "no extractable text", "scanned image", "OCR it first"],
        ),
        (
            "recursive-page-tree.pdf",
            ImportRefused,
            ["recursive-page-tree.pdf", "damaged", "page tree"],
        ),
        (
            "libreoffice-writer-password.pdf",
            PasswordRequired,
            ["libreoffice-writer-password.pdf", "encrypted", "--password"],
        ),
        ("password-example.pdf", PasswordRequired, ["encrypted", "--password"]),
    ],
)
def test_bad_files_are_refused_with_a_specific_message(
    name: str, error: type[ImportRefused], words: list[str]
) -> None:
    with pytest.raises(error) as info:
        extract_pdf(BAD / name)
    message = str(info.value)
    assert "\n" not in message
    for word in words:
        assert word in message


def test_wrong_password_is_named_as_such() -> None:
    with pytest.raises(PasswordRequired, match="wrong password"):
        extract_pdf(BAD / "password-example.pdf", password="nope")


def test_encrypted_pdf_imports_with_its_password() -> None:
    d = extract_pdf(BAD / "password-example.pdf", password="test")
    assert len(d.pages) == len(pdfium.PdfDocument(BAD / "password-example.pdf", password="test"))
    check_invariants(d)
    assert (
        "Starting from version 2 it is easier to install Backup4all in a network environment."
        in d.text
    )
    assert "Recommended solution for:" in d.text
    assert "Summary:" in d.text


def test_refusal_leaves_no_worker_behind() -> None:
    with pytest.raises(ImportRefused):
        extract_pdf(BAD / "truncated.pdf", workers=2)


# --- units: tokenizer and bidi -------------------------------------------------------------------


def test_content_stream_tokenizer_handles_nesting_and_inline_images() -> None:
    from app.importers.pdf_tokens import INLINE_IMAGE, string_value, tokenize

    tokens = tokenize(b"BT /F1 9 Tf (a\\)b) Tj [(x) -250 <4142>] TJ ET")
    assert tokens == [b"BT", b"/F1", b"9", b"Tf", b"(a\\)b)", b"Tj", b"[", b"(x)", b"-250",
                      b"<4142>", b"]", b"TJ", b"ET"]
    assert string_value(b"(a\\)b)") == b"a)b" and string_value(b"<4142>") == b"AB"
    assert string_value(b"(\\101\\n)") == b"A\n"
    nested = tokenize(b"((a(b(c(d)e)f)g)h) Tj BI /W 1 /H 1 ID \x00\xff(EI) EI q")
    assert nested == [b"((a(b(c(d)e)f)g)h)", b"Tj", INLINE_IMAGE, b"q"]


def test_visual_to_logical_order() -> None:
    from app.importers.pdf_text import logical_order

    alef, beh, jeem = "\u0627", "\u0628", "\u062c"
    # a left-to-right line with an Arabic word drawn right to left
    visual = ["a", "b", " ", jeem, beh, alef, " ", "c"]
    assert "".join(visual[i] for i in logical_order(visual)) == f"ab {alef}{beh}{jeem} c"
    # a right-to-left line with a number: digits keep their order
    visual = ["1", "2", " ", jeem, beh, alef]
    assert "".join(visual[i] for i in logical_order(visual)) == f"{alef}{beh}{jeem} 12"

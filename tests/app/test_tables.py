"""Numbers and tables exact: whole amounts, dates and identifiers, rows as tab-separated lines."""

from __future__ import annotations

import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from app.importers.pdf import extract_pdf
from tests.helpers.corpus import corpus_dir, requires_corpus
from tests.helpers.tables import (
    NUMBER,
    crowded_cells,
    ledger,
    letter_spaced,
    number_f1,
    numbers,
    wrapped_ledger,
)

CORPUS = corpus_dir()


def _printed(values: list[str]) -> Counter[str]:
    return Counter(n for v in values for n in NUMBER.findall(v))


def test_a_ledger_comes_out_row_by_row_with_every_amount_exact(tmp_path: Path) -> None:
    rows = ledger(tmp_path / "ledger.pdf")
    page = extract_pdf(tmp_path / "ledger.pdf", workers=1).pages[0]
    assert number_f1(numbers(page.text), _printed([c for r in rows for c in r])) == 1.0
    lines = page.text.split("\n")
    assert lines[0] == "Date\tPayee\tReference\tDebit\tBalance"
    assert lines[1 : 1 + len(rows)] == ["\t".join(r) for r in rows]
    # Characters keep their boxes: the second row's debit lies in the debit column (right-
    # aligned at x = 480), on its own row.
    debit = rows[1][3]
    start = page.text.index("\t" + debit + "\t") + 1
    boxes = [page.box(start + k) for k in range(len(debit))]
    assert max(b[2] for b in boxes) == pytest.approx(480.0, abs=0.5)
    assert min(b[0] for b in boxes) > 420.0
    row_top = min(b[1] for b in boxes)
    assert all(abs(b[1] - row_top) < 0.01 for b in boxes)


def test_numbers_of_overlapping_cells_are_never_interleaved(tmp_path: Path) -> None:
    printed = crowded_cells(tmp_path / "crowded.pdf")
    text = extract_pdf(tmp_path / "crowded.pdf", workers=1).text
    assert number_f1(numbers(text), _printed(printed)) == 1.0
    assert "144," in text and "26406576" in text and "7,215.00" in text


def test_letter_spaced_dates_and_amounts_come_out_whole(tmp_path: Path) -> None:
    printed = letter_spaced(tmp_path / "spaced.pdf")
    text = extract_pdf(tmp_path / "spaced.pdf", workers=1).text
    assert number_f1(numbers(text), _printed(printed)) == 1.0
    for value in printed:
        assert value in text
    # Tracking plus a word space still separates the label from the value.
    assert "Report date 03/25/2016" in text


@requires_corpus
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
@pytest.mark.parametrize("name", ["senate-expenditures.pdf", "la-precinct-bulletin-2014-p1.pdf",
                                  "nics-background-checks-2015-11-rotated.pdf"])
def test_corpus_tables_have_the_numbers_poppler_and_pdfium_see(name: str) -> None:
    import pypdfium2 as pdfium

    assert CORPUS is not None
    path = CORPUS / "pdf" / name
    ours = numbers(extract_pdf(path, workers=1).text)
    poppler = numbers(subprocess.run(["pdftotext", "-layout", str(path), "-"],
                                     capture_output=True, text=True, check=True).stdout)
    doc = pdfium.PdfDocument(str(path))
    try:
        pdfium_text = "".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    finally:
        doc.close()
    assert number_f1(ours, poppler) >= 0.99
    assert number_f1(ours, numbers(pdfium_text)) >= 0.99


@pytest.mark.parametrize("valign", ["TOP", "MIDDLE", "BOTTOM"])
def test_a_cell_wrapped_over_lines_stays_in_its_cell(tmp_path: Path, valign: str) -> None:
    path = tmp_path / "wrapped.pdf"
    rows = wrapped_ledger(path, valign)
    assert any(len(cell) > 30 for row in rows for cell in row)  # some cells do wrap
    page = extract_pdf(path, workers=1).pages[0]
    lines = page.text.split("\n")
    assert lines[0] == "Date\tPayee\tPurpose\tReference\tAmount"
    assert lines[1 : 1 + len(rows)] == ["\t".join(r) for r in rows]
    assert number_f1(numbers(page.text), _printed([c for r in rows for c in r])) == 1.0
    # Characters keep their boxes: the second line of a wrapped payee lies below its first,
    # inside the payee column, on the row's own line of text.
    row = next(r for r in rows if r[1] == "Ministry of Works and Public Infrastructure")
    line = "\t".join(row)
    start = page.text.index(line) + line.index("Public")
    first = page.box(page.text.index(line) + line.index("Ministry"))
    second = page.box(start)
    assert second[1] > first[3] - 0.5  # the next line down (top-down page coordinates)
    assert abs(second[0] - first[0]) < 1.0  # both start at the column's left edge
    date = page.box(page.text.index(line))
    assert date[2] < first[0]  # the date stays left of the payee column


@requires_corpus
def test_a_wrapped_description_in_the_senate_ledger_stays_in_its_row() -> None:
    assert CORPUS is not None
    text = extract_pdf(CORPUS / "pdf" / "senate-expenditures.pdf", workers=1).text
    assert ("DHAW20190001\t05/03/2019\tCITIBANK - TRAVEL CBA CARD\t03/04/2019\t03/06/2019\t"
            "STAFF TRANSPORTATION AIRFARE FOR E JOHNSON KANSAS CITY TO WASHINGTON DC AND RETURN"
            "\t920.68") in text.split("\n")

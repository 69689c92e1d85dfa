"""Reading a written PDF report back: does it hold every entry and the whole document index?

A report that silently stops early is worse than none: an investigator would file it as complete.
The check reads the text of every page (PDFium, the footer margin left out), keeps only ASCII
letters and digits (so line breaks, hyphenation of hashes and fonts do not matter) and then finds,
in order: each entry's id (with the end of its note, when it has one), the document index heading,
each document's SHA-256 and the closing line. Anything missing fails the export.
"""

from __future__ import annotations

import re
from pathlib import Path

from app.errors import CheckFailed
from app.exchange.report.model import Report
from app.progress import checkpoint

#: Text below this height (PDF points from the foot of the page) is the page-number footer.
FOOTER_TOP = 40.0
#: Letters and digits taken from the end of a note to prove the note was printed to its end.
NOTE_TAIL = 24
_NOT_ALNUM = re.compile(r"[^A-Za-z0-9]+")


def _alnum(text: str) -> str:
    return _NOT_ALNUM.sub("", text)


def pdf_text(path: Path) -> tuple[str, int]:
    """The ASCII letters and digits of every page above the footer, and the number of pages."""
    import pypdfium2

    parts: list[str] = []
    pdf = pypdfium2.PdfDocument(str(path))
    try:
        pages = len(pdf)
        for index in range(pages):
            page = pdf[index]
            textpage = page.get_textpage()
            width, height = page.get_size()
            parts.append(_alnum(textpage.get_text_bounded(0, FOOTER_TOP, width, height)))
            checkpoint()
            textpage.close()
            page.close()
    finally:
        pdf.close()
    return "".join(parts), pages


def expected_marks(report: Report) -> list[tuple[str, str]]:
    """What must appear, in order: (what it is, the letters and digits to find)."""
    marks: list[tuple[str, str]] = []
    for entry in report.entries():
        marks.append((f"annotation {entry.short_id}", f"id{entry.short_id}"))
        tail = _alnum(entry.ann.note.strip())[-NOTE_TAIL:]
        if tail:
            marks.append((f"the end of the note of annotation {entry.short_id}", tail))
    marks.append(("the document index", "Documentindex"))
    marks.extend((f"the SHA-256 of {row.doc.title!r}", row.doc.sha256) for row in report.index)
    marks.append(("the closing line", "GeneratedbyDossier"))
    return marks


def check_report_pdf(path: Path, report: Report) -> int:
    """Raise CheckFailed unless the PDF at ``path`` holds everything; return its page count."""
    text, pages = pdf_text(path)
    marks = expected_marks(report)
    pos = 0
    for number, (what, mark) in enumerate(marks):
        found = text.find(mark, pos)
        if found < 0:
            missing = len(marks) - number
            raise CheckFailed(
                f"the PDF report is incomplete: {what} is not in it ({missing} of {len(marks)} "
                f"items missing after {pages} pages); nothing was exported — export the report "
                "as HTML (--format report-html) and report this problem")
        pos = found + len(mark)
    return pages

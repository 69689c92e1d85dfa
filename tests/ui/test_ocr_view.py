"""The reader on an OCR'd page: words recognised with low confidence get a dotted underline."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QColor

from app.dossier import Dossier
from app.importers.ocr import low_confidence_ranges
from app.services.imports import import_file
from tests.helpers.corpus import corpus_dir, requires_corpus
from tests.helpers.screenshots import save_screenshot
from ui.views import make_view
from ui.views.pdf_overlay import LOW_CONFIDENCE_COLOUR
from ui.views.pdf_view import PdfPageView

pytestmark = pytest.mark.skipif(
    not __import__("shutil").which("tesseract"), reason="Tesseract is not installed")


@requires_corpus
def test_low_confidence_words_are_underlined(dossier: Dossier, qtbot: Any,
                                             tmp_path: Path) -> None:
    corpus = corpus_dir()
    assert corpus is not None
    result = import_file(dossier, corpus / "pdf" / "federal-register-2020-17221.pdf")
    assert result.document is not None
    view = make_view(dossier, result.document)
    assert isinstance(view, PdfPageView)
    qtbot.addWidget(view, before_close_func=lambda w: w.release())
    view.resize(900, 1000)
    with qtbot.waitExposed(view):
        view.show()
    page = view._pages[8]  # page 9: a scanned figure under a printed header
    doubtful = low_confidence_ranges(page.end - page.start, page.confidence)
    assert doubtful, "a word of the scanned figure is recognised with low confidence"
    start, end = (page.start + doubtful[0][0], page.start + doubtful[0][1])
    view.reveal(start, end, flash=False)
    qtbot.waitUntil(lambda: 9 in view.canvas.shown_pages(), timeout=10000)
    image = view.canvas.viewport().grab().toImage()
    save_screenshot(image, "ocr-low-confidence.png", tmp_path)
    # Under the first doubtful word: pixels in the underline's (red) colour; none above it.
    x0, top, x1, bottom = view.page_text(9).box(start)
    x1 = view.page_text(9).box(end - 1)[2]

    def reddish(y0: float, y1: float) -> int:
        a = view.page_point_to_viewport(9, x0, y0)
        b = view.page_point_to_viewport(9, x1, y1)
        count = 0
        for px in range(a.x(), b.x() + 1):
            for py in range(a.y(), b.y() + 1):
                c = QColor(image.pixel(px, py))
                count += c.red() - max(c.green(), c.blue()) > 60
        return count

    assert reddish(bottom, bottom + 2.5) > 3, (
        f"no dotted underline in {LOW_CONFIDENCE_COLOUR.name()} under the word")
    assert reddish(top, bottom - 1) == 0

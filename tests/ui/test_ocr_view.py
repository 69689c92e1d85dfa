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
    # Pages 8-13 are scanned figures under a printed header; a word or two of them is doubtful.
    found = [(p, r) for p in view.page_geometries()
             for r in low_confidence_ranges(p.end - p.start, p.confidence)]
    assert found, "a word of the scanned figures is recognised with low confidence"
    page, (first, last) = found[0]
    number = page.number
    start, end = page.start + first, page.start + last
    view.reveal(start, end, flash=False)
    qtbot.waitUntil(lambda: number in view.canvas.shown_pages(), timeout=10000)
    image = view.canvas.viewport().grab().toImage()
    save_screenshot(image, "ocr-low-confidence.png", tmp_path)
    # Under the first doubtful word: pixels in the underline's (red) colour; none above it.
    x0, top, x1, bottom = view.page_text(number).box(start)
    x1 = view.page_text(number).box(end - 1)[2]

    def reddish(y0: float, y1: float) -> int:
        a = view.page_point_to_viewport(number, x0, y0)
        b = view.page_point_to_viewport(number, x1, y1)
        count = 0
        for px in range(a.x(), b.x() + 1):
            for py in range(a.y(), b.y() + 1):
                c = QColor(image.pixel(px, py))
                count += c.red() - max(c.green(), c.blue()) > 60
        return count

    assert reddish(bottom, bottom + 2.5) > 3, (
        f"no dotted underline in {LOW_CONFIDENCE_COLOUR.name()} under the word")
    assert reddish(top, bottom - 1) == 0


def test_properties_show_capture_data_and_ocr(dossier: Dossier, qtbot: Any,
                                              tmp_path: Path) -> None:
    from PIL import ExifTags

    from tests.helpers.main_window import open_window
    from tests.helpers.scans import digital_pdf, rasterise
    from ui.document_properties import open_properties

    (image,) = rasterise(digital_pdf(tmp_path / "d.pdf"), 150)
    exif = image.getexif()
    exif[ExifTags.Base.Model] = "Pixel 7"
    exif[ExifTags.IFD.GPSInfo] = {1: "S", 2: (33.0, 52.0, 0.0), 3: "E", 4: (151.0, 12.0, 36.0)}
    path = tmp_path / "contract.jpg"
    image.convert("RGB").save(path, "JPEG", exif=exif)
    result = import_file(dossier, path)
    assert result.document is not None
    window = open_window(dossier, qtbot, tmp_path)
    window.open_document(result.document.id)
    dialog = open_properties(window)
    assert dialog is not None
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.ocr.text() != "…", timeout=5000)
    texts = [dialog.form.itemAt(i).widget().text() for i in range(dialog.form.count())
             if dialog.form.itemAt(i).widget() is not None]
    assert "Pixel 7" in texts
    assert "33.866667° S, 151.210000° E" in texts
    assert dialog.ocr.text().startswith("page 1 recognised by tesseract")
    save_screenshot(dialog.grab().toImage(), "properties.png", tmp_path)

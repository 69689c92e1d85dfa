"""Screenshots of the main window with a tagged PDF page and a tagged article.

They are saved in the test's temporary folder and, when ``DOSSIER_SCREENSHOTS`` names a folder,
there too, for a person to look at. The test checks what can be checked by machine: the window
is drawn at full size, the passages carry their tags' colours, the docks show the annotations.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QPoint, QRect
from PySide6.QtGui import QColor, QImage

from app.services import annotations as service
from app.services import codebook
from app.services.documents import page_geometry
from app.services.imports import import_file
from tests.helpers.corpus import corpus_dir, requires_corpus
from tests.helpers.main_window import OFFSCREEN_LIMITS, char_centre, open_window, text_caret_point
from tests.helpers.screenshots import save_screenshot

pytestmark = [pytest.mark.qt_log_ignore(OFFSCREEN_LIMITS),
              requires_corpus]

ARTICLE_CLAIMS = [
    ("many forced laborers overseas", "Abuse of vulnerability", "", None, None),
    ("North Koreans have been sent to Russia, Poland, Qatar, Uruguay and Mali",
     "Recruitment or dispatch agency", "Destinations named by The New Yorker", "B", 2),
    ("rely on a vast program of forced labor from North Korea",
     "Employer or worksite", "Quoted from The New Yorker's investigation", "B", 2),
    ("textiles and garments to seafood", "Employer or worksite", "", None, None),
]
PDF_CLAIMS = [
    ("Investigation of the accident has been completed by the Indonesian authorities",
     "Source attribution", "KNKT report, with NTSB and FAA", "A", 1),
    ("indicated that a single erroneously high angle of attack (AOA) sensor",
     "Scale and statistics", "", "B", 3),
    ("multiple flightdeck effects", "Deception", "", None, None),
]


def _annotate(dossier: Any, doc_id: str, text: str, claims: list[tuple[Any, ...]],
              attribution: str) -> list[Any]:
    made = []
    for quote, tag_name, note, reliability, credibility in claims:
        with dossier.read() as session:
            tag_id = codebook.resolve_tag(session, tag_name).id
        start = text.index(quote)
        made.append(service.create_annotation(
            dossier, doc_id, start, start + len(quote), [tag_id], note=note,
            attribution=attribution if note else "", reliability=reliability,
            credibility=credibility))
    return made


def _coloured(image: QImage, point: QPoint, colour: str) -> bool:
    """A pixel near ``point`` is a highlight of ``colour``: its hue, lightly saturated."""
    want = QColor(colour).hueF()
    box = QRect(point - QPoint(4, 4), point + QPoint(4, 4))
    for y in range(box.top(), box.bottom() + 1):
        for x in range(box.left(), box.right() + 1):
            pixel = image.pixelColor(x, y)
            if (pixel.saturationF() > 0.15 and pixel.lightnessF() > 0.45
                    and min(abs(pixel.hueF() - want), 1 - abs(pixel.hueF() - want)) < 0.08):
                return True
    return False


def _has_ink(image: QImage, point: QPoint) -> bool:
    """Dark pixels (printed text) around ``point``."""
    box = QRect(point - QPoint(40, 10), point + QPoint(40, 10))
    dark = sum(1 for y in range(box.top(), box.bottom() + 1)
               for x in range(box.left(), box.right() + 1)
               if image.rect().contains(x, y) and image.pixelColor(x, y).lightness() < 110)
    return dark > 20


def _window_shot(window: Any, qtbot: Any, ann_id: str) -> QImage:
    window.list_dock.select_annotation(ann_id)
    window.tagger.set_current(ann_id)
    # Layouts and repaints the selection asked for are posted events: deliver them, then grab.
    qtbot.waitUntil(lambda: window.list_dock.selected_annotation() == ann_id, timeout=2000)
    QCoreApplication.sendPostedEvents()
    return window.grab().toImage()


def test_screenshot_tagged_article(dossier: Any, qtbot: Any, tmp_path: Path) -> None:
    path = corpus_dir() / "text" / "the-week-north-korea-overseas-workers.txt"  # type: ignore[operator]
    doc = import_file(dossier, path).document
    assert doc is not None
    text = window_text = ""
    window = open_window(dossier, qtbot, tmp_path)
    window.open_document(doc.id)
    window_text = text = window.view.text
    made = _annotate(dossier, doc.id, text, ARTICLE_CLAIMS, "The Week, citing The New Yorker")
    view = window.view
    view.reveal(made[0].start, made[0].end, flash=False)
    image = _window_shot(window, qtbot, made[1].id)
    save_screenshot(image, "main-window-article.png", tmp_path)
    assert (image.width(), image.height()) == (window.width(), window.height())
    # The first claims are on screen in their tags' colours.
    viewport = view.editor.viewport()
    for ann in made[:2]:
        middle = text_caret_point(view, (ann.start + ann.end) // 2)
        if viewport.rect().contains(middle):
            assert _coloured(image, viewport.mapTo(window, middle), ann.tags[0].colour), ann.quote
    assert window.annotation_model.rowCount() == len(ARTICLE_CLAIMS)
    assert window.panel.annotation is not None and window.panel.annotation.grade == "B2"
    assert window_text.startswith(text[:10])


def test_screenshot_tagged_pdf_page(dossier: Any, qtbot: Any, tmp_path: Path) -> None:
    path = corpus_dir() / "pdf" / "federal-register-2020-17221.pdf"  # type: ignore[operator]
    doc = import_file(dossier, path).document
    assert doc is not None
    window = open_window(dossier, qtbot, tmp_path)
    window.open_document(doc.id)
    view = window.view
    made = _annotate(dossier, doc.id, view.text, PDF_CLAIMS, "FAA, Federal Register notice")
    view.go_to_page(2)
    view.reveal(made[0].start, made[-1].end, flash=False)
    page = page_geometry(dossier, doc.id)[1]
    viewport = view.canvas.viewport()
    first = char_centre(view, page, made[0].start)
    qtbot.waitUntil(lambda: _has_ink(viewport.grab().toImage(), first), timeout=15000)
    image = _window_shot(window, qtbot, made[0].id)
    save_screenshot(image, "main-window-pdf.png", tmp_path)
    # The page itself is drawn (its text is ink on paper), not only the highlights.
    assert _has_ink(image, viewport.mapTo(window, first))
    for ann in made:
        centre = char_centre(view, page, (ann.start + ann.end) // 2)
        if viewport.rect().contains(centre):
            assert _coloured(image, viewport.mapTo(window, centre), ann.tags[0].colour), \
                ann.quote
    assert window.status.page.text().startswith("Page 2 of 15")

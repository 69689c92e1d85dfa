"""The page view on real PDFs from the corpus: drag-select, tag, and see the highlight on the words.

The PDFs are imported once per module through the real importer; each test opens its own view.
Selections are made with real mouse events on the viewport, from the centre of the passage's first
character box to the centre of its last, mapped to pixels by the view's public mapping.
"""

from __future__ import annotations

import re
import shutil
from array import array
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QContextMenuEvent, QHelpEvent, QImage, QWheelEvent
from PySide6.QtWidgets import QToolTip

from app.dossier import Dossier
from app.services import annotations as service
from app.services import codebook
from app.services.documents import DocumentView as DocumentInfo
from app.services.documents import PageGeometry
from app.services.imports import import_file
from tests.helpers.corpus import corpus_dir, requires_corpus
from tests.helpers.screenshots import close, save_screenshot
from ui.views import make_view
from ui.views.base import highlight_fill
from ui.views.pdf_geometry import PageText
from ui.views.pdf_layout import GAP, MARGIN, PageLayout
from ui.views.pdf_render import PageRenderer
from ui.views.pdf_view import PdfPageView
from ui.views.text_view import TextView

FEDERAL = "federal-register-2020-17221.pdf"
NICS = "nics-background-checks-2015-11-rotated.pdf"
#: A passage over three printed lines in the middle column of page 2.
FEDERAL_PASSAGE = (r"a Boeing Model 737.8 airplane operated by Ethiopian Airlines "
                   r"\(Ethiopian Airlines Flight 302\) was involved in an accident")
#: The title printed sideways on the rotated page.
NICS_PASSAGE = r"NICS Firearm Background Checks"


@pytest.fixture(scope="module")
def pdfs(template_dossier: Path, tmp_path_factory: pytest.TempPathFactory
         ) -> Iterator[tuple[Dossier, dict[str, DocumentInfo]]]:
    """A dossier holding the Federal Register and the rotated NICS PDF."""
    folder = tmp_path_factory.mktemp("pdf-view") / "dossier"
    shutil.copytree(template_dossier, folder)
    dossier = Dossier.open(folder, user="alice")
    corpus = corpus_dir()
    assert corpus is not None
    docs = {}
    for name in (FEDERAL, NICS):
        result = import_file(dossier, corpus / "pdf" / name)
        assert result.document is not None, result.message
        docs[name] = result.document
    yield dossier, docs
    dossier.close()


def tag_id(dossier: Dossier, name: str) -> str:
    with dossier.read() as session:
        return codebook.resolve_tag(session, name).id


def open_view(dossier: Dossier, doc: DocumentInfo, qtbot: Any, size: tuple[int, int] = (900, 1000)
              ) -> PdfPageView:
    view = make_view(dossier, doc)
    assert isinstance(view, PdfPageView)
    qtbot.addWidget(view, before_close_func=lambda w: w.release())
    view.resize(*size)
    with qtbot.waitExposed(view):
        view.show()
    return view


def passage_on_page(view: PdfPageView, number: int, pattern: str) -> tuple[int, int]:
    """Code-point range of the first match of ``pattern`` (regex, any whitespace) on a page."""
    page = view.page_text(number)
    match = passage_regex(pattern).search(view.text, page.start, page.end)
    assert match, f"{pattern!r} not on page {number}"
    return match.span()


def passage_on_page_text(text: str, pattern: str) -> tuple[int, int]:
    match = passage_regex(pattern).search(text)
    assert match, pattern
    return match.span()


def passage_regex(pattern: str) -> re.Pattern[str]:
    """``pattern`` with each space matching any whitespace (lines break anywhere in a PDF)."""
    return re.compile(r"\s+".join(pattern.split(" ")))


def centre(view: PdfPageView, number: int, offset: int) -> QPoint:
    x0, top, x1, bottom = view.page_text(number).box(offset)
    return view.page_point_to_viewport(number, (x0 + x1) / 2, (top + bottom) / 2)


def drag(qtbot: Any, view: PdfPageView, start: QPoint, end: QPoint) -> None:
    """Press at ``start``, move there in steps, release at ``end``: a real mouse drag."""
    viewport = view.canvas.viewport()
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=start)
    for step in range(1, 5):
        qtbot.mouseMove(viewport, pos=start + (end - start) * step / 4)
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=end)


def select_by_drag(qtbot: Any, view: PdfPageView, number: int, pattern: str) -> tuple[int, int]:
    start, end = passage_on_page(view, number, pattern)
    view.reveal(start, end, flash=False)
    qtbot.waitUntil(lambda: number in view.canvas.shown_pages(), timeout=5000)
    drag(qtbot, view, centre(view, number, start), centre(view, number, end - 1))
    return start, end


def check_highlight(view: PdfPageView, ann: service.AnnotationView, number: int,
                    before: QImage, after: QImage) -> None:
    """Highlight rectangles cover every printed character, and blend the tag colour there."""
    rects = view.highlight_rects(ann.id)
    page = view.page_text(number)
    real = page.real_offsets(ann.start, ann.end)
    assert real and {n for n, _r in rects} == {number}
    for offset in real:
        x0, top, x1, bottom = page.box(offset)
        box = QRectF(x0, top, x1 - x0, bottom - top).adjusted(0.01, 0.01, -0.01, -0.01)
        assert any(r.contains(box) for _n, r in rects), f"character {offset} not covered"
    # The rectangles stay on the passage: each lies within the passage's boxes on its line.
    for _n, rect in rects:
        inside = [o for o in real if rect.intersects(QRectF(*_qrect_args(page.box(o))))]
        assert inside
    expected = highlight_fill(QColor(ann.tags[0].colour))
    sampled = 0
    for _n, rect in rects:
        tl = view.page_point_to_viewport(number, rect.left(), rect.top())
        br = view.page_point_to_viewport(number, rect.right(), rect.bottom())
        for x in range(tl.x() + 2, br.x() - 1, 3):
            for y in range(tl.y() + 2, br.y() - 1, 2):
                others = sum(r.contains(QPointF(*_to_page(view, number, x, y)))
                             for _m, r in rects)
                if others == 1:
                    # A multiply blend: the page's colour times the highlight's, channel by channel.
                    paper = before.pixelColor(x, y)
                    blended = QColor(paper.red() * expected.red() // 255,
                                     paper.green() * expected.green() // 255,
                                     paper.blue() * expected.blue() // 255)
                    assert close(after.pixelColor(x, y), blended), (x, y)
                    sampled += 1
    assert sampled > 20


def _qrect_args(box: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    return box[0], box[1], box[2] - box[0], box[3] - box[1]


def _to_page(view: PdfPageView, number: int, x: int, y: int) -> tuple[float, float]:
    hit = view.viewport_to_page_point(QPoint(x, y))
    assert hit is not None and hit[0] == number
    return hit[1], hit[2]


@requires_corpus
@pytest.mark.parametrize(("name", "number", "pattern", "tag"), [
    (FEDERAL, 2, FEDERAL_PASSAGE, "Payments by employers"),
    (NICS, 1, NICS_PASSAGE, "Deception"),
])
def test_drag_selects_the_passage_and_the_highlight_covers_its_characters(
        pdfs: Any, qtbot: Any, tmp_path: Path, name: str, number: int, pattern: str,
        tag: str) -> None:
    dossier, docs = pdfs
    view = open_view(dossier, docs[name], qtbot)
    changes: list[tuple[int, int]] = []
    view.selection_changed.connect(lambda s, e: changes.append((s, e)))

    start, end = select_by_drag(qtbot, view, number, pattern)

    assert view.selected_range() == (start, end)
    assert changes[-1] == (start, end)
    quote = view.text[start:end]
    assert passage_regex(pattern).fullmatch(quote)
    ann = service.create_annotation(dossier, docs[name].id, start, end, [tag_id(dossier, tag)],
                                    note="seen on the page")
    assert ann.quote == quote and ann.page_start == ann.page_end == number
    view.clear_selection()
    assert changes[-1] == (-1, -1)
    before = view.canvas.viewport().grab().toImage()
    view.set_annotations([ann])
    after = view.canvas.viewport().grab().toImage()
    check_highlight(view, ann, number, before, after)
    short = name.split("-", maxsplit=1)[0]
    save_screenshot(view.grab().toImage(), f"pdf-view-{short}.png", tmp_path)


@requires_corpus
def test_first_page_is_painted_and_only_visible_pages_are_rendered(pdfs: Any, qtbot: Any) -> None:
    dossier, docs = pdfs
    view = open_view(dossier, docs[FEDERAL], qtbot)
    qtbot.waitUntil(lambda: 1 in view.canvas.shown_pages(), timeout=5000)
    image = view.canvas.viewport().grab().toImage()
    page = view.canvas.page_viewport_rect(0).toRect()
    dark = sum(image.pixelColor(x, y).lightness() < 100
               for x in range(page.left() + 5, page.right() - 5, 7)
               for y in range(page.top() + 5, min(page.bottom(), image.height()) - 5, 7))
    assert dark > 100  # printed text, not a blank placeholder
    rendered = {n for n in range(1, view.page_count() + 1) if view.canvas.cache.get(n)}
    assert 1 in rendered and len(rendered) <= 3 < view.page_count()

    view.go_to_page(9)
    assert view.current_page() == 9
    qtbot.waitUntil(lambda: 9 in view.canvas.shown_pages(), timeout=5000)


@requires_corpus
def test_zoom_fit_width_fit_page_percent_and_ctrl_wheel(pdfs: Any, qtbot: Any) -> None:
    dossier, docs = pdfs
    view = open_view(dossier, docs[FEDERAL], qtbot)
    viewport = view.canvas.viewport()
    assert view.zoom_mode() == "fit-width"
    assert view.canvas.page_viewport_rect(0).width() == pytest.approx(
        viewport.width() - 2 * MARGIN, abs=1)

    view.set_zoom("fit-page")
    rect = view.canvas.page_viewport_rect(view.current_page() - 1)
    assert rect.height() <= viewport.height() - 2 * MARGIN + 1

    view.set_zoom(1.5)
    assert view.zoom() == pytest.approx(1.5)
    # Re-rendered at the new scale (until then the old image is drawn scaled).
    qtbot.waitUntil(lambda: view.current_page() in view.canvas.shown_pages(), timeout=5000)
    image = view.canvas.cache.get(view.current_page())
    assert image is not None and image[0] == pytest.approx(view.canvas.render_scale())
    width, _height = view.page_text(1).width, view.page_text(1).height
    assert view.canvas.page_viewport_rect(0).width() == pytest.approx(
        width * 1.5 * view.logicalDpiX() / 72, abs=1)

    anchor = QPoint(300, 400)
    held = view.viewport_to_page_point(anchor)
    wheel = QWheelEvent(QPointF(anchor), QPointF(viewport.mapToGlobal(anchor)), QPoint(0, 0),
                        QPoint(0, 120), Qt.MouseButton.NoButton,
                        Qt.KeyboardModifier.ControlModifier, Qt.ScrollPhase.NoScrollPhase, False)
    view.canvas.wheelEvent(wheel)
    assert view.zoom() > 1.5 and view.zoom_mode() is None
    assert held is not None
    moved = view.page_point_to_viewport(held[0], held[1], held[2])
    assert (moved - anchor).manhattanLength() <= 2


@requires_corpus
def test_page_navigation_reports_the_current_page(pdfs: Any, qtbot: Any) -> None:
    dossier, docs = pdfs
    view = open_view(dossier, docs[FEDERAL], qtbot)
    pages: list[int] = []
    view.current_page_changed.connect(pages.append)
    view.go_to_page(4)
    assert view.current_page() == 4 and pages[-1] == 4
    view.next_page()
    assert view.current_page() == 5
    view.previous_page()
    view.previous_page()
    assert view.current_page() == 3 and pages[-1] == 3


@requires_corpus
@pytest.mark.qt_log_ignore("This plugin does not support raise")
def test_hover_click_and_right_click_on_a_highlight(pdfs: Any, qtbot: Any) -> None:
    dossier, docs = pdfs
    view = open_view(dossier, docs[FEDERAL], qtbot)
    start, end = passage_on_page(view, 2, FEDERAL_PASSAGE)
    ann = service.create_annotation(dossier, docs[FEDERAL].id, start, end,
                                    [tag_id(dossier, "Deception")], note="Flight 302 crash")
    view.set_annotations([ann])
    view.reveal(start, end, flash=False)
    on_it = centre(view, 2, start + 5)
    viewport = view.canvas.viewport()

    with qtbot.waitSignal(view.annotation_activated, timeout=1000) as signal:
        qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=on_it)
    assert signal.args == [ann.id]

    QToolTip.hideText()
    view.eventFilter(viewport, QHelpEvent(QEvent.Type.ToolTip, on_it, viewport.mapToGlobal(on_it)))
    assert QToolTip.isVisible()
    assert all(s in QToolTip.text() for s in ("Abuses/Deception", "Flight 302 crash", "alice"))
    QToolTip.hideText()

    with qtbot.waitSignal(view.context_menu_requested, timeout=1000) as menu:
        view.canvas.contextMenuEvent(QContextMenuEvent(
            QContextMenuEvent.Reason.Mouse, on_it, viewport.mapToGlobal(on_it)))
    assert menu.args == [viewport.mapToGlobal(on_it)]


@requires_corpus
def test_overlapping_highlights_are_distinguishable_and_current_is_outlined(
        pdfs: Any, qtbot: Any, tmp_path: Path) -> None:
    dossier, docs = pdfs
    view = open_view(dossier, docs[FEDERAL], qtbot)
    start, end = passage_on_page(view, 2, FEDERAL_PASSAGE)
    middle = start + (end - start) // 2
    a = service.create_annotation(dossier, docs[FEDERAL].id, start, middle,
                                  [tag_id(dossier, "Deception")])
    b = service.create_annotation(dossier, docs[FEDERAL].id, start + 10, end,
                                  [tag_id(dossier, "Employment contract terms")])
    view.reveal(start, end, flash=False)
    qtbot.waitUntil(lambda: 2 in view.canvas.shown_pages(), timeout=5000)
    before = view.canvas.viewport().grab().toImage()
    view.set_annotations([a, b])
    image = view.canvas.viewport().grab().toImage()

    def paper_pixel(offset: int) -> QColor:
        """The highlighted colour at a point of the character's box that was white paper."""
        x0, top, x1, bottom = view.page_text(2).box(offset)
        corner = view.page_point_to_viewport(2, x0, top)
        far = view.page_point_to_viewport(2, x1, bottom)
        for y in range(corner.y() + 1, far.y() - 1):
            for x in range(corner.x() + 1, far.x() - 1):
                if before.pixelColor(x, y) == QColor("#ffffff"):
                    return image.pixelColor(x, y)
        raise AssertionError(f"no paper inside character {offset}")

    only_a, both, only_b = paper_pixel(start + 2), paper_pixel(start + 12), paper_pixel(end - 2)
    assert close(only_a, highlight_fill(QColor(a.tags[0].colour)))
    assert close(only_b, highlight_fill(QColor(b.tags[0].colour)))
    assert both.lightness() < min(only_a.lightness(), only_b.lightness()) - 10

    view.select_annotation(a.id)
    outlined = view.canvas.viewport().grab().toImage()
    rect = view.highlight_rects(a.id)[0][1]
    edge = view.page_point_to_viewport(2, rect.left() - 0.8, rect.center().y())
    assert outlined.pixelColor(edge).lightness() < image.pixelColor(edge).lightness() - 30
    save_screenshot(view.grab().toImage(), "pdf-view-overlap.png", tmp_path)


@requires_corpus
def test_a_drag_across_a_page_break_selects_both_parts(pdfs: Any, qtbot: Any) -> None:
    dossier, docs = pdfs
    view = open_view(dossier, docs[FEDERAL], qtbot, size=(700, 1000))
    view.set_zoom(0.4)
    view.go_to_page(2)
    qtbot.waitUntil(lambda: {2, 3} <= view.canvas.shown_pages(), timeout=5000)
    two, three = view.page_text(2), view.page_text(3)
    last_on_two = two.runs[-1].offsets[-1]
    first_on_three = three.runs[0].offsets[0]
    drag(qtbot, view, centre(view, 2, two.runs[-1].offsets[0]), centre(view, 3, first_on_three))
    start, end = view.selected_range() or (0, 0)
    assert start == two.runs[-1].offsets[0] and end == first_on_three + 1
    assert start < last_on_two < two.end <= three.start < end
    assert {n for n, _r in view.range_rects(start, end)} == {2, 3}


@requires_corpus
def test_the_reflowed_text_view_of_a_pdf_selects_the_same_text(pdfs: Any, qtbot: Any) -> None:
    dossier, docs = pdfs
    view = make_view(dossier, docs[FEDERAL], reflowed=True)
    qtbot.addWidget(view)
    assert isinstance(view, TextView)
    view.resize(800, 600)
    with qtbot.waitExposed(view):
        view.show()
    start, end = passage_on_page_text(view.text, FEDERAL_PASSAGE)
    view.select_range(start, end)
    assert view.selected_range() == (start, end)
    ann = service.create_annotation(dossier, docs[FEDERAL].id, start, end)
    assert ann.page_start == 2 and passage_regex(FEDERAL_PASSAGE).fullmatch(ann.quote)


@requires_corpus
def test_double_click_selects_a_word(pdfs: Any, qtbot: Any) -> None:
    dossier, docs = pdfs
    view = open_view(dossier, docs[FEDERAL], qtbot)
    start, _end = passage_on_page(view, 2, "Ethiopian Airlines")
    view.reveal(start, start + 9, flash=False)
    qtbot.mouseDClick(view.canvas.viewport(), Qt.MouseButton.LeftButton,
                      pos=centre(view, 2, start + 3))
    assert view.selected_range() == (start, start + len("Ethiopian"))


def test_a_page_that_cannot_be_rendered_says_so(qtbot: Any, tmp_path: Path) -> None:
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4 not really")
    renderer = PageRenderer(broken)
    with qtbot.waitSignal(renderer.signals.failed, timeout=5000) as signal:
        renderer.request([(1, 1.0)])
    assert signal.args[0] == 1 and signal.args[1]
    renderer.close()


def synthetic_page(text: str, boxes: list[tuple[float, float, float, float] | None]
                   ) -> PageText:
    """A page whose characters have the given boxes (None: an inserted, zero-size character)."""
    values: array[float] = array("f")
    flags = bytearray()
    for box in boxes:
        values.extend(box or (0.0, 0.0, 0.0, 0.0))
        flags.append(box is None)
    geometry = PageGeometry(1, 0, len(text), 300.0, 400.0, 0, values, bytes(flags))
    return PageText(geometry, text)


def test_runs_follow_printed_lines_and_rects_cover_ranges_per_line() -> None:
    # "ab cd" on one line, a synthetic line break, "ef" below, then "gh" far right (a column).
    text = "ab cd\nef gh"
    boxes: list[tuple[float, float, float, float] | None] = [
        (10, 10, 16, 20), (16, 10, 22, 20), None, (26, 10, 32, 20), (32, 10, 38, 20), None,
        (10, 24, 16, 34), (16, 24, 22, 34), None, (200, 24, 206, 34), (206, 24, 212, 34)]
    page = synthetic_page(text, boxes)
    assert [run.offsets for run in page.runs] == [[0, 1, 3, 4], [6, 7], [9, 10]]
    assert page.nearest(33, 15) == 4 and page.nearest(11, 30) == 6 and page.nearest(300, 30) == 10
    assert page.nearest(23, 21.5) in (1, 3)  # between the lines: the nearest character
    # A range over two lines and the far column: one rectangle per line, no bridge across.
    assert page.rects(1, 11) == [(16, 10, 38, 20), (10, 24, 22, 34), (200, 24, 212, 34)]
    assert page.real_offsets(0, 6) == [0, 1, 3, 4]


def test_right_to_left_and_vertical_runs() -> None:
    # Arabic in logical order runs leftwards; a range in its middle is one rectangle.
    rtl = synthetic_page("ابجد", [(40, 10, 46, 20), (34, 10, 40, 20), (28, 10, 34, 20),
                                  (22, 10, 28, 20)])
    assert len(rtl.runs) == 1 and rtl.rects(1, 3) == [(28, 10, 40, 20)]
    # Text printed top to bottom (a page rotated by 90 degrees): one tall rectangle.
    vertical = synthetic_page("NICS", [(500, 40, 510, 47), (500, 47, 510, 54),
                                       (500, 54, 510, 60), (500, 60, 510, 66)])
    assert len(vertical.runs) == 1 and vertical.runs[0].vertical
    assert vertical.rects(0, 4) == [(500, 40, 510, 66)]
    assert vertical.nearest(505, 58) == 2


def test_page_layout_stacks_centres_and_maps_points() -> None:
    layout = PageLayout([(600.0, 800.0), (400.0, 300.0), (600.0, 800.0)])
    layout.set_scale(0.5, 1000)
    assert layout.content_width == 1000
    x, y, w, h = layout.page_rect(1)
    assert (w, h) == (200, 150) and x == 400 and y == MARGIN + 400 + GAP
    assert layout.to_content(1, *layout.to_page(1, 450.0, y + 10)) == (450.0, y + 10)
    assert layout.page_at(y - 1) == 1 and layout.page_at(y - GAP + 1) == 0
    assert list(layout.pages_between(0, y - GAP / 2)) == [0]
    assert list(layout.pages_between(y + 10, y + 500)) == [1, 2]
    assert layout.content_height == MARGIN * 2 + 400 + 150 + 400 + 2 * GAP
    assert layout.fit_width_scale(632) == pytest.approx(1.0)

"""End to end through the real main window: select with the mouse, press a tag's key, and check
the stored annotation, where its highlight is drawn, and the docks that follow it."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, QRect, QRectF, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMenu

from app.services import annotations as service
from app.services import codebook
from app.services.documents import page_geometry
from tests.helpers.corpus import corpus_dir, requires_corpus
from tests.helpers.documents import add_text_document
from tests.helpers.main_window import (
    OFFSCREEN_LIMITS,
    char_centre,
    drag,
    drag_text,
    grab,
    open_window,
    text_caret_point,
)
from ui import dialogs
from ui.chips import layout_chips
from ui.models import roles

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_LIMITS)

MIXED = ("Report from the border.\n\n"
         "Workers said 工资被扣留三年 and 🏦 accounts 💰 took every wage.\n\n"
         "قال العمال إن أجورهم محتجزة لدى الدولة.\n\n"
         "End of report.")
PASSAGES = [("工资被扣留三年 and 🏦 accounts 💰", "Withholding of wages"),
            ("أجورهم محتجزة", "Retention of identity documents"),
            ("Workers said", "Deception")]


def tag(dossier: Any, name: str) -> Any:
    with dossier.read() as session:
        return codebook.resolve_tag(session, name)


def press(window: Any, key: str) -> None:
    """Type a key into whatever has focus in the window, as a user would."""
    target = window.focusWidget() or window
    QTest.keyClick(target, key)


def changed_pixels(before: QImage, after: QImage, rect: QRect) -> int:
    count = 0
    for y in range(max(rect.top(), 0), min(rect.bottom() + 1, before.height())):
        for x in range(max(rect.left(), 0), min(rect.right() + 1, before.width())):
            if before.pixel(x, y) != after.pixel(x, y):
                count += 1
    return count


def tinted(before: QImage, after: QImage, rect: QRect, colour: str) -> bool:
    """Some pixel in ``rect`` was darkened the way a highlight of ``colour`` darkens paper.

    Laying a colour over a pixel (multiply or translucent paint) darkens each channel in
    proportion to how much of it the colour lacks, so the darkening points along
    ``255 - colour``; ink, selection blue or a different tag point elsewhere.
    """
    tag = QColor(colour)
    lack = (255 - tag.red(), 255 - tag.green(), 255 - tag.blue())
    lack_norm = math.sqrt(sum(c * c for c in lack))
    for y in range(max(rect.top(), 0), min(rect.bottom() + 1, before.height())):
        for x in range(max(rect.left(), 0), min(rect.right() + 1, before.width())):
            b, a = before.pixelColor(x, y), after.pixelColor(x, y)
            dark = (b.red() - a.red(), b.green() - a.green(), b.blue() - a.blue())
            norm = math.sqrt(sum(c * c for c in dark))
            if norm > 20 and sum(d * k for d, k in zip(dark, lack, strict=True)) > (
                    0.9 * norm * lack_norm):
                return True
    return False


# -- text view: emoji, Chinese, Arabic ---------------------------------------------------------

def test_text_view_drag_and_key_stores_exact_passages(dossier: Any, qtbot: Any,
                                                      tmp_path: Path) -> None:
    doc = add_text_document(dossier, MIXED, "Border report")
    window = open_window(dossier, qtbot, tmp_path)
    window.open_document(doc.id)
    view = window.view
    viewport = view.editor.viewport()
    for passage, tag_name in PASSAGES:
        info = tag(dossier, tag_name)
        start = MIXED.index(passage)
        end = start + len(passage)
        before = grab(viewport)
        drag_text(view, start, end)
        assert view.selected_range() == (start, end)
        assert window.status.selection.text() == f"{len(passage)} characters selected"
        press(window, info.shortcut)
        stored = [a for a in service.list_annotations(dossier, document_id=doc.id)
                  if a.start == start]
        assert len(stored) == 1
        ann = stored[0]
        assert (ann.quote, ann.end) == (passage, end)
        assert [t.path for t in ann.tags] == [info.path]
        # The highlight is painted on those characters: each one's cell changed and carries the
        # tag's hue; the text just after the passage is untouched.
        cells = []
        for offset in range(start, end):
            if MIXED[offset].isspace():
                continue
            left, right = text_caret_point(view, offset), text_caret_point(view, offset + 1)
            cells.append((MIXED[offset], QRect(QPoint(min(left.x(), right.x()), left.y() - 4),
                                               QPoint(max(left.x(), right.x()), left.y() + 4))))

        def highlighted(cells: list[tuple[str, QRect]] = cells, before: QImage = before,
                        colour: str = info.colour) -> bool:
            after = grab(viewport)
            return all(changed_pixels(before, after, cell) > 0
                       and tinted(before, after, cell, colour) for _ch, cell in cells)

        qtbot.waitUntil(highlighted, timeout=3000)  # once the pending repaints have happened
        # The new annotation is current: the panel shows it and the list selects it.
        assert window.panel.annotation is not None and window.panel.annotation.id == ann.id
        assert window.list_dock.selected_annotation() == ann.id
    assert window.annotation_model.rowCount() == len(PASSAGES)
    assert window.status.count.text() == f"{len(PASSAGES)} annotations"


def test_second_key_adds_a_tag_and_pressing_again_removes_it(dossier: Any, qtbot: Any,
                                                             tmp_path: Path) -> None:
    doc = add_text_document(dossier, MIXED, "Border report")
    window = open_window(dossier, qtbot, tmp_path)
    window.open_document(doc.id)
    wages, documents_tag = tag(dossier, "Withholding of wages"), tag(dossier, "Deception")
    start = MIXED.index("工资")
    drag_text(window.view, start, start + 7)
    press(window, wages.shortcut)
    press(window, documents_tag.shortcut)
    (ann,) = service.list_annotations(dossier, document_id=doc.id)
    assert sorted(t.path for t in ann.tags) == sorted([wages.path, documents_tag.path])
    assert window.list_dock.model.data(window.list_dock.model.index(0, 1), roles.CHIPS) == [
        ("Deception", documents_tag.colour), ("Withholding of wages", wages.colour)]
    # The panel shows both tags in full, wrapping them in its narrow column if need be.
    chips = window.panel.chips
    qtbot.waitUntil(lambda: chips.height() >= chips.heightForWidth(chips.width()), timeout=2000)
    drawn = layout_chips(chips.fontMetrics(), chips.chips, chips.rect(), wrap=True)
    assert [text for _box, text, _colour in drawn] == ["Deception", "Withholding of wages"]
    assert all(chips.rect().contains(box.toRect()) for box, _t, _c in drawn)
    press(window, wages.shortcut)
    (ann,) = service.list_annotations(dossier, document_id=doc.id)
    assert [t.path for t in ann.tags] == [documents_tag.path]
    # Typing the same key in the note goes into the note, not onto the tags.
    window.panel.note.setFocus()
    QTest.keyClicks(window.panel.note, f"see {wages.shortcut}")
    window.panel.commit_note()
    ann = service.get_annotation(dossier, ann.id)
    assert ann.note == f"see {wages.shortcut}"
    assert [t.path for t in ann.tags] == [documents_tag.path]


def test_panel_edits_are_stored_at_once(dossier: Any, qtbot: Any, tmp_path: Path) -> None:
    doc = add_text_document(dossier, MIXED, "Border report")
    start = MIXED.index("Workers")
    ann = service.create_annotation(dossier, doc.id, start, start + 7, [])
    window = open_window(dossier, qtbot, tmp_path)
    window.open_document(doc.id)
    window.list_dock.table.selectRow(0)
    panel = window.panel
    assert panel.annotation is not None and panel.annotation.id == ann.id
    panel.attribution.setFocus()
    QTest.keyClicks(panel.attribution, "a former worker, to NK News")
    QTest.keyClick(panel.attribution, Qt.Key.Key_Return)
    panel.reliability.setCurrentIndex(panel.reliability.findData("B"))
    panel.reliability.activated.emit(panel.reliability.currentIndex())
    panel.credibility.setCurrentIndex(panel.credibility.findData(2))
    panel.credibility.activated.emit(panel.credibility.currentIndex())
    panel.status.setCurrentIndex(panel.status.findData("submitted"))
    panel.status.activated.emit(panel.status.currentIndex())
    stored = service.get_annotation(dossier, ann.id)
    assert (stored.attribution, stored.grade, stored.status) == (
        "a former worker, to NK News", "B2", "submitted")
    model = window.annotation_model
    assert model.data(model.index(0, 3)) == "B2"
    assert model.data(model.index(0, 6)) == "Submitted"
    # Adjust the range to a new selection, then delete: both undoable, both visible at once.
    new_start = MIXED.index("accounts")
    drag_text(window.view, new_start, new_start + len("accounts"))
    panel.adjust.click()
    assert service.get_annotation(dossier, ann.id).quote == "accounts"
    panel.delete.click()
    assert service.list_annotations(dossier, document_id=doc.id) == []
    assert model.rowCount() == 0 and panel.annotation is None
    window.menu_actions.undo.trigger()
    assert service.get_annotation(dossier, ann.id).quote == "accounts"
    assert model.rowCount() == 1


def test_list_and_reader_select_each_other(dossier: Any, qtbot: Any, tmp_path: Path) -> None:
    text = "\n\n".join(f"Paragraph {i}: the workers' wages were withheld." for i in range(120))
    doc = add_text_document(dossier, text, "Long article")
    late_start = text.index("Paragraph 110")
    early = service.create_annotation(dossier, doc.id, 0, 11, [tag(dossier, "Deception").id])
    late = service.create_annotation(dossier, doc.id, late_start, late_start + 13,
                                     [tag(dossier, "Debt bondage").id])
    window = open_window(dossier, qtbot, tmp_path)
    window.open_document(doc.id)
    view = window.view
    assert not view.editor.is_position_visible(view.utf16_range(late_start, late_start)[0])
    # Choosing the entry scrolls the reader to the passage and makes it current.
    table = window.list_dock.table
    row = window.list_dock.proxy.mapFromSource(window.annotation_model.index(1, 0)).row()
    table.selectRow(row)
    assert view.editor.is_position_visible(view.utf16_range(late_start, late_start)[0])
    assert window.panel.annotation is not None and window.panel.annotation.id == late.id
    # Clicking a highlight in the reader selects its entry.
    view.reveal(0, 11, flash=False)
    point = text_caret_point(view, 3)
    QTest.mouseClick(view.editor.viewport(), Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.NoModifier, point)
    assert window.list_dock.selected_annotation() == early.id
    assert window.panel.annotation is not None and window.panel.annotation.id == early.id
    # The list filters by tag and text.
    window.list_dock.set_tag_filter(tag(dossier, "Abuses").id)
    assert window.list_dock.proxy.rowCount() == 2
    window.list_dock.set_tag_filter(tag(dossier, "Debt bondage").id)
    assert window.list_dock.proxy.rowCount() == 1
    window.list_dock.text_filter.setText("paragraph 110")
    assert window.list_dock.proxy.rowCount() == 1
    window.list_dock.text_filter.setText("paragraph 7")
    assert window.list_dock.proxy.rowCount() == 0


# -- PDF pages ---------------------------------------------------------------------------------

def _import_pdf(window: Any, monkeypatch: pytest.MonkeyPatch, name: str) -> Any:
    path = corpus_dir() / "pdf" / name  # type: ignore[operator]
    monkeypatch.setattr(dialogs, "choose_files", lambda *_a: [str(path)])
    window.menu_actions.import_files.trigger()
    assert window.view is not None and window.view.document.filename == name
    return window.view


def _rendered(view: Any, point: QPoint) -> bool:
    image = grab(view.canvas.viewport())
    box = QRect(point - QPoint(30, 8), point + QPoint(30, 8))
    return any(image.pixelColor(x, y).lightness() < 128
               for y in range(box.top(), box.bottom()) for x in range(box.left(), box.right()))


@requires_corpus
@pytest.mark.parametrize(("filename", "passage", "tag_name", "page_number"), [
    ("federal-register-2020-17221.pdf",
     "Investigation of the accident has been completed by the Indonesian authorities",
     "Deception", 2),
    ("nics-background-checks-2015-11-rotated.pdf", "NICS Firearm Background Checks",
     "Scale and statistics", 1),
])
def test_pdf_drag_and_key_highlights_the_characters(
        dossier: Any, qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        filename: str, passage: str, tag_name: str, page_number: int) -> None:
    window = open_window(dossier, qtbot, tmp_path)
    view = _import_pdf(window, monkeypatch, filename)
    doc_id = view.document.id
    info = tag(dossier, tag_name)
    start = view.text.index(passage)
    end = start + len(passage)
    page = next(p for p in page_geometry(dossier, doc_id) if p.start <= start < p.end)
    assert page.number == page_number
    view.go_to_page(page.number)
    view.reveal(start, end, flash=False)
    first, last = char_centre(view, page, start), char_centre(view, page, end - 1)
    qtbot.waitUntil(lambda: _rendered(view, first), timeout=10000)
    before = grab(view.canvas.viewport())
    drag(view.canvas.viewport(), first, last)
    assert view.selected_range() == (start, end)
    press(window, info.shortcut)

    (ann,) = service.list_annotations(dossier, document_id=doc_id)
    assert ann.quote == passage
    assert (ann.page_start, ann.page_end) == (page_number, page_number)
    assert [t.path for t in ann.tags] == [info.path]
    # Every printed character of the passage lies inside the highlight's boxes.
    boxes = [rect for number, rect in view.highlight_rects(ann.id) if number == page.number]
    assert boxes
    for offset in range(start, end):
        if page.synthetic[offset - page.start]:
            continue
        x0, top, x1, bottom = page.box(offset)
        centre = QRectF(x0, top, x1 - x0, bottom - top).center()
        assert any(r.adjusted(-0.5, -0.5, 0.5, 0.5).contains(centre) for r in boxes), \
            (passage[offset - start], (x0, top, x1, bottom))
    # And the highlight is painted there, in the tag's colour.
    cells = [QRect(char_centre(view, page, offset) - QPoint(2, 2),
                   char_centre(view, page, offset) + QPoint(2, 2))
             for offset in (start, (start + end) // 2, end - 1)]
    qtbot.waitUntil(lambda: all(
        tinted(before, grab(view.canvas.viewport()), cell, info.colour)
        and changed_pixels(before, grab(view.canvas.viewport()), cell) > 0 for cell in cells),
        timeout=3000)  # once the pending repaints have happened
    after = grab(view.canvas.viewport())
    # Outside the passage nothing changed: the character two lines above the first.
    x0, top, _x1, _bottom = page.box(start)
    away = view.page_point_to_viewport(page.number, x0, top - 30)
    assert changed_pixels(before, after, QRect(away - QPoint(2, 2), away + QPoint(2, 2))) == 0
    assert window.status.page.text() == f"Page {page_number} of {view.page_count()}"


def test_layout_is_restored_on_next_start(dossier: Any, qtbot: Any, tmp_path: Path) -> None:
    window = open_window(dossier, qtbot, tmp_path)
    window.codebook_dock.hide()
    # Smaller than the offscreen platform's 800x600 screen, which a restored geometry must fit.
    window.resize(780, 560)
    window.close()
    again = open_window(dossier, qtbot, tmp_path)
    assert again.codebook_dock.isHidden() and not again.panel.isHidden()
    assert (again.width(), again.height()) == (780, 560)
    # Preferences live apart from the saved layout: forgetting the layout keeps them.
    again.set_pdf_mode("text")
    again.settings.forget_window()
    keys = again.settings.store.allKeys()
    assert "preferences/pdf_view_mode" in keys
    assert not [k for k in keys if k.startswith("window/")]


# -- popup, menus, view toggle -----------------------------------------------------------------

def test_tag_popup_is_driven_by_the_keyboard(dossier: Any, qtbot: Any, tmp_path: Path) -> None:
    doc = add_text_document(dossier, MIXED, "Border report")
    window = open_window(dossier, qtbot, tmp_path)
    window.open_document(doc.id)
    start = MIXED.index("Workers said")
    drag_text(window.view, start, start + len("Workers said"))
    QTest.keyClick(window.focusWidget(), Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    popup = window.tagger.popup
    qtbot.waitUntil(popup.isVisible, timeout=2000)
    QTest.keyClicks(popup.filter, "wage")
    assert popup.proxy.rowCount() == 2  # "Withholding of wages", "Wage deposits to state-..."
    QTest.keyClick(popup.filter, Qt.Key.Key_Tab)  # tick the first
    QTest.keyClick(popup.filter, Qt.Key.Key_Down)
    QTest.keyClick(popup.filter, Qt.Key.Key_Tab)  # and the second
    QTest.keyClick(popup.filter, Qt.Key.Key_Return)
    assert not popup.isVisible()
    (ann,) = service.list_annotations(dossier, document_id=doc.id)
    assert ann.quote == "Workers said"
    assert sorted(t.path for t in ann.tags) == [
        "Abuses/Withholding of wages", "Funding flows/Wage deposits to state-controlled accounts"]
    # With the annotation current, the popup starts from its tags; Enter with one unticked
    # and nothing else changed removes it.
    window.open_tag_popup()
    assert sorted(popup.model.chosen()) == sorted(t.id for t in ann.tags)
    QTest.keyClicks(popup.filter, "withholding")
    QTest.keyClick(popup.filter, Qt.Key.Key_Tab)
    QTest.keyClick(popup.filter, Qt.Key.Key_Return)
    ann = service.get_annotation(dossier, ann.id)
    assert [t.path for t in ann.tags] == [
        "Funding flows/Wage deposits to state-controlled accounts"]
    QTest.keyClick(window.focusWidget(), Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(popup.isVisible, timeout=2000)
    QTest.keyClick(popup.filter, Qt.Key.Key_Escape)
    assert not popup.isVisible()
    assert len(service.get_annotation(dossier, ann.id).tags) == 1


def test_context_menu_tags_the_selection(dossier: Any, qtbot: Any, tmp_path: Path) -> None:
    doc = add_text_document(dossier, MIXED, "Border report")
    window = open_window(dossier, qtbot, tmp_path)
    window.open_document(doc.id)
    start = MIXED.index("End of report")
    drag_text(window.view, start, start + len("End of report"))
    menu = QMenu(window)
    window.tagger.build_menu(menu)
    tag_menu = menu.actions()[0].menu()
    assert [a.text() for a in tag_menu.actions()] == [
        "Abuses", "Contracts", "Funding flows", "Context"]
    context = tag_menu.actions()[3].menu()
    source = next(a for a in context.actions() if a.text().startswith("Source attribution"))
    assert source.text().endswith("\t" + tag(dossier, "Source attribution").shortcut)
    source.trigger()
    (ann,) = service.list_annotations(dossier, document_id=doc.id)
    assert (ann.quote, [t.path for t in ann.tags]) == (
        "End of report", ["Context/Source attribution"])


@requires_corpus
def test_pdf_text_view_toggle_and_document_menu(dossier: Any, qtbot: Any, tmp_path: Path) -> None:
    from app.services.imports import import_file

    pdf = import_file(dossier, corpus_dir() / "pdf" / "nics-background-checks-2015-11-rotated.pdf"
                      ).document  # type: ignore[operator]
    article = add_text_document(dossier, MIXED, "Border report")
    ann = service.create_annotation(dossier, pdf.id, 0, 4,
                                    [tag(dossier, "Scale and statistics").id])
    window = open_window(dossier, qtbot, tmp_path)
    # The Document menu lists both documents; choosing one opens it.
    menu = window.menuBar().actions()[3].menu()
    menu.aboutToShow.emit()
    titles = [a.text() for a in menu.actions() if a.isCheckable()]
    assert titles == [f"{pdf.title}  (PDF)", "Border report  (Text)"]
    next(a for a in menu.actions() if a.text().startswith(pdf.title)).trigger()
    assert window.view.document.id == pdf.id and hasattr(window.view, "page_count")
    assert window.menu_actions.page_view.isChecked()
    window.tagger.set_current(ann.id)
    window.menu_actions.text_view.trigger()
    assert not hasattr(window.view, "page_count")  # reflowed text, same document
    assert window.view.annotations()[0].id == ann.id
    assert window.tagger.current_id == ann.id
    window.menu_actions.page_view.trigger()
    assert hasattr(window.view, "page_count")
    window.open_document(article.id)
    assert not window.menu_actions.page_view.isEnabled()

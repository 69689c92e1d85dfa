"""The text view, driven like an investigator would: drag over a passage, tag it, see it painted.

Offsets are checked against UTF-16 positions the tests compute themselves from the text, so a
drift between Qt's units and Dossier's code points cannot hide behind the view's own conversion.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtGui import QColor, QContextMenuEvent, QHelpEvent, QTextCursor
from PySide6.QtWidgets import QApplication, QToolTip

from app.importers.base import ExtractedDocument
from app.services import annotations as service
from app.services import codebook
from app.services.annotations import AnnotationView, TagRef
from app.services.documents import store_document
from tests.helpers.documents import add_text_document
from tests.helpers.screenshots import close, save_screenshot
from ui.views import make_view
from ui.views.base import highlight_fill
from ui.views.text_view import TextView

TEXT = (
    "Court record\n\n"
    "The judge 👩🏽‍⚖️ ruled 😀 that 工厂的工人被没收护照 and wrote: الأجور محتجزة منذ سنة "
    "— wages held for a year. Contracts 📄 were signed under pressure.\n\n"
    "A second paragraph about funding flows through 🏦 accounts controlled by the state."
)


def utf16(text: str, offset: int) -> int:
    """UTF-16 position of code-point ``offset``, computed independently of ui.offsets."""
    return len(text[:offset].encode("utf-16-le")) // 2


def tag(dossier: Any, name: str) -> codebook.TagInfo:
    with dossier.read() as session:
        return codebook.resolve_tag(session, name)


def open_view(dossier: Any, qtbot: Any, text: str = TEXT, width: int = 900,
              height: int = 600) -> tuple[TextView, Any]:
    doc = add_text_document(dossier, text, "Court record")
    view = make_view(dossier, doc)
    assert isinstance(view, TextView)
    qtbot.addWidget(view)
    view.resize(width, height)
    with qtbot.waitExposed(view):
        view.show()
    return view, doc


def caret_point(view: TextView, position: int) -> QPoint:
    """Viewport point at the vertical middle of the caret at UTF-16 ``position``."""
    cursor = QTextCursor(view.editor.document())
    cursor.setPosition(position)
    rect = view.editor.cursorRect(cursor)
    return QPoint(rect.x(), rect.center().y())


def test_drag_over_emoji_and_chinese_selects_exact_code_points(dossier: Any, qtbot: Any,
                                                               tmp_path: Path) -> None:
    view, doc = open_view(dossier, qtbot)
    passage = "👩🏽‍⚖️ ruled 😀 that 工厂的工人被没收护照"
    start = TEXT.index(passage)
    end = start + len(passage)
    viewport = view.editor.viewport()
    first, last = caret_point(view, utf16(TEXT, start)), caret_point(view, utf16(TEXT, end))
    changes: list[tuple[int, int]] = []
    view.selection_changed.connect(lambda s, e: changes.append((s, e)))

    # A real drag: press just inside the first character, move, release just inside the last.
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=first + QPoint(2, 0))
    qtbot.mouseMove(viewport, pos=(first + last) / 2)
    qtbot.mouseMove(viewport, pos=last - QPoint(2, 0))
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=last - QPoint(2, 0))

    assert view.selected_range() == (start, end)
    assert changes[-1] == (start, end)
    annotation = service.create_annotation(dossier, doc.id, *view.selected_range(),
                                           [tag(dossier, "Deception").id])
    assert annotation.quote == passage

    view.clear_selection()
    assert changes[-1] == (-1, -1) and view.selected_range() is None

    before = viewport.grab().toImage()
    view.set_annotations(service.list_annotations(dossier, document_id=doc.id))
    after = viewport.grab().toImage()
    expected = highlight_fill(QColor(annotation.tags[0].colour))
    # The top pixel row of the highlighted line, between first and last character: paper
    # before, tag colour blended on paper after.
    cursor = QTextCursor(view.editor.document())
    cursor.setPosition(utf16(TEXT, TEXT.index("ruled")))
    top = view.editor.cursorRect(cursor).top() + 1
    xs = range(first.x() + 3, caret_point(view, utf16(TEXT, TEXT.index("工厂"))).x())
    paper = [x for x in xs if before.pixelColor(x, top) == QColor("#ffffff")]
    assert len(paper) > 40
    assert all(close(after.pixelColor(x, top), expected) for x in paper)
    # Past the highlight's end the paper stays white.
    beyond = caret_point(view, utf16(TEXT, TEXT.index(" and wrote")) + 2)
    assert close(after.pixelColor(beyond.x() + 4, top), QColor("#ffffff"))
    save_screenshot(view.grab().toImage(), "text-view-selection.png", tmp_path)


def test_arabic_and_astral_selections_map_to_code_points(dossier: Any, qtbot: Any) -> None:
    view, doc = open_view(dossier, qtbot)
    for passage in ("الأجور محتجزة منذ سنة", "📄 were signed", "🏦 accounts", "😀"):
        start = TEXT.index(passage)
        cursor = QTextCursor(view.editor.document())
        cursor.setPosition(utf16(TEXT, start))
        cursor.setPosition(utf16(TEXT, start + len(passage)), QTextCursor.MoveMode.KeepAnchor)
        view.editor.setTextCursor(cursor)
        assert view.selected_range() == (start, start + len(passage))
        made = service.create_annotation(dossier, doc.id, *view.selected_range())
        assert made.quote == passage
    # Whitespace around a selection is not part of the passage.
    view.select_range(TEXT.index(" ruled"), TEXT.index(" that") + len(" that "))
    assert TEXT[slice(*view.selected_range())] == "ruled 😀 that"


# Showing a tooltip raises its window, which the offscreen platform cannot do (a warning).
@pytest.mark.qt_log_ignore("This plugin does not support raise")
def test_click_on_highlight_activates_it_and_tooltip_tells_tags_note_author(
        dossier: Any, qtbot: Any) -> None:
    view, doc = open_view(dossier, qtbot)
    start = TEXT.index("Contracts")
    ann = service.create_annotation(dossier, doc.id, start, start + len("Contracts 📄 were"),
                                    [tag(dossier, "Deception").id], note="signed under duress")
    view.set_annotations([ann])
    on_it = caret_point(view, utf16(TEXT, start + 3)) + QPoint(2, 0)
    with qtbot.waitSignal(view.annotation_activated, timeout=1000) as signal:
        qtbot.mouseClick(view.editor.viewport(), Qt.MouseButton.LeftButton, pos=on_it)
    assert signal.args == [ann.id]

    viewport = view.editor.viewport()
    event = QHelpEvent(QEvent.Type.ToolTip, on_it, viewport.mapToGlobal(on_it))
    QToolTip.hideText()
    view.eventFilter(viewport, event)
    assert QToolTip.isVisible()
    tip = QToolTip.text()
    assert "Abuses/Deception" in tip and "signed under duress" in tip and "alice" in tip
    QToolTip.hideText()

    with qtbot.waitSignal(view.context_menu_requested, timeout=1000) as menu:
        QApplication.sendEvent(viewport, QContextMenuEvent(
            QContextMenuEvent.Reason.Mouse, on_it, viewport.mapToGlobal(on_it)))
    assert menu.args == [viewport.mapToGlobal(on_it)]


def test_overlapping_highlights_stay_distinguishable(dossier: Any, qtbot: Any) -> None:
    view, doc = open_view(dossier, qtbot)
    a = service.create_annotation(dossier, doc.id, TEXT.index("A second"),
                                  TEXT.index(" through"), [tag(dossier, "Deception").id])
    b = service.create_annotation(dossier, doc.id, TEXT.index("about"), TEXT.index(" accounts"),
                                  [tag(dossier, "Employment contract terms").id])
    view.set_annotations([a, b])
    image = view.editor.viewport().grab().toImage()
    cursor = QTextCursor(view.editor.document())
    cursor.setPosition(utf16(TEXT, TEXT.index("second")))
    top = view.editor.cursorRect(cursor).top() + 1

    def colour_at(word: str) -> QColor:
        return image.pixelColor(caret_point(view, utf16(TEXT, TEXT.index(word))).x() + 1, top)

    only_a, both, only_b = colour_at("second"), colour_at("funding"), colour_at("🏦")
    assert close(only_a, highlight_fill(QColor(a.tags[0].colour)))
    assert close(only_b, highlight_fill(QColor(b.tags[0].colour)))
    assert not close(both, only_a, 12) and not close(both, only_b, 12)
    assert both.lightness() < min(only_a.lightness(), only_b.lightness())


def test_headings_are_set_larger_and_bold(dossier: Any, qtbot: Any) -> None:
    text = "Forced labour abroad\n\nWorkers were sent overseas and paid nothing at all."
    extracted = ExtractedDocument(kind="html", text=text, title="Article", extractor="test",
                                  structure=[("heading", 0, 20), ("paragraph", 22, len(text))])
    doc, _ = store_document(dossier, text.encode(), extracted, source="test", filename="a.html")
    view = make_view(dossier, doc)
    qtbot.addWidget(view)
    view.resize(800, 400)
    with qtbot.waitExposed(view):
        view.show()
    editor = view.editor  # type: ignore[attr-defined]
    heading, body = editor.document().firstBlock(), editor.document().lastBlock()
    heading_line = heading.layout().lineAt(0).height()
    assert heading_line > 1.2 * body.layout().lineAt(0).height()
    cursor = QTextCursor(heading)
    cursor.setPosition(3)
    assert cursor.charFormat().fontWeight() >= 700


def test_million_characters_and_5000_highlights_open_quickly(dossier: Any, qtbot: Any) -> None:
    words = ["passport", "contract", "wages", "account", "state", "worker", "manager",
             "overseas", "😀", "工资"]
    paragraphs = (" ".join(words[(i * 7 + k) % len(words)] for k in range(90)) for i in range(3000))
    text = "\n\n".join(paragraphs)[:1_000_000]
    assert len(text) == 1_000_000
    doc = add_text_document(dossier, text, "Big")
    refs = (TagRef("t1", "Abuses/Deception", "#e15759"), TagRef("t2", "Funding", "#4e79a7"))
    spans = [(i * 199, i * 199 + 60) for i in range(5000)]
    highlights = [
        AnnotationView(f"a{i}", doc.id, s, e, text[s:e], "", "", None, None, "", "", None, None,
                       "draft", "exact", 1.0, "alice", "", "", (refs[i % 2],))
        for i, (s, e) in enumerate(spans)
    ]
    view = make_view(dossier, doc)  # how fast: benchmarks/reader.py (target 1.5 s)
    qtbot.addWidget(view)
    view.resize(900, 700)
    view.set_annotations(highlights)
    with qtbot.waitExposed(view):
        view.show()
    # Only the highlights near the screen are handed to Qt.
    assert 0 < len(view.editor.extraSelections()) < 200
    # Jumping to the end shows the highlights there, with exact code points.
    last = highlights[-1]
    view.reveal(last.start, last.end, flash=False)
    starts = {sel.cursor.selectionStart() for sel in view.editor.extraSelections()}
    assert view.utf16_range(last.start, last.end)[0] in starts
    assert utf16(text, last.start) == view.utf16_range(last.start, last.end)[0]


def test_reveal_scrolls_to_the_passage_and_flashes(dossier: Any, qtbot: Any) -> None:
    text = "\n\n".join(f"Paragraph {i}: wages were withheld from the workers." for i in range(400))
    view, _doc = open_view(dossier, qtbot, text)
    target = text.index("Paragraph 350:")
    view.reveal(target, target + 13)
    assert view.editor.is_position_visible(view.utf16_range(target, target + 1)[0])
    assert [(d.start, d.end) for d in view.editor.layer("flash")] == [
        view.utf16_range(target, target + 13)]
    qtbot.waitUntil(lambda: not view.editor.layer("flash"), timeout=3000)


@pytest.mark.parametrize("zoom", [1.5, 0.8])
def test_zoom_scales_the_text(dossier: Any, qtbot: Any, zoom: float) -> None:
    view, _doc = open_view(dossier, qtbot)
    before = view.editor.fontMetrics().height()
    view.set_zoom(zoom)
    assert view.zoom() == pytest.approx(zoom)
    assert view.editor.fontMetrics().height() == pytest.approx(before * zoom, rel=0.2)

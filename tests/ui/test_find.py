"""Find in document: Ctrl+F, typing, Enter/Shift+Enter, Esc, in the text view and the page view."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from app.dossier import Dossier
from app.services.imports import import_file
from tests.helpers.corpus import corpus_dir, requires_corpus
from tests.helpers.documents import add_text_document
from ui.views import make_view
from ui.views.base import FIND_CURRENT_COLOUR
from ui.views.find_bar import find_all
from ui.views.pdf_view import PdfPageView
from ui.views.text_view import TextView

TEXT = ("😀 The Contract\nterms were never shown. 工资 withheld: wages, WAGES and more wages.\n\n"
        "Workers signed a contract they could not read.")


def test_find_all_is_case_insensitive_spans_line_breaks_and_counts_code_points() -> None:
    assert find_all(TEXT, "contract terms") == [(6, 20)]
    assert TEXT[6:20] == "Contract\nterms"
    wages = [m.span() for m in re.finditer("wages", TEXT, re.IGNORECASE)]
    assert find_all(TEXT, "Wages") == wages and len(wages) == 3
    assert find_all(TEXT, "工资") == [(TEXT.index("工资"), TEXT.index("工资") + 2)]
    assert find_all(TEXT, "   ") == [] and find_all(TEXT, "absent") == []
    assert find_all("a.b a+b", "a+b") == [(4, 7)]  # the query is text, not a pattern


def open_text_view(dossier: Any, qtbot: Any, text: str) -> TextView:
    doc = add_text_document(dossier, text, "Find")
    view = make_view(dossier, doc)
    assert isinstance(view, TextView)
    qtbot.addWidget(view)
    view.resize(800, 500)
    with qtbot.waitExposed(view):
        view.show()
    return view


def test_ctrl_f_type_enter_shift_enter_escape_in_the_text_view(dossier: Any, qtbot: Any) -> None:
    view = open_text_view(dossier, qtbot, TEXT)
    with qtbot.waitActive(view):  # shortcuts only reach the active window
        view.activateWindow()
    view.editor.setFocus()
    qtbot.keyClick(view.editor, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    bar = view.find_bar
    assert bar.isVisible() and bar.edit.hasFocus()

    qtbot.keyClicks(bar.edit, "wages")
    expected = find_all(TEXT, "wages")
    matches, current = view.find_matches()
    assert matches == expected and current == 0
    assert bar.count_label.text() == "1 of 3"
    # Every match is painted, at the UTF-16 positions of its code points (an emoji precedes).
    painted = [(d.start, d.end) for d in view.editor.layer("matches")]
    assert painted == [(s + 1, e + 1) for s, e in expected]
    current_format = view.editor.layer("matches")[0].format
    assert current_format.background().color() == FIND_CURRENT_COLOUR

    qtbot.keyClick(bar.edit, Qt.Key.Key_Return)
    assert view.find_matches()[1] == 1 and bar.count_label.text() == "2 of 3"
    qtbot.keyClick(bar.edit, Qt.Key.Key_Return)
    qtbot.keyClick(bar.edit, Qt.Key.Key_Return)  # wraps to the first
    assert view.find_matches()[1] == 0
    qtbot.keyClick(bar.edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    assert view.find_matches()[1] == 2 and bar.count_label.text() == "3 of 3"
    qtbot.mouseClick(bar.previous_button, Qt.MouseButton.LeftButton)
    assert view.find_matches()[1] == 1

    qtbot.keyClicks(bar.edit, "x")
    assert view.find_matches()[0] == [] and bar.count_label.text() == "No matches"
    assert not bar.next_button.isEnabled()

    qtbot.keyClick(bar.edit, Qt.Key.Key_Escape)
    assert not bar.isVisible() and view.editor.layer("matches") == []


def test_a_match_far_down_is_scrolled_into_view(dossier: Any, qtbot: Any) -> None:
    text = "\n\n".join(f"Paragraph {i} about wages." for i in range(500))
    text += "\n\nThe payroll ledger."
    view = open_text_view(dossier, qtbot, text)
    view.show_find_bar()
    qtbot.keyClicks(view.find_bar.edit, "payroll LEDGER")
    (start, _end), = view.find_matches()[0]
    assert view.editor.is_position_visible(view.utf16_range(start, start)[0])


@requires_corpus
def test_find_in_the_page_view_highlights_matches_and_goes_to_their_page(
        template_dossier: Path, tmp_path: Path, qtbot: Any) -> None:
    folder = tmp_path / "dossier"
    shutil.copytree(template_dossier, folder)
    dossier = Dossier.open(folder, user="alice")
    try:
        corpus = corpus_dir()
        assert corpus is not None
        result = import_file(dossier, corpus / "pdf" / "federal-register-2020-17221.pdf")
        assert result.document is not None
        view = make_view(dossier, result.document)
        assert isinstance(view, PdfPageView)
        qtbot.addWidget(view, before_close_func=lambda w: w.release())
        view.resize(900, 900)
        with qtbot.waitExposed(view):
            view.show()

        view.show_find_bar()
        qtbot.keyClicks(view.find_bar.edit, "ethiopian airlines flight")
        matches, current = view.find_matches()
        expected = [m.span() for m in re.finditer(r"Ethiopian\s+Airlines\s+Flight", view.text,
                                                   re.IGNORECASE)]
        assert matches == expected and len(expected) >= 2 and current == 0
        start, end = matches[0]
        page = view.page_of(start)
        assert page > 1 and view.current_page() in (page - 1, page)
        qtbot.waitUntil(lambda: page in view.canvas.shown_pages(), timeout=5000)

        # The current match is painted: its characters' paper turns the find colour.
        image = view.canvas.viewport().grab().toImage()
        rects = view.range_rects(start, end)
        assert rects and all(n == page for n, _r in rects)
        number, rect = rects[0]
        corner = view.page_point_to_viewport(number, rect.left(), rect.top())
        far = view.page_point_to_viewport(number, rect.right(), rect.bottom())
        assert image.rect().contains(corner) and image.rect().contains(far)
        colours = [image.pixelColor(x, corner.y() + 1) for x in range(corner.x() + 1, far.x())]
        assert sum(_near(c, FIND_CURRENT_COLOUR) for c in colours) > len(colours) // 2

        qtbot.keyClick(view.find_bar.edit, Qt.Key.Key_Return)
        assert view.find_matches()[1] == 1
        assert view.current_page() in (view.page_of(matches[1][0]) - 1, view.page_of(matches[1][0]))
        qtbot.keyClick(view.find_bar.edit, Qt.Key.Key_Escape)
        assert view.find_matches() == ([], -1)
    finally:
        dossier.close()


def _near(a: QColor, b: QColor, tolerance: int = 12) -> bool:
    return all(abs(x - y) <= tolerance for x, y in
               ((a.red(), b.red()), (a.green(), b.green()), (a.blue(), b.blue())))


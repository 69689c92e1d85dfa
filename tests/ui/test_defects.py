"""The defects found when the window was tried as a new user would; each test failed before
its fix."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from app.services import annotations as service
from app.services import codebook
from tests.helpers.documents import add_text_document
from tests.helpers.main_window import OFFSCREEN_LIMITS, drag_text, open_window

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_LIMITS)

FIRST = ("Managers confiscated the workers' passports on arrival.\n\n"
         "Most of the wages went into accounts controlled by the state.")
SECOND = "A second report about a different site, with nothing tagged in it yet.\n\n" * 3


def tag_key(dossier: Any, name: str) -> str:
    with dossier.read() as session:
        key = codebook.resolve_tag(session, name).shortcut
    assert key
    return key


def press(window: Any, key: str) -> None:
    window.view.setFocus()
    QTest.keyClick(window.focusWidget(), key)


def tag_passage(window: Any, text: str, passage: str, key: str) -> str:
    start = text.index(passage)
    drag_text(window.view, start, start + len(passage))
    press(window, key)
    assert window.tagger.current_id is not None
    return window.tagger.current_id


def test_undo_and_redo_show_the_document_they_act_on(dossier: Any, qtbot: Any,
                                                     tmp_path: Path) -> None:
    a = add_text_document(dossier, FIRST, "First")
    b = add_text_document(dossier, SECOND, "Second")
    window = open_window(dossier, qtbot, tmp_path)
    window.open_document(a.id)
    ann = tag_passage(window, FIRST, "passports", tag_key(dossier, "Deception"))
    window.open_document(b.id)
    window.menu_actions.undo.trigger()
    assert window.document_id == a.id  # the undone passage is brought into view
    window.open_document(b.id)
    window.menu_actions.redo.trigger()
    assert window.document_id == a.id
    assert window.tagger.current_id == ann
    assert window.annotation_model.row_of(ann) >= 0


def test_after_undo_and_redo_delete_acts_only_on_what_is_on_screen(
        dossier: Any, qtbot: Any, tmp_path: Path) -> None:
    a = add_text_document(dossier, FIRST, "First")
    b = add_text_document(dossier, SECOND, "Second")
    window = open_window(dossier, qtbot, tmp_path)
    window.open_document(a.id)
    ann = tag_passage(window, FIRST, "passports", tag_key(dossier, "Deception"))
    window.open_document(b.id)
    window.menu_actions.undo.trigger()
    window.open_document(b.id)
    window.menu_actions.redo.trigger()
    current = window.tagger.current_id
    # Whatever is current is on screen; with nothing current, Delete and Tag are disabled.
    assert current is None or window.annotation_model.row_of(current) >= 0
    assert window.menu_actions.delete.isEnabled() == (current is not None)
    assert window.menu_actions.tag.isEnabled() == (current is not None
                                                   or window.view.selected_range() is not None)
    window.view.setFocus()
    QTest.keyClick(window.focusWidget(), Qt.Key.Key_Delete)
    deleted = not any(x.id == ann for x in service.list_annotations(dossier))
    assert not deleted or window.document_id == a.id  # never an annotation off screen
    window.open_document(b.id)
    assert window.tagger.current_id is None and not window.menu_actions.delete.isEnabled()


def test_choosing_the_selected_row_again_scrolls_to_its_passage(
        dossier: Any, qtbot: Any, tmp_path: Path) -> None:
    text = FIRST + "\n\n" + SECOND * 40
    doc = add_text_document(dossier, text, "Long")
    start = text.index("passports")
    ann = service.create_annotation(dossier, doc.id, start, start + 9, [])
    window = open_window(dossier, qtbot, tmp_path)
    window.open_document(doc.id)
    dock = window.list_dock
    index = dock.proxy.mapFromSource(window.annotation_model.index(
        window.annotation_model.row_of(ann.id), 0))
    rect = dock.table.visualRect(index)
    QTest.mouseClick(dock.table.viewport(), Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.NoModifier, rect.center())
    assert window.tagger.current_id == ann.id
    view = window.view
    u_start = view.utf16_range(start, start)[0]
    view.editor.verticalScrollBar().setValue(view.editor.verticalScrollBar().maximum())
    assert not view.editor.is_position_visible(u_start)
    QTest.mouseClick(dock.table.viewport(), Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.NoModifier, rect.center())
    assert view.editor.is_position_visible(u_start)


def test_status_bar_count_follows_the_list_filter(dossier: Any, qtbot: Any,
                                                  tmp_path: Path) -> None:
    doc = add_text_document(dossier, FIRST, "First")
    for word in ("Managers", "passports", "wages"):
        start = FIRST.index(word)
        service.create_annotation(dossier, doc.id, start, start + len(word), [])
    window = open_window(dossier, qtbot, tmp_path)
    window.open_document(doc.id)
    assert window.status.count.text() == "3 annotations"
    window.list_dock.text_filter.setText("passports")
    assert window.status.count.text() == "1 of 3 annotations shown"
    window.list_dock.text_filter.clear()
    assert window.status.count.text() == "3 annotations"


def test_tag_popup_shows_a_long_name_whole_with_one_match(dossier: Any, qtbot: Any,
                                                          tmp_path: Path) -> None:
    doc = add_text_document(dossier, FIRST, "First")
    window = open_window(dossier, qtbot, tmp_path)
    window.open_document(doc.id)
    drag_text(window.view, 0, 8)
    window.open_tag_popup()
    popup = window.tagger.popup
    qtbot.waitUntil(popup.isVisible)
    QTest.keyClicks(popup.filter, "Wage deposits")
    assert popup.proxy.rowCount() == 1
    qtbot.waitUntil(lambda: popup.list.viewport().width() > 0)
    # The whole row (tick box, colour, name) fits: no part of it is scrolled out of sight.
    assert popup.list.sizeHintForColumn(0) <= popup.list.viewport().width()
    assert not popup.list.horizontalScrollBar().isVisible()
    popup.close()


def test_default_layout_shows_tag_names_and_titles_whole(dossier: Any, qtbot: Any,
                                                         tmp_path: Path) -> None:
    title = ("Overseas workers describe wage deductions and confiscated passports at "
             "a shipyard")
    add_text_document(dossier, FIRST, title)
    window = open_window(dossier, qtbot, tmp_path)
    tree = window.codebook_dock.tree
    model = window.codebook_model
    metrics = tree.fontMetrics()
    for info in model.tags():
        rect = tree.visualRect(model.index_of(info.id))
        # Name column: the colour swatch, then the name.
        assert rect.width() - tree.iconSize().width() - 12 >= \
            metrics.horizontalAdvance(info.name), info.name
    docs = window.documents_dock.list
    rect = docs.visualRect(window.documents_dock.proxy.index(0, 0))
    needed = docs.fontMetrics().boundingRect(0, 0, rect.width() - 8, 10000,
                                             int(Qt.TextFlag.TextWordWrap), title)
    assert rect.height() >= needed.height()


def test_export_dialog_remembers_and_offers_show_in_folder(
        dossier: Any, qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ui import dialogs

    saved: list[str] = []
    monkeypatch.setattr(dialogs, "inform_saved", lambda _p, _t, _m, path: saved.append(path))
    doc = add_text_document(dossier, FIRST, "First")
    service.create_annotation(dossier, doc.id, 0, 8, [])
    window = open_window(dossier, qtbot, tmp_path)
    window.open_document(doc.id)
    dialog = window.exchanger.export_dialog(doc.id)
    dialog.format.setCurrentIndex(dialog.format.findData("csv"))
    dialog.only_current.setChecked(False)
    out = tmp_path / "exports" / "mine.csv"
    out.parent.mkdir()
    dialog.path.setText(str(out))
    dialog.accept()
    assert saved == [str(out)]
    again = window.exchanger.export_dialog(doc.id)
    assert again.format.currentData() == "csv"
    assert not again.only_current.isChecked()
    assert Path(again.path.text()).parent == out.parent
    again.reject()

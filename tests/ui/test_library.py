"""The Library: documents as a sortable, filterable table with properties."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QAbstractItemModelTester

from app.services import annotations as annotation_service
from tests.helpers.documents import add_text_document
from tests.helpers.main_window import OFFSCREEN_LIMITS, open_window
from ui.library.model import ANNOTATIONS, TITLE
from ui.library.properties import properties_html
from ui.models import roles

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_LIMITS)


def test_library_lists_filters_sorts_and_shows_properties(dossier: Any, qtbot: Any,
                                                         tmp_path: Path) -> None:
    a = add_text_document(dossier, "Wages were paid into state accounts.", "Shipyard wages")
    b = add_text_document(dossier, "Passports were kept by the agency.", "Agency passports")
    for start in (0, 6, 11):
        annotation_service.create_annotation(dossier, b.id, start, start + 4, [])
    window = open_window(dossier, qtbot, tmp_path)
    dock = window.workspace.library_dock
    tester = QAbstractItemModelTester(  # noqa: F841 (kept alive while the model changes)
        dock.model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    assert dock.proxy.rowCount() == 2
    dock.filter.setText("WAGES shipyard")  # words in any order, any case
    assert [dock.proxy.index(r, TITLE).data() for r in range(dock.proxy.rowCount())] \
        == ["Shipyard wages"]
    dock.filter.clear()
    dock.table.sortByColumn(ANNOTATIONS, Qt.SortOrder.DescendingOrder)
    assert dock.proxy.index(0, TITLE).data() == "Agency passports"
    assert dock.proxy.index(0, ANNOTATIONS).data() == "3"
    c = add_text_document(dossier, "A third report.", "Third")
    qtbot.waitUntil(lambda: dock.proxy.rowCount() == 3)
    dock.table.selectAll()
    assert sorted(dock.selected_ids()) == sorted([a.id, b.id, c.id])
    menu = dock.build_menu(a.id)
    assert [act.text() for act in menu.actions() if act.text()] == [
        "Open", "Properties…", "Re-import a New Version…", "Export Annotations…",
        "Remove 3 Documents from the Library…"]
    menu.actions()[0].trigger()
    qtbot.waitUntil(lambda: window.document_id == a.id)
    page = properties_html(dossier, a.id)
    assert a.sha256 in page and "version 1" in page and "Shipyard wages" in page
    index = dock.proxy.index(0, TITLE)
    assert index.data(roles.DOCUMENT_ID)


def test_removing_documents_asks_keeps_them_and_is_undoable(
        dossier: Any, qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from app.services import imports, search
    from app.services.integrity import verify
    from ui import dialogs

    a = add_text_document(dossier, "Wages were paid into state accounts.", "Shipyard wages")
    b = add_text_document(dossier, "Passports were kept by the agency.", "Agency passports")
    ann = annotation_service.create_annotation(dossier, b.id, 0, 9, [])
    window = open_window(dossier, qtbot, tmp_path)
    dock = window.workspace.library_dock
    asked: list[str] = []
    monkeypatch.setattr(dialogs, "ask", lambda _p, _t, q: asked.append(q) or False)
    dock.remove([b.id])
    assert asked and window.documents_model.rowCount() == 2  # declined: nothing removed
    monkeypatch.setattr(dialogs, "ask", lambda *_a: True)
    dock.table.selectAll()
    menu = dock.build_menu(b.id)
    next(x for x in menu.actions() if x.text().startswith("Remove 2 Documents")).trigger()
    assert window.documents_model.rowCount() == 0
    assert search.search(dossier, "passports") == []
    assert annotation_service.get_annotation(dossier, ann.id).id == ann.id  # kept
    window.menu_actions.undo.trigger()
    assert window.documents_model.rowCount() == 2
    assert [h.document_id for h in search.search(dossier, "passports")] == [b.id, b.id]
    window.menu_actions.redo.trigger()
    assert window.documents_model.rowCount() == 0
    # Importing the same original again brings it back.
    result = imports.import_bytes(dossier, b"Wages were paid into state accounts.",
                                  "again.txt", source="test")
    assert result.status == "imported" and result.document is not None
    assert result.document.id == a.id
    assert window.documents_model.row_of(a.id) >= 0
    report = verify(dossier)
    assert report.ok, report.problems


def test_documents_filter_takes_words_in_any_order(dossier: Any, qtbot: Any,
                                                   tmp_path: Path) -> None:
    add_text_document(dossier, "x", "Shipyard wages withheld in Port Calder")
    add_text_document(dossier, "y", "Agency passports")
    window = open_window(dossier, qtbot, tmp_path)
    dock = window.documents_dock
    dock.filter.setText("calder SHIPYARD")
    assert dock.proxy.rowCount() == 1
    dock.filter.setText("(unbalanced [")
    assert dock.proxy.rowCount() == 0
    dock.filter.clear()
    assert dock.proxy.rowCount() == 2


def test_no_timer_of_a_closed_window_fires(dossier: Any, qtbot: Any, tmp_path: Path) -> None:
    """Changes just before closing start the library's refresh (and the tag counts' and a
    typed search's); once the window has closed, its dossier closed and the folder gone, the
    event loop runs past every interval without a timer reading the dossier again."""
    import shutil

    from ui.docks.annotation_panel import NOTE_PAUSE_MS
    from ui.search.dock import TYPING_PAUSE_MS

    doc = add_text_document(dossier, "Passports were kept by the agency.", "Agency passports")
    window = open_window(dossier, qtbot, tmp_path)
    dock = window.workspace.library_dock
    created: list[Any] = []
    window.undo.create(doc.id, 0, 9, [], on_done=created.append)  # announces a change
    assert created and dock._facts_timer.isActive()
    window.workspace.search_dock.box.setText("passports")  # a search after the typing pause
    window.close()
    assert not dock._facts_timer.isActive()
    dossier.close()
    shutil.rmtree(dossier.folder)  # any read now fails ("unable to open database file")
    qtbot.wait(max(dock._facts_timer.interval(), TYPING_PAUSE_MS, NOTE_PAUSE_MS) + 300)

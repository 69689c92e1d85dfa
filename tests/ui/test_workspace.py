"""The workspace around the reader: search, codebook editing, importing by drag and drop."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtTest import QAbstractItemModelTester
from PySide6.QtWidgets import QApplication

from app.services import annotations as annotation_service
from app.services import codebook
from tests.helpers.corpus import corpus_dir, requires_corpus
from tests.helpers.documents import add_text_document
from tests.helpers.main_window import OFFSCREEN_LIMITS, open_window
from ui import dialogs
from ui.search.model import RESULT_ROLE

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_LIMITS)

ARTICLE = ("Recruiters promised factory work abroad. On arrival the workers' passports were "
           "taken by the agency, and forced labour followed for two years.\n\n"
           "A passport office near the port issued new papers.")


def tag_id(dossier: Any, name: str) -> str:
    with dossier.read() as session:
        return codebook.resolve_tag(session, name).id


def drop_urls(window: Any, urls: list[QUrl]) -> None:
    """Drag ``urls`` over the reader and drop them, as the window system delivers a drop."""
    mime = QMimeData()
    mime.setUrls(urls)
    pos = window.reader.mapTo(window, QPoint(window.reader.width() // 2, 40))
    handle = window.windowHandle()
    args = (Qt.DropAction.CopyAction, mime, Qt.MouseButton.NoButton,
            Qt.KeyboardModifier.NoModifier)
    enter = QDragEnterEvent(pos, *args)
    QApplication.sendEvent(handle, enter)
    assert enter.isAccepted()
    QApplication.sendEvent(handle, QDropEvent(pos.toPointF(), *args))


def type_search(qtbot: Any, window: Any, text: str) -> int:
    dock = window.workspace.search_dock
    with qtbot.waitSignal(dock.searched, timeout=3000):
        dock.box.setText(text)
    return dock.model.rowCount()


def test_search_phrase_opens_the_passage_highlighted(dossier: Any, qtbot: Any,
                                                     tmp_path: Path) -> None:
    doc = add_text_document(dossier, ARTICLE, "Overseas work")
    add_text_document(dossier, "Unrelated minutes of a council meeting.", "Minutes")
    window = open_window(dossier, qtbot, tmp_path)
    window.workspace.search_action.trigger()
    dock = window.workspace.search_dock
    assert dock.isVisible() and dock.box.hasFocus()
    assert type_search(qtbot, window, '"forced labour"') == 1
    hit = dock.model.index(0).data(RESULT_ROLE)
    assert hit.document_id == doc.id and hit.title == "Overseas work"
    dock.results.activated.emit(dock.model.index(0))
    assert window.document_id == doc.id
    start = ARTICLE.index("forced labour")
    assert window.view.selected_range() == (start, start + len("forced labour"))
    assert window.view.find_matches() == ([(start, start + len("forced labour"))], 0)


@pytest.mark.parametrize("text", ['"', "passport*", "forced-labour", "NEAR(", "a OR"])
def test_typing_tricky_queries_never_errors(dossier: Any, qtbot: Any, tmp_path: Path,
                                            text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    errors: list[str] = []
    monkeypatch.setattr(dialogs, "inform", lambda *a, **k: errors.append(a[2]))
    add_text_document(dossier, ARTICLE, "Overseas work")
    window = open_window(dossier, qtbot, tmp_path)
    window.ops.failed.connect(errors.append)
    for end in range(1, len(text) + 1):  # every prefix, as typed
        type_search(qtbot, window, text[:end])
    assert errors == []
    expected = {"passport*": 1, "forced-labour": 1, "a OR": 1}
    if text in expected:
        assert window.workspace.search_dock.model.rowCount() == expected[text]


def test_merging_tags_moves_annotations_and_undo_separates_them(
        dossier: Any, qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    doc = add_text_document(dossier, ARTICLE)
    deception, vulnerability = tag_id(dossier, "Deception"), tag_id(dossier,
                                                                    "Abuse of vulnerability")
    ann = annotation_service.create_annotation(dossier, doc.id, 0, 10, [deception])
    window = open_window(dossier, qtbot, tmp_path)
    tester = QAbstractItemModelTester(  # noqa: F841 (kept alive while the model changes)
        window.codebook_model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    target_path = window.codebook_model.tag(vulnerability).path
    monkeypatch.setattr(dialogs, "choose_item", lambda *a: target_path)
    window.workspace.codebook_editor.merge(deception)
    assert window.codebook_model.tag(deception) is None
    assert [t.id for t in annotation_service.get_annotation(dossier, ann.id).tags] \
        == [vulnerability]
    assert window.undo.stack.undoText().startswith("Merge tag")
    window.menu_actions.undo.trigger()
    assert window.codebook_model.tag(deception) is not None
    assert [t.id for t in annotation_service.get_annotation(dossier, ann.id).tags] \
        == [deception]
    window.menu_actions.redo.trigger()
    assert window.codebook_model.tag(deception) is None


def test_codebook_editor_adds_renames_and_refuses_a_taken_key(
        dossier: Any, qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    window = open_window(dossier, qtbot, tmp_path)
    errors: list[str] = []
    window.workspace.codebook_editor.failed.disconnect()
    window.workspace.codebook_editor.failed.connect(errors.append)
    abuses = tag_id(dossier, "Abuses")
    monkeypatch.setattr(dialogs, "ask_text", lambda *a, **k: "Debt traps")
    window.workspace.codebook_editor.add(abuses)
    new = tag_id(dossier, "Debt traps")
    assert window.codebook_model.tag(new).path == "Abuses/Debt traps"
    monkeypatch.setattr(dialogs, "ask_text", lambda *a, **k: "Loan traps")
    window.workspace.codebook_editor.rename(new)
    assert window.codebook_model.tag(new).name == "Loan traps"
    taken = window.codebook_model.tag(tag_id(dossier, "Deception")).shortcut
    monkeypatch.setattr(dialogs, "ask_text", lambda *a, **k: taken)
    window.workspace.codebook_editor.set_key(new)
    assert errors and "already tags" in errors[0]
    window.menu_actions.undo.trigger()
    assert window.codebook_model.tag(new).name == "Debt traps"


@requires_corpus
def test_dropping_a_folder_imports_it_and_reports_refusals(
        dossier: Any, qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    shutil.copy(corpus_dir() / "pdf" / "pdflatex-4-pages.pdf", folder)
    shutil.copy(corpus_dir() / "bad" / "truncated.pdf", folder)
    shutil.copy(corpus_dir() / "html" / "vice.com.amazon.html", folder)
    shown: list[str] = []
    monkeypatch.setattr(dialogs, "inform", lambda _p, _t, message, **k: shown.append(message))
    window = open_window(dossier, qtbot, tmp_path)
    with qtbot.waitSignal(window.importer.finished, timeout=60000) as finished:
        drop_urls(window, [QUrl.fromLocalFile(str(folder))])
    assert finished.args[0].startswith("Imported 2 documents") and "1 refused" in finished.args[0]
    assert len(shown) == 1 and "truncated.pdf" in shown[0]
    titles = [window.documents_model.document(r).filename
              for r in range(window.documents_model.rowCount())]
    assert sorted(titles) == ["pdflatex-4-pages.pdf", "vice.com.amazon.html"]


def test_tags_menu_shows_keys_and_tags_the_selection(dossier: Any, qtbot: Any,
                                                     tmp_path: Path) -> None:
    from tests.helpers.main_window import drag_text
    from ui.shortcuts_help import shortcut_rows
    from ui.tag_menu import fill_tag_menu

    doc = add_text_document(dossier, ARTICLE, "Overseas work")
    window = open_window(dossier, qtbot, tmp_path)
    window.open_document(doc.id)
    menu = window.workspace.tag_menu
    fill_tag_menu(window, menu)
    abuses = next(a for a in menu.actions() if a.text() == "Abuses")
    labels = [a.text() for a in abuses.menu().actions()]
    key = window.codebook_model.tag(tag_id(dossier, "Deception")).shortcut
    assert f"Deception\t{key}" in labels
    assert not abuses.menu().actions()[0].isEnabled()  # nothing selected yet
    start = ARTICLE.index("passports")
    drag_text(window.view, start, start + len("passports"))
    fill_tag_menu(window, menu)
    abuses = next(a for a in menu.actions() if a.text() == "Abuses")
    next(a for a in abuses.menu().actions() if a.text().startswith("Deception\t")).trigger()
    (ann,) = annotation_service.list_annotations(dossier, document_id=doc.id)
    assert ann.quote == "passports" and [t.path for t in ann.tags] == ["Abuses/Deception"]
    rows = shortcut_rows(window)
    assert ("Menus", "Ctrl+Shift+F", "Search Dossier") in rows
    assert ("Tags", key, "Tag the selection as Abuses/Deception") in rows


def test_importing_a_codebook_is_undoable(dossier: Any, qtbot: Any, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    qdc = tmp_path / "book.qdc"
    qdc.write_text(
        '<?xml version="1.0" encoding="utf-8"?>'
        '<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>'
        '<Code guid="6f1c9a52-1111-4c1e-9a52-000000000001" name="Wage theft" '
        'isCodable="false" color="#112233">'
        '<Code guid="6f1c9a52-1111-4c1e-9a52-000000000002" name="Unpaid overtime" '
        'isCodable="true" color="#445566"><Description>Hours never paid</Description></Code>'
        '</Code></Codes></CodeBook>', encoding="utf-8")
    window = open_window(dossier, qtbot, tmp_path)
    monkeypatch.setattr(dialogs, "choose_open_file", lambda *a: str(qdc))
    window.workspace.codebook_editor.import_codebook()
    paths = [t.path for t in window.codebook_model.tags()]
    assert "Wage theft/Unpaid overtime" in paths
    added = next(t for t in window.codebook_model.tags() if t.name == "Unpaid overtime")
    assert added.description == "Hours never paid" and added.colour == "#445566"
    window.menu_actions.undo.trigger()
    assert not any(p.startswith("Wage theft") for p in
                   (t.path for t in window.codebook_model.tags()))
    window.menu_actions.redo.trigger()
    assert "Wage theft/Unpaid overtime" in [t.path for t in window.codebook_model.tags()]


def test_dropped_links_and_folders_become_inputs(tmp_path: Path) -> None:
    from ui.library.drop import dropped_inputs

    (tmp_path / "a.txt").write_text("x", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.html").write_text("<p>x</p>", encoding="utf-8")
    (tmp_path / ".hidden").write_text("x", encoding="utf-8")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(tmp_path)), QUrl("https://example.org/story"),
                  QUrl("ftp://example.org/x")])
    assert dropped_inputs(mime) == [str(tmp_path / "a.txt"), str(tmp_path / "sub" / "b.html"),
                                    "https://example.org/story"]
    text = QMimeData()
    text.setText("https://example.org/a\nnot a link")
    assert dropped_inputs(text) == ["https://example.org/a"]


def test_dragging_a_tag_onto_another_moves_it_undoably(dossier: Any, qtbot: Any,
                                                       tmp_path: Path) -> None:
    window = open_window(dossier, qtbot, tmp_path)
    model, tree = window.codebook_model, window.codebook_dock.tree
    deception, contracts = tag_id(dossier, "Deception"), tag_id(dossier, "Contracts")
    target = tree.visualRect(model.index_of(contracts)).center()
    window.workspace.codebook_editor.drop(deception, target)
    assert model.tag(deception).path == "Contracts/Deception"
    window.menu_actions.undo.trigger()
    assert model.tag(deception).path == "Abuses/Deception"

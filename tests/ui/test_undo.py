"""Undo and redo, from the keyboard of the real window, restore the previous rows; every step is
an audited change and the audit chain still verifies."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from sqlalchemy import text

from app.services import annotations as service
from app.services import codebook
from app.services.integrity import verify
from tests.helpers.documents import add_text_document
from tests.helpers.main_window import OFFSCREEN_LIMITS, drag_text, open_window
from ui.undo import AnnotationUndo

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_LIMITS)

TEXT = ("Managers confiscated the workers' passports on arrival in Vladivostok 🛂.\n\n"
        "Most of the wages, 工资, went into accounts controlled by the state.")
Rows = tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]


def rows(dossier: Any) -> Rows:
    """Every column of every annotation and annotation-tag row, but the version: a counter of
    changes that moves on with each undo and redo (they are changes too)."""
    with dossier.read() as session:
        annotations = [tuple(v for k, v in r._mapping.items() if k != "version")
                       for r in session.execute(text("SELECT * FROM annotations ORDER BY id"))]
        links = [tuple(r) for r in session.execute(
            text("SELECT * FROM annotation_tags ORDER BY annotation_id, tag_id")).all()]
    return annotations, links


def audit_actions(dossier: Any) -> list[str]:
    with dossier.read() as session:
        return [a for (a,) in session.execute(
            text("SELECT action FROM audit_events ORDER BY seq")).all()]


def tag(dossier: Any, name: str) -> Any:
    with dossier.read() as session:
        return codebook.resolve_tag(session, name)


def key(window: Any, combo: str) -> None:
    """Press a key combination with the focus in the reader, as the investigator would."""
    window.view.setFocus()
    seq = {"delete": (Qt.Key.Key_Delete, Qt.KeyboardModifier.NoModifier),
           "undo": (Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier),
           "redo": (Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier
                    | Qt.KeyboardModifier.ShiftModifier)}.get(combo)
    if seq is None:
        QTest.keyClick(window.focusWidget(), combo)
    else:
        QTest.keyClick(window.focusWidget(), *seq)


def shown_errors(window: Any) -> list[str]:
    """Every error the window shows the user from now on (status bar and message box)."""
    shown: list[str] = []
    window.ops.failed.connect(shown.append)
    return shown


def undo_all(window: Any, shown: list[str]) -> None:
    """Press Ctrl+Z until nothing is left to undo. A step that fails (or does nothing) fails the
    test at once with what the user was shown: while its message box is open the window takes
    no more keys, and a loop waiting for ``canUndo()`` to turn false would spin for ever."""
    stack = window.undo.stack
    for _ in range(stack.count()):
        if not stack.canUndo():
            break
        index = stack.index()
        key(window, "undo")
        if shown:
            pytest.fail(f"an undo step failed: {shown[-1]}")
        if stack.index() == index:
            pytest.fail(f"Ctrl+Z did not undo {stack.text(index - 1)!r}")
    assert not stack.canUndo()


def choose(combo: Any, value: Any) -> None:
    """Pick the entry holding ``value`` in a combo box, as a click on it would."""
    index = combo.findData(value)
    combo.setCurrentIndex(index)
    combo.activated.emit(index)


def test_every_action_undoes_and_redoes_from_the_keyboard(dossier: Any, qtbot: Any,
                                                          tmp_path: Path) -> None:
    doc = add_text_document(dossier, TEXT, "Passports")
    window = open_window(dossier, qtbot, tmp_path)
    shown = shown_errors(window)
    window.open_document(doc.id)
    retention, wages = tag(dossier, "Retention of identity documents"), tag(
        dossier, "Withholding of wages")
    start = TEXT.index("confiscated")

    def check(action: Any) -> None:
        """Do ``action``; undo must give back exactly the rows before it (every column, the
        ``modified`` time included), redo exactly the rows after it; each step is audited."""
        before = rows(dossier)
        events = len(audit_actions(dossier))
        action()
        after = rows(dossier)
        assert after != before
        key(window, "undo")
        undone = rows(dossier)
        key(window, "redo")
        redone = rows(dossier)
        assert not shown, shown
        assert undone == before
        assert redone == after
        assert len(audit_actions(dossier)) == events + 3  # the action, its undo, its redo

    def tag_selection() -> None:
        drag_text(window.view, start, start + len("confiscated the workers' passports"))
        key(window, retention.shortcut)

    check(tag_selection)
    (ann,) = service.list_annotations(dossier, document_id=doc.id)
    assert ann.quote == "confiscated the workers' passports"
    assert audit_actions(dossier)[-3:] == ["annotation.create", "annotation.delete",
                                           "annotation.restore"]
    assert window.tagger.current_id == ann.id

    check(lambda: key(window, wages.shortcut))  # add a second tag
    assert audit_actions(dossier)[-3:] == ["annotation.tags"] * 3
    panel = window.panel

    def write_note() -> None:
        panel.note.setPlainText("Passports held by minders")
        panel.commit_note()

    check(write_note)
    check(lambda: choose(panel.reliability, "B"))
    check(lambda: choose(panel.credibility, 2))
    assert service.get_annotation(dossier, ann.id).grade == "B2"

    def adjust() -> None:
        new = TEXT.index("passports on arrival")
        drag_text(window.view, new, new + len("passports on arrival in Vladivostok 🛂"))
        window.panel.adjust.click()

    check(adjust)
    assert service.get_annotation(dossier, ann.id).quote == "passports on arrival in Vladivostok 🛂"
    window.tagger.set_current(ann.id)
    check(lambda: key(window, "delete"))
    assert audit_actions(dossier)[-3:] == ["annotation.delete", "annotation.restore",
                                           "annotation.delete"]
    # Undo back to the very beginning leaves no annotation; the chain holds every step.
    undo_all(window, shown)
    assert rows(dossier) == ([], [])
    report = verify(dossier)
    assert report.ok, report.problems
    assert report.events_checked == len(audit_actions(dossier))
    assert window.annotation_model.rowCount() == 0


def test_note_typing_merges_into_one_undo_step(dossier: Any, qtbot: Any) -> None:
    doc = add_text_document(dossier, TEXT, "Passports")
    undo = AnnotationUndo(dossier)
    created: list[Any] = []
    undo.create(doc.id, 0, 8, [], on_done=created.append)
    ann = created[0]
    for note in ("P", "Pa", "Pass", "Passports"):
        undo.update(ann.id, note=note)
    assert undo.stack.count() == 2  # the creation and one note edit
    undo.stack.undo()
    assert service.get_annotation(dossier, ann.id).note == ""
    undo.stack.redo()
    assert service.get_annotation(dossier, ann.id).note == "Passports"


def test_failed_undo_is_reported_not_raised(dossier: Any, qtbot: Any) -> None:
    doc = add_text_document(dossier, TEXT, "Passports")
    undo = AnnotationUndo(dossier)
    messages: list[str] = []
    undo.failed.connect(messages.append)
    created: list[Any] = []
    undo.create(doc.id, 0, 8, [], on_done=created.append)
    ann = created[0]
    service.delete_annotation(dossier, ann.id)  # somebody else deleted it meanwhile
    undo.stack.undo()
    assert len(messages) == 1 and "no annotation" in messages[0]
    assert "\n" not in messages[0]


def test_a_failed_undo_step_is_shown_and_fails_the_test_at_once(
        dossier: Any, qtbot: Any, tmp_path: Path) -> None:
    """The annotation is deleted behind the window's back: undoing its note fails. The user sees
    why (status bar and message box), and a test undoing everything fails with that message
    within seconds (it looped for ever on ``canUndo()`` before)."""
    from PySide6.QtWidgets import QApplication, QMessageBox

    doc = add_text_document(dossier, TEXT, "Passports")
    window = open_window(dossier, qtbot, tmp_path)
    shown = shown_errors(window)
    window.open_document(doc.id)
    retention = tag(dossier, "Retention of identity documents")
    start = TEXT.index("confiscated")
    drag_text(window.view, start, start + len("confiscated"))
    key(window, retention.shortcut)
    (ann,) = service.list_annotations(dossier, document_id=doc.id)
    window.panel.note.setPlainText("Held by minders")
    window.panel.commit_note()
    service.delete_annotation(dossier, ann.id)  # somebody else, meanwhile
    with pytest.raises(pytest.fail.Exception, match="an undo step failed: Change note: .*"):
        undo_all(window, shown)
    assert len(shown) == 1 and "\n" not in shown[0]
    box = QApplication.activeModalWidget()
    assert isinstance(box, QMessageBox) and box.text() == shown[0]
    assert window.status.currentMessage() == shown[0]
    box.close()


def test_a_background_undo_step_failing_after_its_command_is_gone_is_still_shown(
        dossier: Any, qtbot: Any, tmp_path: Path) -> None:
    """With the real writer thread, an undo step's failure comes back later; if the stack has
    let go of its command meanwhile the message must still reach the user (it was lost in an
    exception about a deleted object)."""
    doc = add_text_document(dossier, TEXT, "Passports")
    window = open_window(dossier, qtbot, tmp_path, background=True)
    shown = shown_errors(window)
    created: list[Any] = []
    window.undo.create(doc.id, 0, 8, [], on_done=created.append)
    qtbot.waitUntil(lambda: bool(created) and not window.ops.busy, timeout=5000)
    service.delete_annotation(dossier, created[0].id)  # somebody else, meanwhile
    window.undo.stack.undo()  # queued on the writer thread
    window.undo.stack.clear()  # before its outcome is back
    qtbot.waitUntil(lambda: bool(shown), timeout=5000)
    assert shown[0].startswith("Tag passage: ") and "no annotation" in shown[0]
    assert window.status.currentMessage() == shown[0]

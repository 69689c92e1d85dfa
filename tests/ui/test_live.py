"""Two windows on one team dossier (a real PostgreSQL server): a colleague's annotation appears
within two seconds without reloading the document; an edit of a version changed meanwhile is
refused and the newer version shown; a dropped connection is shown, keeps what was typed, and
comes back."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel

from app.dossier import Dossier
from app.services import annotations as service
from app.services import codebook, roles
from tests.helpers.documents import add_text_document
from tests.helpers.main_window import OFFSCREEN_LIMITS, open_window
from tests.helpers.screenshots import save_screenshot
from ui.main_window import MainWindow

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_LIMITS)

TEXT = ("The recruiter confiscated the workers' passports on arrival in Vladivostok. "
        "Wages were withheld for eleven months, then paid in part.\n")
LIVE_MS = 2000  # the promise: a colleague's change shows within two seconds


@pytest.fixture
def team_url(pg_server: Any, pg_template: str) -> Iterator[str]:
    """A fresh team dossier's URL (dropped after the test)."""
    name = pg_server.create_database(template=pg_template)
    yield pg_server.url(name)
    pg_server.drop_database(name)


def _window(url: str, user: str, qtbot: Any, tmp_path: Path) -> MainWindow:
    dossier = Dossier.open(url, user=user)
    folder = tmp_path / user
    folder.mkdir(exist_ok=True)
    window = open_window(dossier, qtbot, folder)
    assert window.live is not None
    qtbot.waitUntil(lambda: window.live is not None and window.live.state == "connected",
                    timeout=10000)
    return window


def _open(window: MainWindow, qtbot: Any, document_id: str) -> None:
    window.open_document(document_id)
    qtbot.waitUntil(lambda: window.view is not None and window.document_id == document_id)


def _close(*windows: MainWindow) -> None:
    for window in windows:
        window.close()
        # coalescing timers (the library's counts) must not read a database dropped after this
        for timer in window.findChildren(QTimer):
            timer.stop()
        window.dossier.close()


def test_a_colleagues_annotation_appears_and_a_stale_edit_is_refused(
        team_url: str, qtbot: Any, tmp_path: Path) -> None:
    setup = Dossier.open(team_url, user="alice")
    doc = add_text_document(setup, TEXT, title="Recruitment report")
    roles.add_user(setup, "bob", "administrator")  # so bob may edit alice's annotations
    with setup.read() as session:
        tag = codebook.resolve_tag(session, "Retention of identity documents").id
    setup.close()
    alice = _window(team_url, "alice", qtbot, tmp_path)
    bob = _window(team_url, "bob", qtbot, tmp_path)
    try:
        _open(alice, qtbot, doc.id)
        _open(bob, qtbot, doc.id)
        bobs_view = bob.view
        start = TEXT.index("confiscated")
        made: list[str] = []
        alice.undo.create(doc.id, start, start + len("confiscated the workers' passports"),
                          [tag], on_done=lambda view: made.append(view.id))
        assert made
        ann_id = made[0]
        # in bob's window: listed and highlighted within two seconds, the document not reloaded
        qtbot.waitUntil(lambda: bob.annotation_model.row_of(ann_id) >= 0, timeout=LIVE_MS)
        assert bob.view is bobs_view
        assert bobs_view is not None
        assert [a.id for a in bobs_view.annotations_at(start + 3)] == [ann_id]
        assert bob.status.count.text() == "1 annotation"

        # bob starts a note on version 1 ...
        bob.activateWindow()
        qtbot.waitUntil(bob.isActiveWindow, timeout=3000)
        bob.tagger.set_current(ann_id)
        assert bob.panel.annotation is not None and bob.panel.annotation.version == 1
        bob.panel.note.setFocus()
        QTest.keyClicks(bob.panel.note, "Bob: the passports were kept in the office safe")
        # ... while alice changes the note; bob sees the change arrive, his typing kept
        alice.undo.update(ann_id, note="Alice: confirmed by two workers", based_on=1)
        qtbot.waitUntil(lambda: bob.panel.annotation is not None
                        and bob.panel.annotation.version == 2, timeout=LIVE_MS)
        assert bob.panel.note.toPlainText() == "Bob: the passports were kept in the office safe"
        bob.panel.commit_note()
        # refused, never written; the newer version is shown in the panel and in the message
        assert service.get_annotation(alice.dossier, ann_id).note == \
            "Alice: confirmed by two workers"
        dialog = bob.panel.conflict_dialog
        assert dialog is not None and dialog.isVisible()
        assert "alice changed this annotation" in dialog.summary.text()
        assert "Alice: confirmed by two workers" in dialog.theirs.toPlainText()
        assert "Bob: the passports were kept" in dialog.mine.toPlainText()
        assert bob.panel.note.toPlainText() == "Alice: confirmed by two workers"
        save_screenshot(dialog.grab().toImage(), "live_conflict.png", tmp_path)
        save_screenshot(bob.grab().toImage(), "live_conflict_window.png", tmp_path)
        # bob chooses to save his note after all: based on the newer version, it goes through
        dialog.save_mine.click()
        qtbot.waitUntil(lambda: alice.panel is not None and service.get_annotation(
            alice.dossier, ann_id).note.startswith("Bob:"))
        qtbot.waitUntil(lambda: alice.annotation_model.annotation(
            alice.annotation_model.row_of(ann_id)).note.startswith("Bob:"), timeout=LIVE_MS)
    finally:
        _close(alice, bob)


def test_a_dropped_connection_is_shown_keeps_the_typed_note_and_reconnects(
        pg_server: Any, team_url: str, qtbot: Any, tmp_path: Path) -> None:
    setup = Dossier.open(team_url, user="alice")
    doc = add_text_document(setup, TEXT, title="Recruitment report")
    ann = service.create_annotation(setup, doc.id, 4, 14)
    setup.close()
    database = team_url.rsplit("/", 1)[1]
    window = _window(team_url, "alice", qtbot, tmp_path)
    indicator = window.status.findChild(QLabel, "connection_indicator")
    try:
        _open(window, qtbot, doc.id)
        window.tagger.set_current(ann.id)
        assert indicator.text() == "Team dossier: live"
        window.panel.note.setFocus()
        QTest.keyClicks(window.panel.note, "typed while the server went away")
        with pg_server.connect("postgres") as admin:
            admin.execute(f'ALTER DATABASE "{database}" WITH ALLOW_CONNECTIONS false')
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE datname = %s", (database,))
            qtbot.waitUntil(lambda: window.live is not None
                            and window.live.state == "disconnected", timeout=10000)
            assert "disconnected" in indicator.text()
            window.panel.commit_note()  # cannot be sent now: kept, and said so
            assert window.panel.has_unsent
            assert window.panel.unsent.isVisible()
            assert window.panel.note.toPlainText() == "typed while the server went away"
            save_screenshot(window.status.grab().toImage(), "live_disconnected_status.png",
                            tmp_path)
            save_screenshot(window.grab().toImage(), "live_disconnected_window.png", tmp_path)
            admin.execute(f'ALTER DATABASE "{database}" WITH ALLOW_CONNECTIONS true')
        qtbot.waitUntil(lambda: window.live is not None and window.live.state == "connected",
                        timeout=15000)
        qtbot.waitUntil(lambda: not window.panel.has_unsent, timeout=10000)
        assert indicator.text() == "Team dossier: live"
        assert not window.panel.unsent.isVisible()
        assert service.get_annotation(window.dossier, ann.id).note == \
            "typed while the server went away"
    finally:
        _close(window)


def test_the_connection_field_is_only_on_team_dossiers(dossier: Any, qtbot: Any,
                                                        tmp_path: Path) -> None:
    window = open_window(dossier, qtbot, tmp_path)
    assert window.live is None
    assert window.status.findChild(QLabel, "connection_indicator") is None
    window.close()


def test_undo_never_writes_over_a_colleagues_later_change(dossier: Any, qtbot: Any,
                                                          tmp_path: Path) -> None:
    from tests.helpers.review import ensure_user

    doc = add_text_document(dossier, TEXT)
    ann = service.create_annotation(dossier, doc.id, 4, 14, note="first")
    window = open_window(dossier, qtbot, tmp_path)
    failures: list[str] = []
    window.undo.failed.connect(failures.append)
    window.undo.update(ann.id, note="mine")
    window.undo.update(ann.id, reliability="B")  # our own later change: undo steps follow it
    window.undo.stack.undo()
    assert service.get_annotation(dossier, ann.id).reliability is None
    bob = ensure_user(dossier, "bob", "administrator")
    service.update_annotation(bob, ann.id, note="bob's")
    window.undo.stack.undo()  # would put "first" back over bob's note: refused
    assert service.get_annotation(dossier, ann.id).note == "bob's"
    assert failures and "changed by bob" in failures[-1]
    window.close()

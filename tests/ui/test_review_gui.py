"""The review queue driven by the keyboard, the audit view's filters, Verify and export, and the
agreement view; with screenshots."""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QAbstractItemModelTester, QTest
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from app.dossier import DB_FILE, Dossier
from app.services import annotations, claims, codebook, roles, workflow
from tests.helpers.documents import add_text_document
from tests.helpers.review import acting_as
from tests.helpers.screenshots import save_screenshot
from ui import dialogs
from ui.operations import Operations
from ui.review import audit_view
from ui.review.agreement_view import AgreementView
from ui.review.audit_view import AuditView
from ui.review.queue import ReviewQueue

TEXT = ("Workers at the Green Valley garment factory said their passports were confiscated on "
        "arrival and kept in the manager's office. Several said they had not been paid for "
        "three months. Most of the wages were paid into accounts controlled by the state, "
        "according to a former official.\n\nThe company did not respond to requests for "
        "comment before publication.")
QUOTES = ("passports were confiscated on arrival", "had not been paid for three months",
          "paid into accounts controlled by the state")
TAGS = ("Retention of identity documents", "Withholding of wages",
        "Wage deposits to state-controlled accounts")


@pytest.fixture
def team(dossier: Dossier) -> dict[str, Any]:
    """anna annotated three passages and submitted them; rita reviews."""
    roles.add_user(dossier, "rita", "reviewer")
    roles.add_user(dossier, "anna", "annotator")
    anna = acting_as(dossier, "anna")
    doc = add_text_document(anna, TEXT, "Garment factory report")
    ids = []
    for quote, tag in zip(QUOTES, TAGS, strict=True):
        with anna.read() as session:
            tag_id = codebook.resolve_tag(session, tag).id
        start = TEXT.index(quote)
        ids.append(annotations.create_annotation(
            anna, doc.id, start, start + len(quote), [tag_id], note="from the AP story",
            attribution="workers, to AP", reliability="B", credibility=2).id)
    workflow.submit(anna, ids)
    claims.add_claim(anna, "Passports were confiscated", [ids[0]])
    return {"doc": doc.id, "ids": ids, "rita": acting_as(dossier, "rita")}


def _show(qtbot: QtBot, widget: Any) -> None:
    widget.show()
    qtbot.waitExposed(widget)
    widget.activateWindow()
    qtbot.waitUntil(widget.isActiveWindow, timeout=3000)


def _status(dossier: Dossier, ann_id: str) -> str:
    return annotations.get_annotation(dossier, ann_id).status


def test_review_queue_by_keyboard(qtbot: QtBot, team: dict[str, Any], tmp_path: Path,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    rita: Dossier = team["rita"]
    first, second, third = team["ids"]
    ops = Operations(rita, synchronous=True)
    queue = ReviewQueue(ops)
    qtbot.addWidget(queue)
    QAbstractItemModelTester(queue.model,
                             QAbstractItemModelTester.FailureReportingMode.Fatal)
    _show(qtbot, queue)
    assert queue.current_id == first and queue.position.text().startswith("<b>1</b> of 3")
    assert "passports were confiscated on arrival" in queue.context.toPlainText()
    facts = queue.facts.text()
    assert "workers, to AP" in facts and "B2" in facts and "single source" in facts
    QTest.keyClicks(queue.comment, "Quote checked against page 1.")
    QTest.keyClick(queue.comment, Qt.Key.Key_Return)
    assert "Quote checked against page 1." in queue.comments_view.toPlainText()
    save_screenshot(queue.grab().toImage(), "review-queue.png", tmp_path)

    queue.setFocus()
    QTest.keyClick(queue, Qt.Key.Key_S)          # skip to the second
    assert queue.current_id == second
    QTest.keyClick(queue, Qt.Key.Key_B)          # and back to the first
    assert queue.current_id == first
    QTest.keyClick(queue, Qt.Key.Key_A)          # approve the first
    assert _status(rita, first) == "approved"
    assert queue.model.rowCount() == 2 and queue.current_id == second

    answers = iter(["", "the amount is not in the quote"])
    monkeypatch.setattr(dialogs, "ask_text", lambda *a, **k: next(answers))
    QTest.keyClick(queue, Qt.Key.Key_R)          # reject without a reason: refused
    assert "A reason is required" in queue.message.text()
    assert _status(rita, second) == "submitted"
    QTest.keyClick(queue, Qt.Key.Key_R)          # with a reason
    assert _status(rita, second) == "rejected"
    monkeypatch.setattr(dialogs, "ask_text", lambda *a, **k: "name the official")
    QTest.keyClick(queue, Qt.Key.Key_C)          # request changes on the third
    assert _status(rita, third) == "changes_requested"
    assert [r.reason for r in workflow.reviews_of(rita, third)] == ["name the official"]
    assert queue.model.rowCount() == 0 and queue.current_id is None
    assert "Nothing is waiting" in queue.position.text()


def test_review_queue_refuses_own_annotation_and_shows_why(
        qtbot: QtBot, dossier: Dossier) -> None:
    doc = add_text_document(dossier, TEXT)
    mine = annotations.create_annotation(dossier, doc.id, 0, 7).id
    workflow.submit(dossier, [mine])
    queue = ReviewQueue(Operations(dossier, synchronous=True))
    qtbot.addWidget(queue)
    _show(qtbot, queue)
    queue.setFocus()
    QTest.keyClick(queue, Qt.Key.Key_A)
    assert "nobody decides on their own annotation" in queue.message.text()
    assert _status(dossier, mine) == "submitted"


def test_audit_view_filters_verify_and_export(
        qtbot: QtBot, team: dict[str, Any], dossier_path: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    rita: Dossier = team["rita"]
    other = add_text_document(rita, "A court fined a recruitment agency.", "Court ruling")
    workflow.decide(rita, [team["ids"][0]], "approve")
    view = AuditView(Operations(rita, synchronous=True))
    qtbot.addWidget(view)
    QAbstractItemModelTester(view.model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    view.show()
    qtbot.waitExposed(view)
    total = view.model.rowCount()
    words = [view.proxy.index(r, 5).data() for r in range(view.proxy.rowCount())]
    assert "alice added rita as reviewer" in words
    assert "anna tagged 'passports were confiscated on arrival' as Abuses/Retention of " \
           "identity documents" in words

    view.user.setCurrentIndex(view.user.findData("rita"))
    assert {view.proxy.index(r, 2).data() for r in range(view.proxy.rowCount())} == {"rita"}
    assert view.count.text() == f"{view.proxy.rowCount()} of {total} events"
    view.action.setCurrentIndex(view.action.findData("annotation.review"))
    assert [view.proxy.index(r, 5).data() for r in range(view.proxy.rowCount())] == [
        "rita approved 'passports were confiscated on arrival'"]
    view.user.setCurrentIndex(0)
    view.action.setCurrentIndex(0)
    view.document.setCurrentIndex(view.document.findData(other.id))
    assert [view.proxy.index(r, 5).data() for r in range(view.proxy.rowCount())] == [
        "rita imported the document 'Court ruling'"]
    view.document.setCurrentIndex(0)
    view.since.setText("9999")
    assert view.proxy.rowCount() == 0
    view.since.clear()
    view.until.setText(view.model.entries[2].at[:19].replace("T", " "))
    assert 3 <= view.proxy.rowCount() < total
    view.until.clear()
    assert view.proxy.rowCount() == total

    view.verify_button.click()
    assert view.verdict.text().startswith("✔ Verified") and view.report is not None
    save_screenshot(view.grab().toImage(), "audit-view.png", tmp_path)
    for kind in ("csv", "json"):
        target = tmp_path / f"log.{kind}"
        monkeypatch.setattr(audit_view, "ask_save_path", lambda *a, t=target: str(t))
        monkeypatch.setattr(dialogs, "inform", lambda *a, **k: None)
        view.user.setCurrentIndex(view.user.findData("anna"))
        (view.export_csv if kind == "csv" else view.export_json).click()
        view.user.setCurrentIndex(0)
    with (tmp_path / "log.csv").open(encoding="utf-8") as fh:
        assert {row["actor"] for row in csv.DictReader(fh)} == {"anna"}
    data = json.loads((tmp_path / "log.json").read_text(encoding="utf-8"))
    assert data and {d["actor"] for d in data} == {"anna"}

    conn = sqlite3.connect(dossier_path / DB_FILE)
    conn.execute("UPDATE audit_events SET actor = 'mallory' WHERE seq = 4")
    conn.commit()
    conn.close()
    view.verify_button.click()
    assert view.verdict.text().startswith("✘ Verification failed: audit event 4 ")
    save_screenshot(view.grab().toImage(), "audit-view-broken.png", tmp_path)


def test_agreement_side_by_side(qtbot: QtBot, team: dict[str, Any], tmp_path: Path) -> None:
    rita: Dossier = team["rita"]
    with rita.read() as session:
        tag = codebook.resolve_tag(session, TAGS[0]).id
    start = TEXT.index("their passports")
    annotations.create_annotation(rita, team["doc"], start, start + 40, [tag])
    view = AgreementView(Operations(rita, synchronous=True), team["doc"])
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    assert view.tag.currentText() == f"Abuses/{TAGS[0]}"
    assert "character-level units" in view.figures.text()
    assert "anna/rita κ = " in view.figures.text()
    assert [b.isVisible() for b in view.browsers] == [True, True]
    save_screenshot(view.grab().toImage(), "agreement.png", tmp_path)


def test_review_menu_opens_each_window_once(qtbot: QtBot, dossier: Dossier,
                                            tmp_path: Path) -> None:
    from tests.helpers.main_window import open_window

    window = open_window(dossier, qtbot, tmp_path)
    menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Review")
    titles = {}
    for action in menu.actions():
        action.trigger()
        dialog = window.findChild(QDialog, {"Review &Queue…": "review_queue",
                                            "&Audit Log…": "audit_view",
                                            "Annotator &Agreement…": "agreement_view"}[
                                                action.text()])
        assert dialog is not None and dialog.isVisible()
        titles[action.text()] = dialog.windowTitle()
        action.trigger()  # the same window again, not a second one
        assert len(window.findChildren(QDialog, dialog.objectName())) == 1
        dialog.close()
    assert titles == {"Review &Queue…": "Review Queue", "&Audit Log…": "Audit Log",
                      "Annotator &Agreement…": "Annotator Agreement"}

"""Labels that show user or imported text never interpret it as rich text: a quote, an author or a
title made of HTML is shown as the characters it is (no markup rendered, no local image loaded)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from app.dossier import Dossier
from app.services import annotations as service
from tests.helpers.documents import add_text_document
from tests.helpers.main_window import open_window
from ui import dialogs

HOSTILE = "<b>Bold</b> claim <img src='file:///etc/dossier-test.png'> ends"
TEXT = f"An article quoting {HOSTILE} here.\n\nA second paragraph."


def test_quote_author_and_title_labels_are_plain_text(dossier_path: Path, qtbot: Any,
                                                      tmp_path: Path) -> None:
    dossier = Dossier.open(dossier_path, user="<i>mallory</i>")
    try:
        doc = add_text_document(dossier, TEXT, "<h1>Big title</h1>")
        start = TEXT.index(HOSTILE)
        service.create_annotation(dossier, doc.id, start, start + len(HOSTILE), [])
        window = open_window(dossier, qtbot, tmp_path)
        window.open_document(doc.id)
        window.list_dock.table.selectRow(0)
        panel = window.panel
        qtbot.waitUntil(lambda: panel.annotation is not None)
        for label in (panel.quote, panel.details, *window.statusBar().findChildren(type(
                panel.quote))):
            assert label.textFormat() == Qt.TextFormat.PlainText
        assert HOSTILE in panel.quote.text() and "<i>mallory</i>" in panel.details.text()
        # What the user sees: the tags as characters, so the label is as wide as the raw text.
        shown = panel.quote.fontMetrics().horizontalAdvance(panel.quote.text())
        rendered_if_rich = panel.quote.fontMetrics().horizontalAdvance("“Bold claim  ends”")
        assert shown > rendered_if_rich * 2
        panel.grab().save(str(tmp_path / "panel.png"))
        window.close()
    finally:
        dossier.close()


def test_messages_are_plain_text(qtbot: Any) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    dialogs.inform(parent, "Import", f"{HOSTILE}.pdf: refused", error=True)
    (box,) = parent.findChildren(QMessageBox)
    assert box.textFormat() == Qt.TextFormat.PlainText and HOSTILE in box.text()
    box.close()

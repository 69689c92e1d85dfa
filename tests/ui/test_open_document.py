"""Opening a document reads it and lists its annotations at the same time, on the two reader
threads: whichever arrives first, the reader ends up showing the chosen document with exactly
its annotations listed and highlighted, even when the user switches documents quickly."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app.dossier import Dossier
from app.services import annotations
from tests.helpers.documents import add_text_document
from tests.helpers.main_window import open_window

TEXT = "Recruiters kept the passports. Wages were withheld for months. The agency took fees. "


def _document(dossier: Dossier, title: str, marks: int) -> tuple[str, set[str]]:
    doc = add_text_document(dossier, f"{title}. " + TEXT * 4, title=title)
    ids = {annotations.create_annotation(dossier, doc.id, 10 * k, 10 * k + 8).id
           for k in range(marks)}
    return doc.id, ids


def _shows(window: Any, doc_id: str, ids: set[str]) -> bool:
    return (window.document_id == doc_id and not window.ops.busy and window.view is not None
            and {window.annotation_model.annotation(r).id
                 for r in range(window.annotation_model.rowCount())} == ids
            and {a.id for a in window.view.annotations()} == ids)


def test_each_opened_document_shows_its_own_annotations(dossier: Dossier, qtbot: Any,
                                                        tmp_path: Path) -> None:
    first, first_ids = _document(dossier, "First", 3)
    second, second_ids = _document(dossier, "Second", 5)
    window = open_window(dossier, qtbot, tmp_path, background=True)
    for doc_id, ids in [(first, first_ids), (second, second_ids)] * 2:
        window.open_document(doc_id)
        qtbot.waitUntil(lambda doc_id=doc_id, ids=ids: _shows(window, doc_id, ids), timeout=10000)


def test_switching_quickly_ends_on_the_last_choice(dossier: Dossier, qtbot: Any,
                                                  tmp_path: Path) -> None:
    first, _ = _document(dossier, "First", 3)
    second, second_ids = _document(dossier, "Second", 5)
    window = open_window(dossier, qtbot, tmp_path, background=True)
    for doc_id in [first, second, first, second, first, second]:
        window.open_document(doc_id)  # no waiting in between
    qtbot.waitUntil(lambda: _shows(window, second, second_ids), timeout=10000)

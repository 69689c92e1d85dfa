"""Encrypted PDFs: the page view renders with the password given at import, or asks for it once
(passwords are kept in memory only, never in the dossier)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.dossier import Dossier
from app.services import imports
from tests.helpers.corpus import corpus_dir, requires_corpus
from ui import dialogs
from ui.views.base import make_view

CORPUS = corpus_dir()


def _shown(qtbot: QtBot, dossier: Dossier, doc_id: str) -> tuple[object, bool]:
    from app.services.documents import get_document

    view = make_view(dossier, get_document(dossier, doc_id))
    qtbot.addWidget(view)
    view.resize(700, 900)
    view.show()
    rendered = True
    try:
        qtbot.waitUntil(lambda: 1 in view.canvas.shown_pages(), timeout=8000)
    except qtbot.TimeoutError:
        rendered = False
    return view, rendered


@requires_corpus
def test_page_view_renders_an_encrypted_pdf(
    qtbot: QtBot, dossier: Dossier, dossier_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert CORPUS is not None
    result = imports.import_file(dossier, CORPUS / "bad" / "password-example.pdf",
                                 password="test")
    assert result.document is not None
    doc_id = result.document.id
    _, rendered = _shown(qtbot, dossier, doc_id)
    assert rendered
    conn = sqlite3.connect(dossier_path / "dossier.sqlite")
    stored = b"".join(str(row).encode() for row in conn.execute("SELECT * FROM audit_events"))
    conn.close()
    assert b"'test'" not in stored and b'"test"' not in stored  # never written down

    # Next session: the password is not known; the view asks once and then renders.
    later = Dossier.open(dossier_path, user="alice")
    asked: list[str] = []

    def ask_text(parent: object, title: str, label: str, *, password: bool = False,
                 text: str = "") -> str | None:
        asked.append(label)
        return "test"

    monkeypatch.setattr(dialogs, "ask_text", ask_text)
    try:
        view, rendered = _shown(qtbot, later, doc_id)
        assert len(asked) == 1 and "encrypted" in asked[0]
        assert rendered, view.canvas.failures
    finally:
        later.close()

"""File > Import… and File > Import URL… through the real window: background work, password
prompt, and refusals shown as one line each."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.corpus import corpus_dir, requires_corpus
from tests.helpers.main_window import OFFSCREEN_LIMITS, open_window
from ui import dialogs

pytestmark = [pytest.mark.qt_log_ignore(OFFSCREEN_LIMITS), requires_corpus]


def test_import_refusal_is_one_line_and_window_stays(dossier: Any, qtbot: Any, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    window = open_window(dossier, qtbot, tmp_path)
    shown: list[str] = []
    monkeypatch.setattr(dialogs, "inform",
                        lambda _p, _t, message, error=False: shown.append(message))
    monkeypatch.setattr(dialogs, "ask_text", lambda *_a, **_k: None)
    bad = corpus_dir() / "bad"  # type: ignore[operator]
    monkeypatch.setattr(dialogs, "choose_files", lambda *_a: [
        str(bad / "truncated.pdf"), str(bad / "libreoffice-writer-password.pdf")])
    window.menu_actions.import_files.trigger()
    assert len(shown) == 1
    lines = shown[0].splitlines()
    assert len(lines) == 2
    assert "truncated.pdf" in lines[0] and "Traceback" not in shown[0]
    assert "password" in lines[1].lower()
    assert window.documents_model.rowCount() == 0
    assert "2 refused" in window.status.currentMessage()


def test_encrypted_pdf_asks_for_the_password(dossier: Any, qtbot: Any, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    window = open_window(dossier, qtbot, tmp_path)
    asked: list[str] = []

    def answer(_parent: Any, _title: str, label: str, **_kw: Any) -> str:
        asked.append(label)
        return "test"

    monkeypatch.setattr(dialogs, "ask_text", answer)
    monkeypatch.setattr(dialogs, "choose_files", lambda *_a: [
        str(corpus_dir() / "bad" / "password-example.pdf")])  # type: ignore[operator]
    window.menu_actions.import_files.trigger()
    assert len(asked) == 1
    assert window.documents_model.rowCount() == 1
    assert window.view is not None and window.view.document.kind == "pdf"


def test_import_url_runs_in_the_background(dossier: Any, qtbot: Any, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    page = (corpus_dir() / "html" / "theguardian.com.academics.html").read_bytes()  # type: ignore[operator]

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *_args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/academics.html"
        window = open_window(dossier, qtbot, tmp_path, background=True)
        monkeypatch.setattr(dialogs, "ask_text", lambda *_a, **_k: url)
        window.menu_actions.import_url.trigger()
        assert window.importer.busy  # the window stays responsive while the page is fetched
        qtbot.waitUntil(lambda: window.view is not None, timeout=20000)
    finally:
        server.shutdown()
    doc = window.view.document
    assert doc.kind == "html" and doc.source == url
    assert window.documents_model.rowCount() == 1
    assert window.status.currentMessage() == "Imported 1 document"

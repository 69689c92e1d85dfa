"""A newcomer's first session, driven with QTest through the real window under Xvfb.

Phase ``first``: the first start asks for a name (typed into the real dialog); the empty library
offers the sample dossier, which is opened; a corpus PDF is imported by dropping it on the
window; three passages are tagged by drag-selecting and pressing tag keys; a phrase is searched
and the result opened; a tag is renamed in the codebook editor (through its real dialog); the
reader is zoomed and scrolled; the window is closed. Phase ``again`` starts a new process the
same way and checks that the name, the dossier, the annotations, the renamed tag, the open
document, its page and zoom all came back. Screenshots of each step go to the output folder.

Usage (each phase is its own process, as a user's restart would be):
    xvfb-run -a python scripts/walkthrough.py first OUT_DIR [light|dark]
    xvfb-run -a python scripts/walkthrough.py again OUT_DIR [light|dark]
OUT_DIR holds the user's home for the run (config, data) and the screenshots. ``make
walkthrough`` runs both phases in both themes.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CORPUS_PDF = ROOT.parent / "shared" / "corpus" / "pdf" / "pdflatex-4-pages.pdf"
NAME = "Ana Reyes"
PASSAGES = 3
SEARCH = '"savings accounts"'


def setup_home(out: Path) -> None:
    """Point every user folder at ``out/home`` (before Qt or platformdirs are used)."""
    home = out / "home"
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        os.environ[var] = str(home / var.lower())
    os.environ.pop("DOSSIER_PATH", None)


def wait(app: Any, done: Callable[[], bool], timeout: float = 60.0, what: str = "") -> None:
    """Process events until ``done()``."""
    limit = time.monotonic() + timeout
    while not done():
        if time.monotonic() > limit:
            raise SystemExit(f"walkthrough: timed out waiting for {what or 'the window'}")
        app.processEvents()
        time.sleep(0.01)


def drawn(app: Any, window: Any) -> None:
    """Wait until the reader shows ink (a PDF page is rendered in the background)."""
    def has_ink() -> bool:
        view = window.view
        target = getattr(view, "canvas", None)
        image = (target.viewport() if target is not None else view).grab().toImage()
        step = max(1, image.width() // 60)
        return any(image.pixelColor(x, y).lightness() < 100
                   for y in range(0, image.height(), step) for x in range(0, image.width(), step))

    wait(app, lambda: window.view is not None and has_ink(), 30, "the page to be drawn")


def activate(app: Any, window: Any) -> None:
    """Make ``window`` the active one (tag keys are shortcuts of the active window)."""
    window.raise_()
    window.activateWindow()
    wait(app, window.isActiveWindow, 10, "the window to be active")


def answer_next_dialog(app: Any, text: str, shots: list[Path], out: Path, name: str) -> None:
    """When the next modal text dialog appears: screenshot it, type ``text``, press Enter."""
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication, QLineEdit

    def attempt() -> None:
        dialog = QApplication.activeModalWidget()
        edit = dialog.findChild(QLineEdit) if dialog is not None else None
        if edit is None:
            QTimer.singleShot(50, attempt)
            return
        edit.selectAll()
        QTest.keyClicks(edit, text)
        shots.append(save(dialog, out, name))
        QTest.keyClick(edit, Qt.Key.Key_Return)

    QTimer.singleShot(100, attempt)


def save(widget: Any, out: Path, name: str) -> Path:
    """Screenshot ``widget`` to ``out/NAME.png``."""
    path = out / f"{name}.png"
    widget.grab().save(str(path))
    return path


def first(out: Path, theme: str) -> dict[str, Any]:
    """The first session."""
    from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
    from PySide6.QtGui import QDragEnterEvent, QDropEvent
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from app.services import annotations, codebook
    from tests.helpers.main_window import drag_pdf
    from ui import dossiers
    from ui.application import create_application, start_window
    from ui.settings import THEME, Settings

    app = create_application()
    Settings().set(THEME, theme)
    shots: list[Path] = []
    answer_next_dialog(app, NAME, shots, out, "01-first-run-name")
    window: Any = start_window(None)
    wait(app, window.isVisible, what="the window")
    activate(app, window)
    shots.append(save(window, out, "02-empty-library"))

    window.workspace.welcome.sample_button.click()
    window = dossiers._WINDOWS[-1]
    wait(app, lambda: window.documents_model.rowCount() == 2 and window.view is not None,
         what="the sample dossier")
    activate(app, window)  # the sample dossier opened in a new window
    drawn(app, window)
    shots.append(save(window, out, "03-sample-dossier"))

    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(CORPUS_PDF))])
    pos = window.reader.mapTo(window, QPoint(window.reader.width() // 2, 60))
    args = (Qt.DropAction.CopyAction, mime, Qt.MouseButton.NoButton,
            Qt.KeyboardModifier.NoModifier)
    handle = window.windowHandle()
    QApplication.sendEvent(handle, QDragEnterEvent(pos, *args))
    QApplication.sendEvent(handle, QDropEvent(pos.toPointF(), *args))
    wait(app, lambda: window.documents_model.rowCount() == 3 and window.view is not None
         and window.view.document.filename == CORPUS_PDF.name, 120, "the dropped PDF")
    view = window.view
    doc_id = view.document.id
    wait(app, lambda: view.canvas.viewport().isVisible(), what="the page view")
    drawn(app, window)
    shots.append(save(window, out, "04-imported-pdf"))

    with window.dossier.read() as session:
        keys = [codebook.resolve_tag(session, n).shortcut for n in
                ("Deception", "Withholding of wages", "Retention of identity documents")]
    activate(app, window)  # without a window manager, a closed progress dialog leaves none
    words = [w for w in view.text.split() if len(w) > 6 and w.isalpha()][:PASSAGES * 7:7]
    for word, key in zip(words, keys, strict=True):
        start = view.text.index(word)
        drag_pdf(view, window.dossier, doc_id, start, start + len(word))
        view.setFocus()
        QTest.keyClick(window.focusWidget(), key)
        app.processEvents()

    wait(app, lambda: len(annotations.list_annotations(window.dossier, document_id=doc_id))
         == PASSAGES and window.annotation_model.rowCount() == PASSAGES,
         what="three annotations listed")
    shots.append(save(window, out, "05-three-passages-tagged"))

    window.workspace.search_action.trigger()
    dock = window.workspace.search_dock
    QTest.keyClicks(dock.box, SEARCH)
    wait(app, lambda: dock.model.rowCount() > 0, what="search results")
    shots.append(save(window, out, "06-search-results"))
    rect = dock.results.visualRect(dock.model.index(0))
    QTest.mouseClick(dock.results.viewport(), Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.NoModifier, rect.center())
    wait(app, lambda: window.view is not None and window.view.find_matches()[0] != [],
         what="the search result opened")
    drawn(app, window)
    shots.append(save(window, out, "07-search-result-opened"))

    with window.dossier.read() as session:
        deception = codebook.resolve_tag(session, "Deception").id
    answer_next_dialog(app, "Deception by recruiters", shots, out, "08-rename-tag-dialog")
    window.workspace.codebook_editor.rename(deception)
    wait(app, lambda: window.codebook_model.tag(deception).name == "Deception by recruiters",
         what="the renamed tag")
    shots.append(save(window.codebook_dock, out, "09-codebook-renamed"))

    window.open_document(doc_id)
    wait(app, lambda: window.document_id == doc_id and window.view is not None,
         what="the PDF to reopen")
    view = window.view
    view.set_zoom(1.5)
    app.processEvents()
    view.go_to_page(3)
    wait(app, lambda: view.current_page() == 3, what="page 3")
    state = {"document": doc_id, "page": view.current_page(), "zoom": view.zoom(),
             "dossier": str(window.dossier.folder)}
    drawn(app, window)
    shots.append(save(window, out, "10-before-quit"))
    window.close()
    app.processEvents()
    return {"state": state, "screenshots": [str(p) for p in shots]}


def again(out: Path, theme: str) -> dict[str, Any]:
    """The second session: everything came back."""
    from PySide6.QtWidgets import QApplication

    from app import userconfig
    from app.services import annotations, codebook
    from ui.application import create_application, start_window

    saved = json.loads((out / f"walkthrough-first-{theme}.json").read_text())["state"]
    app = create_application()
    asked: list[str] = []

    def no_dialog() -> None:
        if QApplication.activeModalWidget() is not None:
            asked.append(QApplication.activeModalWidget().windowTitle())
            QApplication.activeModalWidget().close()

    from PySide6.QtCore import QTimer

    QTimer.singleShot(300, no_dialog)
    window: Any = start_window(None)
    wait(app, lambda: window.isVisible() and window.view is not None, what="the window")
    view = window.view
    wait(app, lambda: abs(view.zoom() - saved["zoom"]) < 0.01
         and view.current_page() == saved["page"], 10, "the reading position")
    app.processEvents()
    drawn(app, window)
    shot = save(window, out, "11-after-restart")
    with window.dossier.read() as session:
        renamed = [t.name for t in codebook.list_tags(session) if t.name.startswith("Deception")]
    anns = annotations.list_annotations(window.dossier, document_id=saved["document"])
    checks = {
        "no first-run question the second time": asked == [],
        "display name kept": userconfig.display_name() == NAME,
        "same dossier reopened": str(window.dossier.folder) == saved["dossier"],
        "same document open": window.document_id == saved["document"],
        "same page": view.current_page() == saved["page"],
        "same zoom": abs(view.zoom() - saved["zoom"]) < 0.01,
        "three annotations by the named user": len(anns) == PASSAGES
        and all(a.author == NAME for a in anns),
        "renamed tag kept": renamed == ["Deception by recruiters"],
    }
    window.close()
    app.processEvents()
    return {"checks": checks, "screenshots": [str(shot)]}


def main() -> int:
    """Run one phase and write its JSON report beside the screenshots."""
    phase, out = sys.argv[1], Path(sys.argv[2]).resolve()
    theme = sys.argv[3] if len(sys.argv) > 3 else "light"
    out.mkdir(parents=True, exist_ok=True)
    setup_home(out)
    result = first(out, theme) if phase == "first" else again(out, theme)
    (out / f"walkthrough-{phase}-{theme}.json").write_text(json.dumps(result, indent=1))
    print(json.dumps(result, indent=1))
    checks = result.get("checks", {})
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())

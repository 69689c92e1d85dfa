"""Dossiers: one window per dossier across processes, the first-run name, reading positions."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings

from app import userconfig
from app.dossier import Dossier
from app.lock import LOCK_FILE, DossierInUse
from app.services import annotations as annotation_service
from tests.helpers.cli import REPO, run_cli
from tests.helpers.documents import add_text_document
from tests.helpers.main_window import OFFSCREEN_LIMITS, open_window
from ui import dialogs, dossiers
from ui.main_window import MainWindow
from ui.settings import Settings

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_LIMITS)

LONG = "\n\n".join(f"Paragraph {i}: the workers described the recruiter's promises again."
                   for i in range(400))


def start_gui(folder: Path) -> subprocess.Popen[str]:
    """The real ``dossier gui`` in another process, holding ``folder`` open."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    return subprocess.Popen([sys.executable, "-m", "launch", "--dossier", str(folder), "--user",
                             "bob", "gui"], cwd=REPO, env=env, text=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def wait_for_lock(folder: Path, proc: subprocess.Popen[str], qtbot: Any) -> None:
    lock = folder / LOCK_FILE
    def held() -> bool:
        assert proc.poll() is None, f"dossier gui exited with status {proc.returncode}"
        return lock.exists() and f"process {proc.pid}" in lock.read_text()

    qtbot.waitUntil(held, timeout=60000)


def test_a_second_process_is_refused_and_a_crash_leaves_no_lock(
        dossier_path: Path, qtbot: Any, tmp_path: Path) -> None:
    proc = start_gui(dossier_path)
    try:
        wait_for_lock(dossier_path, proc, qtbot)
        settings = Settings(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
        with pytest.raises(DossierInUse, match="already open in another Dossier window"):
            dossiers.open_dossier_window(dossier_path, user="alice", settings=settings)
        # The command line still reads the dossier beside the window.
        assert run_cli(dossier_path, "documents", check=True).returncode == 0
    finally:
        proc.send_signal(signal.SIGKILL)  # a crash: no chance to clean up
        proc.wait(30)
    window = dossiers.open_dossier_window(dossier_path, user="alice", settings=settings)
    qtbot.addWidget(window)
    assert window.windowTitle() == f"{dossier_path.name} — Dossier"
    window.close()


def test_first_run_asks_the_name_and_the_command_line_uses_it(
        dossier_path: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    asked: list[str] = []

    def answer(_parent: Any, title: str, *_a: Any, **_k: Any) -> str:
        asked.append(title)
        return "  Ana   Investigator "

    monkeypatch.setattr(dialogs, "ask_text", answer)
    assert dossiers.ensure_display_name() == "Ana Investigator"
    assert dossiers.ensure_display_name() == "Ana Investigator"
    assert asked == ["Welcome to Dossier"]  # asked once, on the first run only
    assert userconfig.display_name() == "Ana Investigator"
    env = dict(os.environ, XDG_CONFIG_HOME=str(tmp_path / "config"))
    doc = subprocess.run([sys.executable, "-m", "app", "--dossier", str(dossier_path),
                          "import", str(write_article(tmp_path))], cwd=REPO, env=env,
                         capture_output=True, text=True, check=True).stdout.split()[0]
    out = subprocess.run([sys.executable, "-m", "app", "--dossier", str(dossier_path),
                          "annotate", doc, "--quote", "promises", "--tag", "Deception",
                          "--json"], cwd=REPO, env=env, capture_output=True, text=True,
                         check=True).stdout
    assert '"author": "Ana Investigator"' in out


def write_article(tmp_path: Path) -> Path:
    path = tmp_path / "article.txt"
    path.write_text("Recruiters made promises of good wages.\n", encoding="utf-8")
    return path


def test_reading_position_and_zoom_survive_a_restart(dossier: Dossier, qtbot: Any,
                                                     tmp_path: Path) -> None:
    doc = add_text_document(dossier, LONG, "Long")
    window = open_window(dossier, qtbot, tmp_path)
    window.open_document(doc.id)
    view = window.view
    assert view is not None
    target = LONG.index("Paragraph 250")
    view.set_zoom(1.5)
    view.editor.scroll_to_position(view.utf16_range(target, target)[0], 0.0)
    before = view.reading_position()
    assert before > LONG.index("Paragraph 240")
    window.close()
    again = open_window(dossier, qtbot, tmp_path)  # same settings file: a restart
    assert again.document_id == doc.id
    qtbot.waitUntil(lambda: again.view is not None
                    and abs(again.view.reading_position() - before) < 200, timeout=3000)
    assert again.view is not None and again.view.zoom() == pytest.approx(1.5)


def test_a_new_name_in_preferences_signs_what_follows(dossier: Dossier, qtbot: Any,
                                                       tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    doc = add_text_document(dossier, LONG, "Long")
    window: MainWindow = open_window(dossier, qtbot, tmp_path)
    prefs = window.workspace
    from ui.preferences import Preferences

    prefs.apply_preferences(Preferences("Rosa Field", "light", "", 0, 1.0))
    ann = annotation_service.create_annotation(dossier, doc.id, 0, 9, [])
    assert ann.author == "Rosa Field"
    assert userconfig.display_name() == "Rosa Field"


def test_welcome_page_opens_the_sample_dossier(dossier: Dossier, qtbot: Any, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from app.services import samples

    monkeypatch.setattr(samples, "sample_dossier_path", lambda: tmp_path / "Sample dossier")
    window = open_window(dossier, qtbot, tmp_path)
    page = window.workspace.welcome
    assert window.reader.currentWidget() is page
    assert page.sample_button.isVisible() and page.import_button.isVisible()
    page.sample_button.click()
    sample = next(w for w in dossiers._WINDOWS if w.dossier.folder == tmp_path / "Sample dossier")
    qtbot.addWidget(sample)
    qtbot.waitUntil(lambda: sample.documents_model.rowCount() == 2, timeout=60000)
    qtbot.waitUntil(lambda: sample.document_id is not None, timeout=10000)
    assert not window.isVisible()  # the window switched dossier
    assert sample.windowTitle() == "Sample dossier — Dossier"
    titles = sorted(sample.documents_model.document(r).title for r in range(2))
    assert all("SAMPLE" in t for t in titles)
    text = sample.view.text if sample.view is not None else ""
    assert "savings account that he could not open" in text and "](" not in text
    sample.close()


def test_welcome_page_shows_its_text(dossier: Dossier, qtbot: Any, tmp_path: Path) -> None:
    window = open_window(dossier, qtbot, tmp_path)
    page = window.workspace.welcome
    assert page.label.isVisible() and "no documents yet" in page.label.text()


def test_preferences_theme_font_and_default_zoom(dossier: Dossier, qtbot: Any, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from PySide6.QtGui import QPalette
    from PySide6.QtWidgets import QApplication

    from ui import theme
    from ui.preferences import Preferences

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    doc = add_text_document(dossier, LONG, "Long")
    window = open_window(dossier, qtbot, tmp_path)
    try:
        window.workspace.apply_preferences(Preferences("Rosa Field", "dark", "DejaVu Sans", 15,
                                                       1.25))
        palette = QApplication.palette()
        assert palette.color(QPalette.ColorRole.Window).lightness() < 80
        assert palette.color(QPalette.ColorRole.WindowText).lightness() > 180
        window.open_document(doc.id)
        qtbot.waitUntil(lambda: window.view is not None and window.document_id == doc.id)
        view = window.view
        assert view is not None
        font = view.editor.font()
        assert font.family() == "DejaVu Sans"
        assert font.pointSizeF() == pytest.approx(15 * view.zoom())
        assert view.zoom() == pytest.approx(1.25)  # never opened before: the default zoom
        # The reader keeps white paper in the dark theme, so highlights stay readable.
        assert view.editor.palette().color(QPalette.ColorRole.Base).lightness() > 240
    finally:
        theme.apply("system")
        from ui.views.text_editor import set_reader_font

        set_reader_font("", 0.0)

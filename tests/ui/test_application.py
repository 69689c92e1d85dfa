"""Starting and stopping the application, and what a user sees of an unexpected error."""

from __future__ import annotations

import sys
from typing import Any

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QWidget

from tests.helpers.main_window import OFFSCREEN_LIMITS
from ui import application, dialogs

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_LIMITS)


def test_run_shows_the_window_and_returns_when_it_closes(dossier: Any, qtbot: Any) -> None:
    seen: list[str] = []

    def close() -> None:
        windows = [w for w in QApplication.topLevelWidgets()
                   if w.objectName() == "main_window" and w.isVisible()]
        seen.extend(w.windowTitle() for w in windows)
        for window in windows:
            window.close()  # the last window closing ends the event loop, as for a user

    QTimer.singleShot(300, close)
    assert application.run(dossier) == 0
    assert seen == [f"{dossier.folder.name} — Dossier"]
    assert sys.excepthook is sys.__excepthook__


def test_unexpected_error_is_one_line_and_logged(qtbot: Any, monkeypatch: pytest.MonkeyPatch,
                                                 tmp_path: Any) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    shown: list[str] = []
    monkeypatch.setattr(dialogs, "inform",
                        lambda _p, _t, message, error=False: shown.append(message))
    monkeypatch.setattr(application, "crash_log_path", lambda: tmp_path / "errors.log")
    previous = sys.excepthook
    application.install_error_handler(parent)
    try:
        try:
            raise KeyError("tag 42\nsecond line of detail")
        except KeyError as exc:
            sys.excepthook(type(exc), exc, exc.__traceback__)
    finally:
        sys.excepthook = previous
    assert len(shown) == 1 and "\n" not in shown[0]
    assert shown[0].startswith("Something went wrong: ") and "errors.log" in shown[0]
    log = (tmp_path / "errors.log").read_text(encoding="utf-8")
    assert "Traceback" in log and "KeyError" in log

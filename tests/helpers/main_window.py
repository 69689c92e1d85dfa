"""Driving the real main window in tests: open it, drag-select like a user, press keys."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtGui import QImage, QTextCursor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget

from app.dossier import Dossier
from app.services.documents import page_geometry
from ui.main_window import MainWindow
from ui.operations import Operations
from ui.settings import Settings

#: What the offscreen platform cannot do for top-level windows and popups; harmless in tests.
OFFSCREEN_LIMITS = r"This plugin does not support (propagateSizeHints|raise|grabbing the keyboard)"


def open_window(dossier: Dossier, qtbot: Any, tmp_path: Path, *, show: bool = True,
                background: bool = False) -> MainWindow:
    """A main window with its own settings file, shown and active.

    Operations run synchronously unless ``background`` asks for the real writer and reader
    threads. The window is closed (saving its layout) when the test ends.
    """
    store = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    ops = Operations(dossier, synchronous=not background)
    window = MainWindow(dossier, settings=Settings(store), operations=ops)
    ops.setParent(window)
    qtbot.addWidget(window)
    if show:
        window.show()
        qtbot.waitExposed(window)
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow, timeout=3000)
    return window


def drag(widget: QWidget, start: QPoint, end: QPoint, steps: int = 6) -> None:
    """Press the left button at ``start``, move in steps to ``end``, release there."""
    QTest.mousePress(widget, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    for i in range(1, steps + 1):
        point = start + (end - start) * (i / steps)
        QTest.mouseMove(widget, point)
    QTest.mouseRelease(widget, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)


def text_caret_point(view: Any, offset: int) -> QPoint:
    """Viewport point of the caret before code point ``offset`` in a text view."""
    cursor = QTextCursor(view.editor.document())
    cursor.setPosition(view.utf16_range(offset, offset)[0])
    rect = view.editor.cursorRect(cursor)
    return QPoint(rect.center().x(), rect.center().y())


def drag_text(view: Any, start: int, end: int) -> None:
    """Drag-select code points ``[start, end)`` in a text view with the mouse."""
    view.reveal(start, end, flash=False)
    drag(view.editor.viewport(), text_caret_point(view, start), text_caret_point(view, end))


def char_centre(view: Any, page: Any, offset: int) -> QPoint:
    """Viewport point at the centre of the printed character at ``offset`` of a PDF page."""
    x0, top, x1, bottom = page.box(offset)
    return view.page_point_to_viewport(page.number, (x0 + x1) / 2, (top + bottom) / 2)


def drag_pdf(view: Any, dossier: Dossier, document_id: str, start: int, end: int) -> Any:
    """Drag-select ``[start, end)`` on the rendered page from its first to its last character.

    Returns the page's geometry.
    """
    page = next(p for p in page_geometry(dossier, document_id) if p.start <= start < p.end)
    view.go_to_page(page.number)
    view.reveal(start, end, flash=False)
    drag(view.canvas.viewport(), char_centre(view, page, start), char_centre(view, page, end - 1))
    return page


def grab(widget: QWidget) -> QImage:
    """What ``widget`` shows, as an image in its own pixels."""
    return widget.grab().toImage()

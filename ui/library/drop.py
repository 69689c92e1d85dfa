"""Import by dropping files, folders and links onto the main window."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QMimeData, QObject
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QWidget

from app.services import imports


def dropped_inputs(mime: QMimeData) -> list[str]:
    """Local paths (folders expanded to their files) and web addresses in a drop."""
    specs: list[str] = []
    for url in mime.urls():
        if url.isLocalFile():
            specs.append(url.toLocalFile())
        elif url.scheme() in ("http", "https"):
            specs.append(url.toString())
    if not specs and mime.hasText():
        specs = [line.strip() for line in mime.text().splitlines()
                 if imports.is_url(line.strip())]
    return list(imports.expand_inputs(specs))


class DropImporter(QObject):
    """Accepts drops on ``window`` and hands what was dropped to ``start_import``."""

    def __init__(self, window: QWidget, start_import: Callable[[list[str]], object]) -> None:
        super().__init__(window)
        self.start_import = start_import
        window.setAcceptDrops(True)
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        """Accept drags carrying files or links; import them when dropped."""
        kind = event.type()
        if kind in (QEvent.Type.DragEnter, QEvent.Type.DragMove) and isinstance(
                event, QDragEnterEvent | QDropEvent):
            mime = event.mimeData()
            if mime.hasUrls() or (mime.hasText() and imports.is_url(mime.text().strip())):
                event.acceptProposedAction()
                return True
        if kind == QEvent.Type.Drop and isinstance(event, QDropEvent):
            inputs = dropped_inputs(event.mimeData())
            event.acceptProposedAction()
            if inputs:
                self.start_import(inputs)
            return True
        return False

"""Doing something with a document once the reader shows it (documents open off the GUI
thread, so "open, then reveal" must wait for the view)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ui.main_window import MainWindow
    from ui.views.base import DocumentView


def open_then(window: MainWindow, document_id: str,
              action: Callable[[DocumentView], object]) -> None:
    """Open ``document_id`` (if it is not already) and call ``action(view)`` once it is shown.

    A different document opened meanwhile cancels the action.
    """
    if window.document_id == document_id and window.view is not None:
        action(window.view)
        return

    def opened(opened_id: str) -> None:
        window.document_opened.disconnect(opened)
        if opened_id == document_id and window.view is not None:
            action(window.view)

    window.document_opened.connect(opened)
    window.open_document(document_id)

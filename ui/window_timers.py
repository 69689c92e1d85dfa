"""Timers that end with their window.

A dock's timer (a refresh after a burst of changes, a search after a typing pause, a retry of an
unsent edit) must not fire once its window has closed: by then the window's operations are shut
and its dossier is closed or about to be (another window may hold the folder next). Closing the
window is the end of its life in Dossier, so its timers are stopped and cut from their work
there, before the window's own close handling runs; a change delivered late cannot start them
again into anything.
"""

from __future__ import annotations

import contextlib
import warnings

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget


class _StopOnClose(QObject):
    def __init__(self, window: QWidget, timers: tuple[QTimer, ...]) -> None:
        super().__init__(window)
        self.window = window
        self.timers = timers
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        """When the window closes: stop its timers and disconnect what they would run."""
        if watched is self.window and event.type() == QEvent.Type.Close:
            for timer in self.timers:
                timer.stop()
                with warnings.catch_warnings(), contextlib.suppress(RuntimeError, TypeError):
                    warnings.simplefilter("ignore", RuntimeWarning)
                    timer.timeout.disconnect()
        return False


def stop_with_window(widget: QWidget | None, *timers: QTimer) -> None:
    """Stop ``timers`` for good when the window of ``widget`` (as it is now) closes."""
    if widget is not None:
        _StopOnClose(widget.window(), timers)

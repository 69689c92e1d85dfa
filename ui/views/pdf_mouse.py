"""What the mouse does on the page view: drag to select, click a highlight, double-click a word,
Ctrl+drag a rectangle (a region to tag).

A drag selects from the printed character nearest the press to the one nearest the mouse, both
included, in the canonical text's order; dragging past the top or bottom edge scrolls.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

if TYPE_CHECKING:
    from ui.views.pdf_view import PdfPageView

_WORD = re.compile(r"\w+")


class SelectionGestures:
    """Turns the canvas's mouse events into selections and highlight clicks on a page view."""

    def __init__(self, view: PdfPageView) -> None:
        self.view = view
        self._anchor: int | None = None
        self._press_pos: QPointF | None = None
        self._dragging = False
        self._region = False  # Ctrl+drag: a rectangle, not a text selection

    def _drag_to(self, pos: QPointF) -> None:
        current = self.view.offset_at(pos)
        if current is None or self._anchor is None:
            return
        self.view.select_range(min(self._anchor, current), max(self._anchor, current) + 1)

    def mouse_press(self, event: QMouseEvent) -> None:
        """Start a selection at the character nearest the press (Shift: extend the current)."""
        if event.button() != Qt.MouseButton.LeftButton:
            return
        self._press_pos = event.position()
        self._dragging = False
        self._region = bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier) and \
            self.view.regions.press(event.position())
        if self._region:
            return
        self._anchor = self.view.offset_at(event.position())
        selected = self.view.selected_range()
        if event.modifiers() & Qt.KeyboardModifier.ShiftModifier and selected:
            self._anchor = selected[0]
            self._dragging = True
            self._drag_to(event.position())

    def mouse_move(self, event: QMouseEvent) -> None:
        """Extend the selection while dragging; scroll when dragging past the edge."""
        if self._press_pos is None or not event.buttons() & Qt.MouseButton.LeftButton:
            return
        pos = event.position()
        if self._region:
            self.view.regions.drag(pos)
            return
        if not self._dragging:
            if (pos - self._press_pos).manhattanLength() < QApplication.startDragDistance():
                return
            self._dragging = True
        canvas = self.view.canvas
        height = canvas.viewport().height()
        bar = canvas.verticalScrollBar()
        if pos.y() < 0:
            bar.setValue(bar.value() + int(pos.y()))
        elif pos.y() > height:
            bar.setValue(bar.value() + int(pos.y() - height))
        self._drag_to(pos)

    def mouse_release(self, event: QMouseEvent) -> None:
        """End a drag; a click without a drag activates the highlight under it, if any."""
        if event.button() != Qt.MouseButton.LeftButton or self._press_pos is None:
            return
        if self._region:
            self.view.regions.release(event.position())
            self._press_pos = None
            self._region = False
            return
        if self._dragging:
            self._drag_to(event.position())
        else:
            self.view.clear_selection()
            found = self.view.annotations_under(event.position())
            if found:
                self.view.annotation_activated.emit(found[0].id)
        self._press_pos = None
        self._anchor = None
        self._dragging = False

    def mouse_double_click(self, event: QMouseEvent) -> None:
        """Select the word under the mouse."""
        offset = self.view.offset_at(event.position())
        if offset is None:
            return
        text = self.view.text
        line_start = text.rfind("\n", 0, offset) + 1
        line_end = text.find("\n", offset)
        line_end = len(text) if line_end < 0 else line_end
        for word in _WORD.finditer(text, line_start, line_end):
            if word.start() <= offset < word.end():
                self.view.select_range(*word.span())
                return

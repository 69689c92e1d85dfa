"""Find in document: the bar under a document view, and the search over the canonical text."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QToolButton, QWidget

#: More matches than this are not all highlighted (the count still says how many there are).
MAX_MATCHES = 20_000


def find_all(text: str, query: str) -> list[tuple[int, int]]:
    """Code-point ranges of every case-insensitive match of ``query`` in ``text``.

    Whitespace in the query matches any run of whitespace, so a phrase is found across the line
    breaks a PDF's extracted text has where the printed line wrapped.
    """
    words = query.split()
    if not words:
        return []
    pattern = re.compile(r"\s+".join(re.escape(w) for w in words), re.IGNORECASE)
    matches: list[tuple[int, int]] = []
    for match in pattern.finditer(text):
        matches.append(match.span())
        if len(matches) >= MAX_MATCHES:
            break
    return matches


class _QueryEdit(QLineEdit):
    """The query field: Enter finds the next match, Shift+Enter the previous, Esc closes."""

    next_requested = Signal()
    previous_requested = Signal()
    escape_pressed = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt override)
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
                self.previous_requested.emit()
            else:
                self.next_requested.emit()
        elif key == Qt.Key.Key_Escape:
            self.escape_pressed.emit()
        else:
            super().keyPressEvent(event)


class FindBar(QWidget):
    """A one-line bar: query, match count, previous/next buttons and a close button.

    Signals: ``query_changed(str)`` as the user types, ``next_requested()``,
    ``previous_requested()``, ``closed()``.
    """

    query_changed = Signal(str)
    next_requested = Signal()
    previous_requested = Signal()
    closed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 3, 6, 3)
        self.edit = _QueryEdit(self)
        self.edit.setPlaceholderText("Find in document")
        self.edit.setClearButtonEnabled(True)
        self.count_label = QLabel(self)
        self.count_label.setMinimumWidth(90)
        self.previous_button = QToolButton(self)
        self.previous_button.setText("▲")
        self.previous_button.setToolTip("Previous match (Shift+Enter)")
        self.next_button = QToolButton(self)
        self.next_button.setText("▼")
        self.next_button.setToolTip("Next match (Enter)")
        close_button = QToolButton(self)
        close_button.setText("✕")
        close_button.setToolTip("Close (Esc)")
        close_button.setAutoRaise(True)
        for widget in (self.edit, self.count_label, self.previous_button, self.next_button,
                       close_button):
            layout.addWidget(widget)
        layout.setStretch(0, 1)
        self.edit.textEdited.connect(self.query_changed)
        self.edit.next_requested.connect(self.next_requested)
        self.edit.previous_requested.connect(self.previous_requested)
        self.edit.escape_pressed.connect(self.closed)
        self.next_button.clicked.connect(self.next_requested)
        self.previous_button.clicked.connect(self.previous_requested)
        close_button.clicked.connect(self.closed)

    def query(self) -> str:
        """The text being searched for."""
        return self.edit.text()

    def focus_query(self) -> None:
        """Put the keyboard focus in the query with its text selected."""
        self.edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.edit.selectAll()

    def show_count(self, current: int, total: int) -> None:
        """Show "3 of 17", or that nothing matched."""
        if not self.edit.text().strip():
            self.count_label.setText("")
        elif total == 0:
            self.count_label.setText("No matches")
        else:
            more = "+" if total >= MAX_MATCHES else ""
            self.count_label.setText(f"{current + 1} of {total}{more}")
        self.previous_button.setEnabled(total > 0)
        self.next_button.setEnabled(total > 0)

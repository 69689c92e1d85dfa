"""The message for an edit refused because a colleague changed the annotation meanwhile.

It shows who changed it and when, what the annotation says now, and the user's own edit (kept,
selectable, so nothing typed is lost). "Keep theirs" leaves the newer version; "Save mine
instead" sends the user's edit again, now based on the newer version (a deliberate choice,
never a silent overwrite). Opened with ``open()``, so it never blocks a test.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.services.annotations import AnnotationView, EditConflict
from ui.undo import FIELD_NAMES


def _fields_text(view: AnnotationView) -> str:
    lines = [f"Note: {view.note}" if view.note else "Note: (none)",
             "Tags: " + (", ".join(t.path for t in view.tags) or "(none)")]
    if view.attribution:
        lines.append(f"Attribution: {view.attribution}")
    if view.grade:
        lines.append(f"Grade: {view.grade}")
    return "\n".join(lines)


def _edit_text(fields: dict[str, Any]) -> str:
    return "\n".join(f"{FIELD_NAMES.get(k, k).capitalize()}: {'' if v is None else v}"
                     for k, v in fields.items())


def _when(stamp: str) -> str:
    return stamp[:16].replace("T", " ") + " UTC" if stamp else "a moment ago"


class ConflictDialog(QDialog):
    """Shows a refused edit beside the newer version; accepted = save the user's edit anyway."""

    def __init__(self, conflict: EditConflict, fields: dict[str, Any],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("conflict_dialog")
        self.conflict = conflict
        self.fields = dict(fields)
        current = conflict.current
        self.setWindowTitle("Changed by someone else")
        layout = QVBoxLayout(self)
        self.summary = QLabel(
            f"{conflict.changed_by} changed this annotation at {_when(conflict.changed_at)}, "
            f"after you started editing it (you were editing version {conflict.based_on}; it "
            f"is at version {current.version} now). Your change was not saved.", self)
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.summary)
        quote = QLabel(f"“{' '.join(current.quote.split())[:200]}”", self)
        quote.setTextFormat(Qt.TextFormat.PlainText)
        quote.setWordWrap(True)
        quote.setStyleSheet("color: palette(mid);")
        layout.addWidget(quote)
        self.theirs = self._box(layout, f"Now (version {current.version}, by "
                                        f"{conflict.changed_by})", _fields_text(current))
        self.mine = self._box(layout, "Your edit (not saved)", _edit_text(self.fields))
        buttons = QDialogButtonBox(self)
        keep = buttons.addButton("Keep theirs", QDialogButtonBox.ButtonRole.RejectRole)
        keep.setDefault(True)
        self.save_mine = buttons.addButton("Save mine instead",
                                           QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(520, 360)

    def _box(self, layout: QVBoxLayout, title: str, text: str) -> QPlainTextEdit:
        group = QGroupBox(title, self)
        inner = QVBoxLayout(group)
        view = QPlainTextEdit(group)
        view.setPlainText(text)
        view.setReadOnly(True)  # selectable: nothing typed is lost
        view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        view.setMaximumHeight(110)
        inner.addWidget(view)
        layout.addWidget(group)
        return view

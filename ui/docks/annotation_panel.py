"""The annotation panel: the current annotation's quote, tags, note, attribution, grades, status.

Every edit is stored as it is made (there is no save button) through :class:`AnnotationUndo`, so it
can be undone; typing in the note is stored after a short pause or when the note loses focus.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDockWidget,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.services.annotations import AnnotationView
from ui.chips import chips_height, chips_size, paint_chips
from ui.models.annotations import STATUS_LABELS, one_line, page_label, tag_name
from ui.undo import AnnotationUndo

RELIABILITY_LABELS = {"A": "A — completely reliable", "B": "B — usually reliable",
                      "C": "C — fairly reliable", "D": "D — not usually reliable",
                      "E": "E — unreliable", "F": "F — reliability cannot be judged"}
CREDIBILITY_LABELS = {1: "1 — confirmed by other sources", 2: "2 — probably true",
                      3: "3 — possibly true", 4: "4 — doubtful", 5: "5 — improbable",
                      6: "6 — truth cannot be judged"}
NOTE_PAUSE_MS = 800


class ChipRow(QWidget):
    """A row of tag chips."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.chips: list[tuple[str, str]] = []
        policy = QSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)

    def set_chips(self, chips: list[tuple[str, str]]) -> None:
        """Show these ``(label, colour)`` chips."""
        self.chips = chips
        self.setToolTip("\n".join(label for label, _ in chips))
        self._fit_height()
        self.updateGeometry()
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802
        """All chips on one line."""
        return chips_size(self.fontMetrics(), self.chips)

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        """Narrow, and as tall as the wrapped chips need."""
        return QSize(60, self.heightForWidth(max(self.width(), 60)))

    def hasHeightForWidth(self) -> bool:  # noqa: N802
        """Chips wrap onto more lines in a narrow panel."""
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802
        """Height of the wrapped chips."""
        return chips_height(self.fontMetrics(), self.chips, width)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        """Form layouts ignore height-for-width; ask for the wrapped height directly."""
        super().resizeEvent(event)
        self._fit_height()

    def _fit_height(self) -> None:
        needed = self.heightForWidth(self.width())
        if needed != self.minimumHeight():
            self.setMinimumHeight(needed)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        """Draw the chips, wrapped, or "no tags"."""
        painter = QPainter(self)
        if self.chips:
            paint_chips(painter, self.rect(), self.chips, wrap=True)
        else:
            painter.setPen(self.palette().placeholderText().color())
            painter.drawText(self.rect(), int(Qt.AlignmentFlag.AlignVCenter), "no tags")
        painter.end()


class _KeepKeys(QObject):
    """Lets combo boxes take typed digits and letters before the window's tag keys do."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.ShortcutOverride:
            assert isinstance(event, QKeyEvent)
            if event.text().isprintable() and event.text() and not (
                    event.modifiers() & ~Qt.KeyboardModifier.ShiftModifier
                    & ~Qt.KeyboardModifier.KeypadModifier):
                event.accept()
                return True
        return False


class AnnotationPanel(QDockWidget):
    """Edits the current annotation.

    Signals: ``failed(str message)``, ``edit_tags_requested()``, ``adjust_range_requested()``.
    """

    failed = Signal(str)
    edit_tags_requested = Signal()
    adjust_range_requested = Signal()

    def __init__(self, undo: AnnotationUndo, parent: QWidget | None = None) -> None:
        super().__init__("Annotation", parent)
        self.setObjectName("annotation_panel")
        self.undo = undo
        self.annotation: AnnotationView | None = None
        self._loading = False
        body = QWidget(self)
        outer = QVBoxLayout(body)
        outer.setContentsMargins(8, 6, 8, 6)
        self.placeholder = QLabel("Select text and press a tag's key, or pick a highlight, "
                                  "to see its annotation here.", body)
        self.placeholder.setWordWrap(True)
        self.placeholder.setStyleSheet("color: palette(mid);")
        outer.addWidget(self.placeholder)
        self.editor = QWidget(body)
        outer.addWidget(self.editor)
        outer.addStretch(1)
        self._build_editor()
        self.setWidget(body)
        self._note_timer = QTimer(self)
        self._note_timer.setSingleShot(True)
        self._note_timer.setInterval(NOTE_PAUSE_MS)
        self._note_timer.timeout.connect(self.commit_note)
        self.show_annotation(None)

    def _build_editor(self) -> None:
        form = QFormLayout(self.editor)
        form.setContentsMargins(0, 0, 0, 0)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.quote = QLabel(self.editor)
        self.quote.setWordWrap(True)
        self.quote.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details = QLabel(self.editor)
        self.details.setStyleSheet("color: palette(mid);")
        self.chips = ChipRow(self.editor)
        self.edit_tags = QPushButton("Tags…", self.editor)
        self.edit_tags.setToolTip("Choose tags (Ctrl+T)")
        self.note = QPlainTextEdit(self.editor)
        self.note.setPlaceholderText("Why this passage matters, what it claims")
        self.note.setTabChangesFocus(True)
        self.note.setMinimumHeight(60)
        self.note.setMaximumHeight(160)
        self.attribution = QLineEdit(self.editor)
        self.attribution.setPlaceholderText("Who asserts it, e.g. \"a former worker, to NK News\"")
        self.reliability = QComboBox(self.editor)
        self.reliability.addItem("— not graded", None)
        for grade, label in RELIABILITY_LABELS.items():
            self.reliability.addItem(label, grade)
        self.credibility = QComboBox(self.editor)
        self.credibility.addItem("— not graded", None)
        for value, label in CREDIBILITY_LABELS.items():
            self.credibility.addItem(label, value)
        self.status = QComboBox(self.editor)
        for status, label in STATUS_LABELS.items():
            self.status.addItem(label, status)
        self.adjust = QPushButton("Set range to selection", self.editor)
        self.adjust.setToolTip("Move this annotation to the text selected in the document")
        self.delete = QPushButton("Delete", self.editor)
        buttons = QHBoxLayout()
        buttons.addWidget(self.edit_tags)
        buttons.addWidget(self.adjust)
        buttons.addStretch(1)
        buttons.addWidget(self.delete)
        form.addRow(self.quote)
        form.addRow(self.details)
        form.addRow("Tags", self.chips)
        form.addRow("Note", self.note)
        form.addRow("Attribution", self.attribution)
        form.addRow("Reliability", self.reliability)
        form.addRow("Credibility", self.credibility)
        form.addRow("Status", self.status)
        form.addRow(buttons)
        keep_keys = _KeepKeys(self)
        for combo in (self.reliability, self.credibility, self.status):
            combo.installEventFilter(keep_keys)
        self.note.textChanged.connect(self._note_typed)
        self.note.installEventFilter(self)
        self.attribution.editingFinished.connect(
            lambda: self._store(attribution=self.attribution.text().strip()))
        self.reliability.activated.connect(
            lambda _i: self._store(reliability=self.reliability.currentData()))
        self.credibility.activated.connect(
            lambda _i: self._store(credibility=self.credibility.currentData()))
        self.status.activated.connect(lambda _i: self._store(status=self.status.currentData()))
        self.edit_tags.clicked.connect(self.edit_tags_requested)
        self.adjust.clicked.connect(self.adjust_range_requested)
        self.delete.clicked.connect(self.delete_annotation)

    # -- showing -------------------------------------------------------------------------------
    def show_annotation(self, view: AnnotationView | None) -> None:
        """Show ``view`` (None: nothing is current); a note being typed is stored first."""
        if self.annotation is not None and (view is None or view.id != self.annotation.id):
            self.commit_note()
        previous = self.annotation
        self.annotation = view
        self.placeholder.setVisible(view is None)
        self.editor.setVisible(view is not None)
        if view is None:
            return
        self._loading = True
        try:
            self.quote.setText(f"“{one_line(view.quote, 400)}”")
            page = page_label(view)
            where = f"page {page} · " if page else ""
            anchor = "" if view.anchor == "exact" else f" · anchor {view.anchor}"
            self.details.setText(f"{where}{view.author} · {view.modified[:16].replace('T', ' ')}"
                                 f" UTC{anchor}")
            self.chips.set_chips([(tag_name(t.path), t.colour) for t in view.tags])
            # A stored edit comes back while the user may be typing on: keep what is typed.
            same = previous is not None and previous.id == view.id
            if self.note.toPlainText() != view.note and not (same and self.note.hasFocus()):
                self.note.setPlainText(view.note)
            if self.attribution.text() != view.attribution and not (
                    same and self.attribution.hasFocus()):
                self.attribution.setText(view.attribution)
            self.reliability.setCurrentIndex(max(self.reliability.findData(view.reliability), 0)
                                             if view.reliability else 0)
            self.credibility.setCurrentIndex(max(self.credibility.findData(view.credibility), 0)
                                             if view.credibility else 0)
            self.status.setCurrentIndex(max(self.status.findData(view.status), 0))
        finally:
            self._loading = False

    # -- storing -------------------------------------------------------------------------------
    def _note_typed(self) -> None:
        if not self._loading and self.annotation is not None:
            self._note_timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        """Store the note as soon as it loses focus."""
        if watched is self.note and event.type() == QEvent.Type.FocusOut:
            self.commit_note()
        return super().eventFilter(watched, event)

    def commit_note(self) -> None:
        """Store the note typed so far (if it changed)."""
        self._note_timer.stop()
        if self.annotation is not None and self.note.toPlainText() != self.annotation.note:
            self._store(note=self.note.toPlainText())

    def _store(self, **fields: Any) -> None:
        if self._loading or self.annotation is None:
            return
        shown = self.annotation

        def failed(exc: BaseException) -> None:
            self.failed.emit(str(exc))
            if self.annotation is shown:
                self.show_annotation(shown)

        self.undo.update(shown.id, on_error=failed, **fields)

    def delete_annotation(self) -> None:
        """Delete the current annotation (undoable)."""
        if self.annotation is None:
            return
        self.commit_note()
        self.undo.delete(self.annotation.id, on_error=lambda exc: self.failed.emit(str(exc)))

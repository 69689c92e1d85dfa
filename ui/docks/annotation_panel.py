"""The annotation panel: the current annotation's quote, tags, note, attribution, grades, status.

Every edit is stored as it is made (there is no save button) through :class:`AnnotationUndo`, so it
can be undone; typing in the note is stored after a short pause or when the note loses focus.

Each edit is based on the version of the annotation shown when the user began it: if a colleague
changed the annotation meanwhile (a team dossier), the edit is refused and
:class:`~ui.conflict.ConflictDialog` shows both. An edit that could not be sent because the
connection to the server is down stays in the panel ("not saved yet") and is sent again when the
connection is back (:meth:`AnnotationPanel.retry_unsent`) or after a short wait.
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

from app.live import is_disconnect
from app.services.annotations import AnnotationView, EditConflict
from app.services.workflow import SUBMITTABLE
from ui.chips import chips_height, chips_size, paint_chips
from ui.conflict import ConflictDialog
from ui.models.annotations import STATUS_LABELS, one_line, page_label, tag_name
from ui.undo import AnnotationUndo
from ui.window_timers import stop_with_window

RELIABILITY_LABELS = {"A": "A — completely reliable", "B": "B — usually reliable",
                      "C": "C — fairly reliable", "D": "D — not usually reliable",
                      "E": "E — unreliable", "F": "F — reliability cannot be judged"}
CREDIBILITY_LABELS = {1: "1 — confirmed by other sources", 2: "2 — probably true",
                      3: "3 — possibly true", 4: "4 — doubtful", 5: "5 — improbable",
                      6: "6 — truth cannot be judged"}
NOTE_PAUSE_MS = 800
#: How long an edit that could not be sent waits before it is tried again (if the connection
#: has not come back before).
UNSENT_RETRY_MS = 5000


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

    Signals: ``failed(str message)``, ``edit_tags_requested()``, ``adjust_range_requested()``,
    ``submit_requested(str annotation_id)``.
    """

    failed = Signal(str)
    edit_tags_requested = Signal()
    adjust_range_requested = Signal()
    submit_requested = Signal(str)

    def __init__(self, undo: AnnotationUndo, parent: QWidget | None = None) -> None:
        super().__init__("Annotation", parent)
        self.setObjectName("annotation_panel")
        self.undo = undo
        self.annotation: AnnotationView | None = None
        self._loading = False
        #: The version the edit being made was based on (None: no edit under way).
        self._base: int | None = None
        #: Fields that could not be sent (connection down), of annotation ``_unsent_id``.
        self._unsent: dict[str, Any] = {}
        self._unsent_id: str | None = None
        self._unsent_base: int | None = None
        #: The open conflict message, if any.
        self.conflict_dialog: ConflictDialog | None = None
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
        self._retry_timer = QTimer(self)
        self._retry_timer.setSingleShot(True)
        self._retry_timer.setInterval(UNSENT_RETRY_MS)
        self._retry_timer.timeout.connect(self.retry_unsent)
        stop_with_window(parent, self._note_timer, self._retry_timer)
        self.show_annotation(None)

    def _build_editor(self) -> None:
        form = QFormLayout(self.editor)
        form.setContentsMargins(0, 0, 0, 0)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        # Quotes, authors and titles are user or imported text: never rich text (a quote must
        # not render HTML or load a local image).
        self.quote = QLabel(self.editor)
        self.quote.setTextFormat(Qt.TextFormat.PlainText)
        self.quote.setWordWrap(True)
        self.quote.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details = QLabel(self.editor)
        self.details.setTextFormat(Qt.TextFormat.PlainText)
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
        # the status is shown, not edited: it moves only by submitting and reviewing
        self.status = QLabel(self.editor)
        self.unsent = QLabel("Not saved yet: waiting for the connection to the server",
                             self.editor)
        self.unsent.setObjectName("unsent_edit")
        self.unsent.setWordWrap(True)
        self.unsent.setStyleSheet("color: #b3261e; font-weight: bold;")
        self.unsent.setVisible(False)
        self.submit = QPushButton("Submit for review", self.editor)
        self.submit.setToolTip("Send this annotation to the reviewers")
        status_row = QHBoxLayout()
        status_row.addWidget(self.status)
        status_row.addStretch(1)
        status_row.addWidget(self.submit)
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
        form.addRow("Status", status_row)
        form.addRow(buttons)
        form.addRow(self.unsent)
        keep_keys = _KeepKeys(self)
        for combo in (self.reliability, self.credibility):
            combo.installEventFilter(keep_keys)
        self.note.textChanged.connect(self._note_typed)
        self.attribution.textEdited.connect(lambda _t: self._began())
        self.note.installEventFilter(self)
        self.attribution.editingFinished.connect(
            lambda: self._store(attribution=self.attribution.text().strip()))
        self.reliability.activated.connect(
            lambda _i: self._store(reliability=self.reliability.currentData()))
        self.credibility.activated.connect(
            lambda _i: self._store(credibility=self.credibility.currentData()))
        self.submit.clicked.connect(self._submit_clicked)
        self.edit_tags.clicked.connect(self.edit_tags_requested)
        self.adjust.clicked.connect(self.adjust_range_requested)
        self.delete.clicked.connect(self.delete_annotation)

    # -- showing -------------------------------------------------------------------------------
    def show_annotation(self, view: AnnotationView | None) -> None:
        """Show ``view`` (None: nothing is current); a note being typed is stored first."""
        if self.annotation is not None and (view is None or view.id != self.annotation.id):
            self.commit_note()
            self._base = None
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
            unsent = self._unsent if self._unsent_id == view.id else {}
            if self.note.toPlainText() != view.note and not (
                    same and (self.note.hasFocus() or "note" in unsent)):
                self.note.setPlainText(view.note)
            if self.attribution.text() != view.attribution and not (
                    same and (self.attribution.hasFocus() or "attribution" in unsent)):
                self.attribution.setText(view.attribution)
            self.reliability.setCurrentIndex(max(self.reliability.findData(view.reliability), 0)
                                             if view.reliability else 0)
            self.credibility.setCurrentIndex(max(self.credibility.findData(view.credibility), 0)
                                             if view.credibility else 0)
            self.status.setText(STATUS_LABELS.get(view.status, view.status))
            self.submit.setEnabled(view.status in SUBMITTABLE)
        finally:
            self._loading = False

    # -- storing -------------------------------------------------------------------------------
    def _began(self) -> None:
        """The user began (or goes on with) an edit: it is based on the version shown now."""
        if not self._loading and self.annotation is not None and self._base is None:
            self._base = self.annotation.version

    def _note_typed(self) -> None:
        if not self._loading and self.annotation is not None:
            self._began()
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
        based_on = self._base if self._base is not None else shown.version
        self._base = None
        self._send(shown, based_on, fields)

    def _send(self, shown: AnnotationView, based_on: int, fields: dict[str, Any]) -> None:
        def done(view: AnnotationView) -> None:
            if self._unsent_id == view.id:
                self._clear_unsent(fields)
            if self._base == based_on:  # typing went on: it follows the version just saved
                self._base = view.version

        def failed(exc: BaseException) -> None:
            if isinstance(exc, EditConflict):
                self._show_conflict(exc, fields)
            elif is_disconnect(exc):
                self._keep_unsent(shown.id, based_on, fields)
            else:
                self.failed.emit(str(exc))
                if self.annotation is shown:
                    self.show_annotation(shown)

        self.undo.update(shown.id, on_done=done, on_error=failed, based_on=based_on, **fields)

    # -- conflicts and unsent edits -------------------------------------------------------------
    def _show_conflict(self, exc: EditConflict, fields: dict[str, Any]) -> None:
        """Show the newer version in the panel and both versions in a message."""
        self._clear_unsent(fields)
        if self.annotation is not None and self.annotation.id == exc.current.id:
            self._base = None
            self._note_timer.stop()
            self._loading = True  # the refused text must not be stored again on focus-out
            try:
                self.note.setPlainText(exc.current.note)
                self.attribution.setText(exc.current.attribution)
                self.note.clearFocus()
                self.attribution.clearFocus()
            finally:
                self._loading = False
            self.show_annotation(exc.current)
        if self.conflict_dialog is not None:
            self.conflict_dialog.close()
        dialog = ConflictDialog(exc, fields, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._send(exc.current, exc.current.version, fields))
        dialog.destroyed.connect(lambda _o=None: self._forget_dialog(dialog))
        self.conflict_dialog = dialog
        dialog.open()

    def _forget_dialog(self, dialog: ConflictDialog) -> None:
        if self.conflict_dialog is dialog:
            self.conflict_dialog = None

    def _keep_unsent(self, annotation_id: str, based_on: int, fields: dict[str, Any]) -> None:
        if self._unsent_id != annotation_id:
            self._unsent = {}
        self._unsent_id = annotation_id
        self._unsent_base = based_on
        self._unsent.update(fields)
        self.unsent.setVisible(True)
        self._retry_timer.start()

    def _clear_unsent(self, sent: dict[str, Any]) -> None:
        for key, value in sent.items():
            if self._unsent.get(key) == value:
                del self._unsent[key]
        if not self._unsent:
            self._unsent_id = None
            self._unsent_base = None
            self.unsent.setVisible(False)
            self._retry_timer.stop()

    @property
    def has_unsent(self) -> bool:
        """True while an edit waits for the connection."""
        return bool(self._unsent)

    def retry_unsent(self) -> None:
        """Send again the edit that could not be sent (the connection is back)."""
        if not self._unsent or self._unsent_id is None or self._unsent_base is None:
            return
        if self.annotation is not None and self.annotation.id == self._unsent_id:
            # what is in the editor now is the latest the user wants
            if "note" in self._unsent:
                self._unsent["note"] = self.note.toPlainText()
            if "attribution" in self._unsent:
                self._unsent["attribution"] = self.attribution.text().strip()
            shown = self.annotation
        else:
            shown = None
        fields = dict(self._unsent)
        base = self._unsent_base

        def failed(exc: BaseException) -> None:
            if isinstance(exc, EditConflict):
                self._show_conflict(exc, fields)
            elif is_disconnect(exc):
                self._retry_timer.start()
            else:
                self._clear_unsent(fields)
                self.failed.emit(str(exc))

        def done(view: AnnotationView) -> None:
            self._clear_unsent(fields)
            if self._base == base:
                self._base = view.version

        annotation_id = shown.id if shown is not None else self._unsent_id
        self.undo.update(annotation_id, on_done=done, on_error=failed, based_on=base, **fields)

    def _submit_clicked(self) -> None:
        if self.annotation is not None:
            self.commit_note()
            self.submit_requested.emit(self.annotation.id)

    def delete_annotation(self) -> None:
        """Delete the current annotation (undoable)."""
        if self.annotation is None:
            return
        self.commit_note()
        self.undo.delete(self.annotation.id, on_error=lambda exc: self.failed.emit(str(exc)),
                         based_on=self.annotation.version)

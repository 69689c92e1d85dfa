"""The review queue: submitted annotations one after another, decided from the keyboard.

Keys: A approve, R reject, C request changes (both ask for the required reason), S or Right
skip, B or Left back. Beside each passage: its context in the document text with the passage
marked, tags, grade, attribution, note, earlier decisions, the claims it supports (with their
independent-source counts) and the comment thread, where a new comment can be added.
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import QItemSelectionModel, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.changes import ChangeSet
from ui import dialogs
from ui.docks.annotation_panel import CREDIBILITY_LABELS, RELIABILITY_LABELS
from ui.models.annotations import STATUS_LABELS
from ui.operations import Operations
from ui.review import calls
from ui.review.queue_model import ANNOTATION_ID, QueueModel

CONTEXT_CHARS = 400
#: decision -> (button text, key, needs a reason)
DECISIONS = {"approve": ("&Approve", "A", False), "reject": ("&Reject", "R", True),
             "request_changes": ("Request &changes", "C", True)}


def context_html(text: str, start: int, end: int, chars: int = CONTEXT_CHARS) -> str:
    """The passage marked inside the text around it, as HTML."""
    left = max(0, start - chars)
    right = min(len(text), end + chars)
    before = ("…" if left else "") + text[left:start]
    after = text[end:right] + ("…" if right < len(text) else "")

    def para(s: str) -> str:
        return html.escape(s).replace("\n", "<br>")

    return (f"<div style='font-size:11pt'>{para(before)}<span style='background:#ffe066;"
            f"font-weight:600'>{para(text[start:end])}</span>{para(after)}</div>")


class ReviewQueue(QDialog):
    """Goes through the submitted annotations.

    Signals: ``decided(str annotation_id, str decision)``.
    """

    decided = Signal(str, str)

    def __init__(self, ops: Operations, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Review Queue")
        self.setObjectName("review_queue")
        self.ops = ops
        self.model = QueueModel(self)
        self.current_id: str | None = None
        self._want_row = 0
        self.details: dict[str, Any] | None = None
        self._build()
        ops.changed.connect(self._changed)
        self.reload()

    # -- building -----------------------------------------------------------------------------
    def _build(self) -> None:
        self.position = QLabel(self)
        self.message = QLabel(self)
        self.message.setStyleSheet("color:#a0281e")
        self.message.setWordWrap(True)
        self.list = QListView(self)
        self.list.setModel(self.model)
        self.list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.list.setWordWrap(True)
        self.list.setSpacing(2)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.clicked.connect(lambda index: self.show_row(index.row()))
        self.context = QTextBrowser(self)
        self.context.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.facts = QLabel(self)
        self.facts.setWordWrap(True)
        self.facts.setTextFormat(Qt.TextFormat.RichText)
        self.facts.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.comments_view = QTextBrowser(self)
        self.comments_view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.comment = QLineEdit(self)
        self.comment.setPlaceholderText("Add a comment under this annotation and press Enter")
        self.comment.returnPressed.connect(self.add_comment)

        buttons = QHBoxLayout()
        self.back = QPushButton("← &Back (B)", self)
        self.skip = QPushButton("&Skip (S) →", self)
        self.buttons: dict[str, QPushButton] = {}
        buttons.addWidget(self.back)
        for decision, (label, key, _) in DECISIONS.items():
            button = QPushButton(f"{label} ({key})", self)
            button.clicked.connect(lambda _c=False, d=decision: self.decide(d))
            self.buttons[decision] = button
            buttons.addWidget(button)
        buttons.addWidget(self.skip)
        for button in (self.back, self.skip, *self.buttons.values()):
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.back.clicked.connect(self.go_back)
        self.skip.clicked.connect(self.go_next)
        for decision, (_, key, _) in DECISIONS.items():
            self._key(key, lambda d=decision: self.decide(d))
        for key in ("S", "Right"):
            self._key(key, self.go_next)
        for key in ("B", "Left"):
            self._key(key, self.go_back)

        right = QWidget(self)
        column = QVBoxLayout(right)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(QLabel("<b>Passage in its document</b>", right))
        column.addWidget(self.context, 3)
        column.addWidget(self.facts)
        column.addWidget(QLabel("<b>Comments</b>", right))
        column.addWidget(self.comments_view, 1)
        column.addWidget(self.comment)
        split = QSplitter(self)
        split.addWidget(self.list)
        split.addWidget(right)
        split.setSizes([300, 700])
        layout = QVBoxLayout(self)
        layout.addWidget(self.position)
        layout.addWidget(split, 1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.resize(1100, 760)

    def _key(self, key: str, slot: Any) -> None:
        shortcut = QShortcut(QKeySequence(key), self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(slot)

    # -- loading ------------------------------------------------------------------------------
    def reload(self) -> None:
        """Read the queue again, staying near the current place."""
        calls.load_queue(self.ops, self._loaded)

    def _loaded(self, rows: list[Any]) -> None:
        keep = self.current_id
        self.model.set_rows(rows)
        row = self.model.row_of(keep) if keep else -1
        self.show_row(row if row >= 0 else min(self._want_row, len(rows) - 1))

    def _changed(self, changes: ChangeSet) -> None:
        if self.model.concerns(changes) or changes.kind("comment"):
            self.reload()

    def show_row(self, row: int) -> None:
        """Show the annotation in ``row`` (nothing when the queue is empty)."""
        total = self.model.rowCount()
        for button in (*self.buttons.values(), self.skip, self.back):
            button.setEnabled(total > 0)
        self.comment.setEnabled(total > 0)
        if not 0 <= row < total:
            self.current_id = None
            self.details = None
            self.position.setText("Nothing is waiting for review.")
            self.context.setHtml("<p style='color:#666'>The queue is empty.</p>")
            self.facts.clear()
            self.comments_view.clear()
            return
        self._want_row = row
        index = self.model.index(row)
        self.list.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        self.current_id = self.model.data(index, ANNOTATION_ID)
        self.position.setText(f"<b>{row + 1}</b> of {total} submitted annotation(s)")
        assert self.current_id is not None
        calls.load_details(self.ops, self.current_id, self._show_details)

    def _show_details(self, details: dict[str, Any]) -> None:
        ann = details["annotation"]
        if ann.id != self.current_id:
            return
        self.details = details
        self.context.setHtml(context_html(details["text"], ann.start, ann.end))
        page = f"page {ann.page_start}" if ann.page_start else "text"
        rows = [
            ("Document", f"{html.escape(details['title'])} ({page}, characters {ann.start}"
                         f"–{ann.end})"),
            ("Tags", html.escape(", ".join(t.path for t in ann.tags) or "none")),
            ("Grade", html.escape(self._grade(ann))),
            ("Attribution", html.escape(ann.attribution or "—")),
            ("Note", html.escape(ann.note or "—")),
            ("Author", html.escape(f"{ann.author}, {ann.modified[:16].replace('T', ' ')} UTC")),
            ("Status", STATUS_LABELS.get(ann.status, ann.status)),
        ]
        for review in details["reviews"]:
            reason = f": {html.escape(review.reason)}" if review.reason else ""
            rows.append(("Decision", f"{html.escape(review.reviewer)} "
                                     f"{review.decision.replace('_', ' ')}{reason}"))
        for claim, role in details["claims"]:
            flag = (" <span style='color:#a0281e'><b>single source</b></span>"
                    if claim.single_source else "")
            rows.append(("Claim", f"{'supports' if role == 'support' else 'contradicts'} "
                                  f"“{html.escape(claim.statement)}” — "
                                  f"{claim.support_sources} independent source(s){flag}"))
        self.facts.setText("<table cellspacing=3>" + "".join(
            f"<tr><td style='color:#555;padding-right:8px'>{k}</td><td>{v}</td></tr>"
            for k, v in rows) + "</table>")
        self.comments_view.setHtml("".join(
            f"<p><b>{html.escape(c.author)}</b> <span style='color:#777'>"
            f"{c.created[:16].replace('T', ' ')}</span><br>{html.escape(c.text)}</p>"
            for c in details["comments"]) or "<p style='color:#777'>No comments yet.</p>")

    @staticmethod
    def _grade(ann: Any) -> str:
        parts = []
        if ann.reliability:
            parts.append(RELIABILITY_LABELS[ann.reliability])
        if ann.credibility:
            parts.append(CREDIBILITY_LABELS[ann.credibility])
        return f"{ann.grade}: " + "; ".join(parts) if parts else "not graded"

    # -- acting -------------------------------------------------------------------------------
    def go_next(self) -> None:
        """Skip to the next annotation (wrapping round)."""
        total = self.model.rowCount()
        if total:
            self.current_id = None
            self.show_row((self._want_row + 1) % total)

    def go_back(self) -> None:
        """Back to the previous annotation."""
        total = self.model.rowCount()
        if total:
            self.current_id = None
            self.show_row((self._want_row - 1) % total)

    def decide(self, decision: str) -> None:
        """Record a decision on the current annotation (asking for a reason when required)."""
        ann_id = self.current_id
        if ann_id is None:
            return
        label, _, needs_reason = DECISIONS[decision]
        reason = ""
        if needs_reason:
            answer = dialogs.ask_text(self, label.replace("&", ""),
                                      "Reason (required; the author will see it):")
            if answer is None:
                return
            reason = answer.strip()
            if not reason:
                self.message.setText("A reason is required to "
                                     f"{label.replace('&', '').lower()}; nothing was recorded.")
                return
        self.message.clear()

        def done(_result: object) -> None:
            # the reload that follows the change stays at this row: the next one moves up
            self.decided.emit(ann_id, decision)

        calls.decide(self.ops, [ann_id], decision, reason, on_done=done,
                     on_error=lambda exc: self.message.setText(dialogs.one_line(exc)))

    def add_comment(self) -> None:
        """Add the typed comment under the current annotation."""
        text = self.comment.text().strip()
        if self.current_id is None or not text:
            return
        self.comment.clear()
        calls.add_comment(self.ops, self.current_id, text)

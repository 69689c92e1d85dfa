"""The audit view: the log in words, filters, Verify with a verdict, CSV and JSON export."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.changes import ChangeSet
from app.services.integrity import VerifyReport
from ui import dialogs
from ui.operations import Operations
from ui.review import calls
from ui.review.audit_model import AuditFilter, AuditLogModel

ANY = "(any)"
OK_STYLE = "background:#e3f4e1;color:#1f5f1a;padding:6px;border-radius:4px"
BROKEN_STYLE = "background:#fbe3e1;color:#8a1c12;padding:6px;border-radius:4px"


def ask_save_path(parent: QWidget | None, title: str, suggested: str) -> str:
    """Ask where to save the exported log; '' when cancelled (tests replace this)."""
    path, _ = QFileDialog.getSaveFileName(parent, title, suggested,
                                          "CSV (*.csv);;JSON (*.json)")
    return path


class AuditView(QDialog):
    """Shows, filters, verifies and exports the audit log."""

    def __init__(self, ops: Operations, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Audit Log")
        self.setObjectName("audit_view")
        self.ops = ops
        self.model = AuditLogModel(self)
        self.proxy = AuditFilter(self)
        self.proxy.setSourceModel(self.model)
        self.report: VerifyReport | None = None
        self._build()
        ops.changed.connect(self._changed)
        self.reload()

    def _build(self) -> None:
        self.user = QComboBox(self)
        self.action = QComboBox(self)
        self.document = QComboBox(self)
        self.since = QLineEdit(self)
        self.until = QLineEdit(self)
        for edit, hint in ((self.since, "from, e.g. 2026-11-30"),
                           (self.until, "until, e.g. 2026-11-30 18:00")):
            edit.setPlaceholderText(hint)
            edit.setClearButtonEnabled(True)
            edit.setMinimumWidth(edit.fontMetrics().horizontalAdvance(hint) + 40)
            edit.textChanged.connect(self._filter)
        for combo in (self.user, self.action, self.document):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            combo.currentIndexChanged.connect(self._filter)
        filters = QHBoxLayout()
        for label, widget in (("User", self.user), ("Action", self.action),
                              ("Document", self.document), ("Time", self.since)):
            filters.addWidget(QLabel(label, self))
            filters.addWidget(widget)
        filters.addWidget(self.until)
        filters.addStretch(1)
        self.table = QTableView(self)
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().lineSpacing() + 8)
        header = self.table.horizontalHeader()
        for column in range(5):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.count = QLabel(self)
        self.verdict = QLabel("Not verified yet: press Verify to check the chain, the originals "
                              "and the data against it.", self)
        self.verdict.setWordWrap(True)
        self.verdict.setMinimumHeight(self.verdict.fontMetrics().lineSpacing() * 2 + 14)
        self.verdict.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.verify_button = QPushButton("&Verify", self)
        self.verify_button.clicked.connect(self.verify)
        self.export_csv = QPushButton("Export &CSV…", self)
        self.export_json = QPushButton("Export &JSON…", self)
        self.export_csv.clicked.connect(lambda: self.export("csv"))
        self.export_json.clicked.connect(lambda: self.export("json"))
        bottom = QHBoxLayout()
        bottom.addWidget(self.count)
        bottom.addStretch(1)
        bottom.addWidget(self.export_csv)
        bottom.addWidget(self.export_json)
        bottom.addWidget(self.verify_button)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.verdict)
        layout.addLayout(bottom)
        self.resize(1150, 640)

    # -- loading ------------------------------------------------------------------------------
    def reload(self) -> None:
        """Read the log again (new events are appended as rows)."""
        calls.load_audit(self.ops, self._loaded)

    def _changed(self, _changes: ChangeSet) -> None:
        self.reload()  # every committed change appended an event

    def _loaded(self, result: tuple[list[Any], dict[str, str]]) -> None:
        entries, titles = result
        self.model.set_entries(entries, titles)
        self.table.scrollToBottom()  # the newest events first meet the eye
        self._fill(self.user, sorted({e.actor for e in entries}))
        self._fill(self.action, sorted({e.action.split(".", 1)[0] for e in entries}
                                       | {e.action for e in entries}))
        docs = {e.document_id for e in entries if e.document_id}
        self._fill(self.document, sorted((titles.get(d, d[:8]), d) for d in docs))
        self._count()

    @staticmethod
    def _fill(combo: QComboBox, items: list[Any]) -> None:
        current = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(ANY, None)
        for item in items:
            label, data = item if isinstance(item, tuple) else (item, item)
            combo.addItem(label, data)
        combo.setCurrentIndex(max(combo.findData(current), 0) if current else 0)
        combo.blockSignals(False)

    def _filter(self) -> None:
        self.proxy.set_filters(user=self.user.currentData(), action=self.action.currentData(),
                               document_id=self.document.currentData(),
                               since=self.since.text().strip(), until=self.until.text().strip())
        self._count()

    def _count(self) -> None:
        self.count.setText(f"{self.proxy.rowCount()} of {self.model.rowCount()} events")

    # -- verify and export --------------------------------------------------------------------
    def verify(self) -> None:
        """Run verify; show the verdict naming the first broken item."""
        self.verify_button.setEnabled(False)
        self.verdict.setText("Verifying…")
        self.verdict.setStyleSheet("")
        calls.verify(self.ops, self._verified)

    def _verified(self, report: VerifyReport) -> None:
        self.report = report
        self.verify_button.setEnabled(True)
        if report.ok:
            self.verdict.setText(
                f"✔ Verified: all {report.events_checked} audit events are chained, "
                f"{report.originals_checked} originals are intact and the data matches the log. "
                f"Head: event {report.head_seq}, {report.head_hash}")
            self.verdict.setStyleSheet(OK_STYLE)
        else:
            more = (f" ({len(report.problems) - 1} more problem(s))"
                    if len(report.problems) > 1 else "")
            self.verdict.setText(f"✘ Verification failed: {report.problems[0]}{more}")
            self.verdict.setStyleSheet(BROKEN_STYLE)

    def export(self, kind: str) -> None:
        """Export the events shown (after filters) as CSV or JSON."""
        path = ask_save_path(self, f"Export the audit log as {kind.upper()}",
                             f"audit-log.{kind}")
        if not path:
            return
        target = Path(path)
        if target.suffix.lower() not in (".csv", ".json"):
            target = target.with_suffix(f".{kind}")
        entries = self.proxy.visible_entries()
        calls.export_audit(self.ops, entries, target, on_done=lambda p: dialogs.inform(
            self, "Audit log exported", f"{len(entries)} events written to {p}"))

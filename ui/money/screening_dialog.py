"""Screening candidates for a person to confirm or dismiss, and screening against a list file.

The list is a local FtM JSON-lines file the user chose; nothing is fetched. Candidates arrive as
``pending``; only the Confirm and Dismiss buttons change that, each an audited decision with the
reason typed beside them.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QAbstractItemView,
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

from app.money import screening
from ui.money.models import ScreeningModel
from ui.operations import Operations

LIST_FILTER = "FollowTheMoney entities (*.json *.jsonl *.ftm.json *.ijson);;All files (*)"


def choose_list_file(parent: QWidget | None) -> str:
    """Let the user pick a downloaded list; '' when cancelled (tests replace this)."""
    path, _ = QFileDialog.getOpenFileName(parent, "Screen Against a Sanctions or PEP List", "",
                                          LIST_FILTER)
    return path


class ScreeningDialog(QDialog):
    """Candidates with score and listing; Confirm / Dismiss with a reason."""

    def __init__(self, ops: Operations, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self.setWindowTitle("Screening Candidates")
        self.model = ScreeningModel(self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().hide()
        self.status = QLabel("", self)
        self.reason = QLineEdit(self)
        self.reason.setPlaceholderText("Reason for the decision (kept in the audit log)")
        self.screen_button = QPushButton("Screen Against List…", self)
        self.confirm_button = QPushButton("Confirm Match", self)
        self.dismiss_button = QPushButton("Dismiss", self)
        self.screen_button.clicked.connect(self.screen_list)
        self.confirm_button.clicked.connect(lambda: self.decide("confirmed"))
        self.dismiss_button.clicked.connect(lambda: self.decide("dismissed"))
        row = QHBoxLayout()
        row.addWidget(self.screen_button)
        row.addStretch(1)
        row.addWidget(self.reason, 2)
        row.addWidget(self.confirm_button)
        row.addWidget(self.dismiss_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        self.resize(980, 420)
        self.refresh()

    def refresh(self) -> None:
        """Read the candidates again."""
        dossier = self.ops.dossier

        def show(rows: list[screening.MatchView]) -> None:
            self.model.set_rows(rows)
            self.table.resizeColumnsToContents()
            pending = sum(1 for r in rows if r.status == "pending")
            self.status.setText(f"{len(rows)} candidate(s), {pending} waiting for a decision. "
                                "Screening only proposes: a person confirms or dismisses each.")

        self.ops.query(lambda _op: screening.list_matches(dossier), label="Screening candidates",
                       key="screening-candidates", on_done=show)

    def screen_list(self, path: str | None = None) -> None:
        """Screen every entity against a local list file the user chooses."""
        chosen = path or choose_list_file(self)
        if not chosen:
            return
        dossier = self.ops.dossier
        self.ops.mutate(lambda _op: screening.screen_dossier(dossier, Path(chosen)),
                        label="Screening entities", on_done=lambda _r: self.refresh())

    def selected(self) -> screening.MatchView | None:
        """The candidate chosen in the table."""
        rows = self.table.selectionModel().selectedRows()
        return self.model.row(rows[0].row()) if rows else None

    def decide(self, decision: str) -> None:
        """Record the person's decision on the selected candidate."""
        match = self.selected()
        if match is None:
            self.status.setText("Choose a candidate first.")
            return
        dossier, reason = self.ops.dossier, self.reason.text().strip()
        self.ops.mutate(lambda _op: screening.decide(dossier, match.id, decision, reason),
                        label=f"{decision.capitalize()} screening match",
                        on_done=lambda _r: self.refresh())

"""What the main window's Money menu does: open the flow window, the claim form, screening,
and the entity merge — each a few calls, so the main window only holds the menu entries."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QInputDialog, QWidget

from app.money.entities import EntityView, list_entities, merge_entities
from app.money.prefill import ClaimPrefill, prefill_claim
from app.services.annotations import get_annotation
from ui.money.claim_dialog import ClaimDialog
from ui.money.flows_window import MoneyFlowsWindow
from ui.money.screening_dialog import ScreeningDialog
from ui.undo import EntitiesMergedCommand

if TYPE_CHECKING:
    from ui.main_window import MainWindow


class MoneyActions:
    """The Money menu's actions on one main window."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.flows: MoneyFlowsWindow | None = None

    def show_flows(self) -> MoneyFlowsWindow:
        """Open (or raise) the money-flow window."""
        if self.flows is None:
            self.flows = MoneyFlowsWindow(self.window.ops, self.window)
            self.flows.passage_requested.connect(self.window.open_passage)
            self.flows.record_button.clicked.connect(self.record_claim)
            self.flows.screen_button.clicked.connect(self.show_screening)
            self.flows.merge_button.clicked.connect(self.merge_entities)
        self.flows.show()
        self.flows.raise_()
        return self.flows

    def record_claim(self) -> ClaimDialog | None:
        """Open the claim form for the current annotation, pre-filled from its passage."""
        ann_id = self.window.tagger.current_id
        if ann_id is None:
            self.window.show_message("Select an annotation first: a claim is recorded on the "
                                     "passage it highlights.")
            return None
        dossier, ops = self.window.dossier, self.window.ops
        found: list[tuple[ClaimPrefill, list[EntityView]]] = []

        def read(_op: object) -> tuple[ClaimPrefill, list[EntityView]]:
            quote = get_annotation(dossier, ann_id).quote
            return prefill_claim(dossier, quote), list_entities(dossier)

        ops.query(read, label="Reading the passage", on_done=found.append)
        if not found:  # the background runner: open when the read arrives
            return None
        return self._open_claim(ann_id, *found[0])

    def _open_claim(self, ann_id: str, prefill: ClaimPrefill,
                    known: list[EntityView]) -> ClaimDialog:
        dialog = ClaimDialog(self.window.ops, ann_id, prefill, known, parent=self._parent())
        dialog.saved.connect(lambda fact: self.window.show_message(
            f"Recorded {fact.kind}: {fact.subject} → {fact.object}"))
        dialog.open()
        return dialog

    def show_screening(self) -> ScreeningDialog:
        """Open the screening candidates."""
        dialog = ScreeningDialog(self.window.ops, self._parent())
        dialog.open()
        return dialog

    def merge_entities(self, keep: str = "", other: str = "") -> None:
        """Merge two entities (asked for by name unless given); undoable and audited."""
        ops = self.window.ops
        if not keep or not other:
            names = [e.name for e in list_entities(ops.dossier)]
            keep, ok = QInputDialog.getItem(self._parent(), "Merge Entities",
                                            "Keep this entity:", names, 0, False)
            if not ok:
                return
            other, ok = QInputDialog.getItem(self._parent(), "Merge Entities",
                                             f"Merge into {keep}:",
                                             [n for n in names if n != keep], 0, False)
            if not ok:
                return
        ops.mutate(lambda _op: merge_entities(ops.dossier, keep, other),
                   label="Merge entities",
                   undo=lambda rec: EntitiesMergedCommand(ops, rec, (keep, other)))

    def _parent(self) -> QWidget:
        return self.flows if self.flows is not None and self.flows.isVisible() else self.window

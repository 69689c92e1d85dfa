"""The claim form: a payment, contract, ownership... backed by the selected passage.

It opens pre-filled from the passage (amount and currency, dates, names of known entities) and
saves nothing until the user presses Save; parties that are not entities yet are created with the
schema chosen beside them. Saving runs as one undoable operation.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.money.amounts import Amount, amount_from_args
from app.money.entities import ENTITY_SCHEMATA, EntityView, create_entity, find_by_name
from app.money.facts import FIELDS, KINDS, FactView, record_fact
from app.money.periods import Period, period_from_args
from app.money.prefill import ClaimPrefill
from ui.dialogs import one_line
from ui.operations import Operations
from ui.undo import FactRecordedCommand

_ROLE_LABELS = {kind: (spec[3].capitalize(), spec[4].capitalize()) for kind, spec in KINDS.items()}
_DEFAULT_SCHEMA = {"payment": ("Company", "PublicBody"), "contract": ("Company", "Organization"),
                   "ownership": ("Person", "Company"), "membership": ("Person", "Organization"),
                   "directorship": ("Person", "Company")}


@dataclass(frozen=True)
class ClaimInput:
    """What the form holds when the user presses Save."""

    kind: str
    annotation_id: str
    subject: str
    subject_schema: str
    object: str
    object_schema: str
    amount: Amount | None
    period: Period | None
    fields: dict[str, str]


def save_claim(ops: Operations, claim: ClaimInput) -> FactView:
    """Create missing parties, then record the claim (runs on the writer thread)."""
    dossier = ops.dossier
    for name, schema in ((claim.subject, claim.subject_schema),
                         (claim.object, claim.object_schema)):
        with dossier.read() as session:
            known = find_by_name(session, name) is not None
        if not known:
            create_entity(dossier, name, schema)
    return record_fact(dossier, claim.kind, [claim.annotation_id], claim.subject, claim.object,
                       amount=claim.amount, period=claim.period, fields=claim.fields)


class PartyField(QWidget):
    """An entity name (editable, suggesting known entities) and the schema for a new one."""

    def __init__(self, names: list[str], schema: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name = QComboBox(self)
        self.name.setEditable(True)
        self.name.addItems(names)
        self.name.setCurrentText("")
        self.name.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.name.setMinimumWidth(280)
        self.schema = QComboBox(self)
        self.schema.addItems(list(ENTITY_SCHEMATA))
        self.schema.setCurrentText(schema)
        self.schema.setToolTip("FollowTheMoney schema, used when the name is a new entity")
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.name, 1)
        row.addWidget(self.schema)


class ClaimDialog(QDialog):
    """Record a structured claim on one annotation. Signal: ``saved(FactView)``."""

    saved = Signal(object)

    def __init__(self, ops: Operations, annotation_id: str, prefill: ClaimPrefill,
                 known: list[EntityView], kind: str = "payment",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self.annotation_id = annotation_id
        self.setWindowTitle("Record Claim")
        self.kind = QComboBox(self)
        self.kind.addItems(list(KINDS))
        self.kind.setCurrentText(kind)
        suggested = [e.name for e in prefill.entities]
        names = suggested + sorted({e.name for e in known} - set(suggested))
        subj_schema, obj_schema = _DEFAULT_SCHEMA[kind]
        self.subject = PartyField(names, subj_schema, self)
        self.object = PartyField(names, obj_schema, self)
        if len(suggested) >= 1:
            self.subject.name.setCurrentText(suggested[0])
        if len(suggested) >= 2:
            self.object.name.setCurrentText(suggested[1])
        amount = prefill.amount
        self.amount_text = QLineEdit(amount.text if amount else "", self)
        self.amount_text.setPlaceholderText("as stated, e.g. billions of dollars a year")
        self.amount_value = QLineEdit(_number(amount.value) if amount else "", self)
        self.amount_value.setPlaceholderText("exact number, if stated")
        self.currency = QLineEdit(amount.currency if amount else "", self)
        self.currency.setPlaceholderText("ISO 4217, e.g. USD")
        self.currency.setMaxLength(3)
        period = prefill.periods[0] if prefill.periods else None
        self.date = QLineEdit(period.text if period else "", self)
        self.date.setPlaceholderText("2019, 2019-05, 3 May 2019, mid-2010s, 2016-2018…")
        self.fields: dict[str, QLineEdit] = {}
        self.form = QFormLayout()
        self.quote = QLabel(f"\u201c{prefill.passage}\u201d", self)
        self.quote.setWordWrap(True)
        self.quote.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        named = ", ".join(suggested) if suggested else "none yet — choose one or type a new name"
        self.hint = QLabel(f"Known entities named in the passage: {named}. "
                           "Nothing is saved until you press Save.", self)
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color: #555555")
        self.error = QLabel("", self)
        self.error.setStyleSheet("color: #b00020")
        self.error.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.quote)
        layout.addWidget(self.hint)
        layout.addLayout(self.form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.kind.currentTextChanged.connect(self._rebuild)
        self._rebuild(kind)
        self.resize(640, self.sizeHint().height())

    def _rebuild(self, kind: str) -> None:
        while self.form.rowCount():
            self.form.takeRow(0)
        subj, obj = _ROLE_LABELS[kind]
        self.form.addRow("Claim", self.kind)
        self.form.addRow(subj, self.subject)
        self.form.addRow(obj, self.object)
        with_amount = kind in ("payment", "contract")
        for widget in (self.amount_text, self.amount_value, self.currency):
            widget.setVisible(with_amount)
        if with_amount:
            self.form.addRow("Amount as stated", self.amount_text)
            self.form.addRow("Exact amount", self.amount_value)
            self.form.addRow("Currency", self.currency)
        self.form.addRow("Date or period", self.date)
        for edit in self.fields.values():
            edit.hide()
        for name in FIELDS[kind]:
            edit = self.fields.setdefault(name, QLineEdit(self))
            edit.show()
            self.form.addRow(name.capitalize(), edit)

    def claim(self) -> ClaimInput:
        """The form as a claim; BadInput says what is wrong."""
        from app.errors import BadInput

        kind = self.kind.currentText()
        subject, obj = self.subject.name.currentText().strip(), \
            self.object.name.currentText().strip()
        if not subject or not obj:
            raise BadInput("name both parties of the claim")
        amount = None
        if kind in ("payment", "contract"):
            amount = amount_from_args(self.amount_text.text().strip() or None,
                                      self.amount_value.text().strip() or None,
                                      self.currency.text().strip() or None)
        period = period_from_args(self.date.text().strip() or None, None, None)
        fields = {n: self.fields[n].text() for n in FIELDS[kind]}
        return ClaimInput(kind, self.annotation_id, subject, self.subject.schema.currentText(),
                          obj, self.object.schema.currentText(), amount, period, fields)

    def save(self) -> None:
        """Check the form, then record the claim as one undoable operation."""
        from app.errors import DossierError

        try:
            claim = self.claim()
        except DossierError as exc:
            self.error.setText(one_line(exc))
            return
        self.buttons.setEnabled(False)

        def failed(exc: BaseException) -> None:
            self.buttons.setEnabled(True)
            self.error.setText(one_line(exc))

        def done(fact: FactView) -> None:
            self.saved.emit(fact)
            self.accept()

        self.ops.mutate(lambda _op: save_claim(self.ops, claim), label="Record claim",
                        on_done=done, on_error=failed,
                        undo=lambda fact: FactRecordedCommand(self.ops, fact), progress=False)


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if value.is_integer() else str(value)

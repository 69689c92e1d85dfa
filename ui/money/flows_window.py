"""The money-flow window: filters, the graph and the timeline, and the passages behind a choice.

Clicking an arrow lists the passages of that flow's claims, clicking an entity those of every
claim it takes part in; activating a passage opens it in the reader. Every read runs as a query
of the operations layer; the window redraws when claims, entities or screening decisions change.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.changes import ChangeSet
from app.errors import DossierError
from app.money.facts import FactView
from app.money.flows import Flow, FlowFilter, flow_facts
from app.money.periods import parse_period
from app.money.picture import FlowPicture, flow_picture
from app.services.annotations import STATUSES
from ui.dialogs import one_line
from ui.models.roles import ANNOTATION_ID, DOCUMENT_ID
from ui.money.flow_graph import FlowGraphView
from ui.money.models import PassagesModel, TimelineModel
from ui.money.timeline_view import TimelineView
from ui.operations import Operations

_WATCHED = ("fact", "entity", "screening")


def _table(parent: QWidget) -> QTableView:
    table = QTableView(parent)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.horizontalHeader().setStretchLastSection(True)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    table.verticalHeader().hide()
    table.setWordWrap(False)
    return table


class MoneyFlowsWindow(QWidget):
    """Graph and timeline of the claims. Signal: ``passage_requested(document_id, ann_id)``."""

    passage_requested = Signal(str, str)

    def __init__(self, ops: Operations, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.ops = ops
        self.setWindowTitle("Money Flows — Dossier")
        self.picture: FlowPicture | None = None
        self.date_from = QLineEdit(self)
        self.date_to = QLineEdit(self)
        for edit, hint in ((self.date_from, "from, e.g. 2015"), (self.date_to, "to, e.g. 2020")):
            edit.setPlaceholderText(hint)
            edit.setFixedWidth(120)
            edit.editingFinished.connect(self.refresh)
        self.tag = QComboBox(self)
        self.status = QComboBox(self)
        self.status.addItem("any review status", "")
        for s in STATUSES:
            self.status.addItem(s.replace("_", " "), s)
        self.entity = QComboBox(self)
        for combo in (self.tag, self.entity):
            combo.setMinimumContentsLength(22)
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        for combo in (self.tag, self.status, self.entity):
            combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.message = QLabel("", self)
        self.message.setWordWrap(True)
        self.graph = FlowGraphView(self)
        self.timeline_model = TimelineModel(self)
        self.timeline = _table(self)
        self.timeline.setModel(self.timeline_model)
        self.timeline_view = TimelineView(self)
        timeline = QSplitter(Qt.Orientation.Vertical, self)
        timeline.addWidget(self.timeline_view)
        timeline.addWidget(self.timeline)
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self.graph, "Graph")
        self.tabs.addTab(timeline, "Timeline")
        self.passages_title = QLabel("Click an arrow or an entity to list its passages.", self)
        self.passages_model = PassagesModel(self)
        self.passages = _table(self)
        self.passages.setModel(self.passages_model)
        header = self.passages.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.record_button = QPushButton("Record Claim from Selection…", self)
        self.screen_button = QPushButton("Screening…", self)
        self.merge_button = QPushButton("Merge Entities…", self)
        self._layout_widgets()
        self.graph.flow_clicked.connect(self.show_flow)
        self.graph.entity_clicked.connect(self.show_entity)
        self.passages.activated.connect(self._open_passage)
        self.timeline.activated.connect(self._open_passage)
        self.timeline_view.fact_clicked.connect(self.show_fact)
        ops.changed.connect(self._changed)
        self.resize(1280, 820)
        self._fill_filters()

    def _layout_widgets(self) -> None:
        filters = QHBoxLayout()
        for label, widget in (("Dates", self.date_from), ("–", self.date_to), ("Tag", self.tag),
                              ("Review", self.status), ("Entity", self.entity)):
            filters.addWidget(QLabel(label, self))
            filters.addWidget(widget)
        filters.addStretch(1)
        for button in (self.record_button, self.merge_button, self.screen_button):
            filters.addWidget(button)
        lower = QWidget(self)
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addWidget(self.passages_title)
        lower_layout.addWidget(self.passages)
        split = QSplitter(Qt.Orientation.Vertical, self)
        split.addWidget(self.tabs)
        split.addWidget(lower)
        split.setSizes([560, 220])
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.message)
        layout.addWidget(split, 1)

    def _fill_filters(self) -> None:
        from app.money.entities import list_entities
        from app.services.codebook import list_tags

        dossier = self.ops.dossier

        def read(_op: object) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
            with dossier.read() as session:
                tags = [(t.path, t.id) for t in list_tags(session)]
            return tags, [(e.name, e.id) for e in list_entities(dossier)]

        def fill(found: tuple[list[tuple[str, str]], list[tuple[str, str]]]) -> None:
            tags, entities = found
            for combo, first, items in ((self.tag, "any tag", tags),
                                        (self.entity, "every entity", entities)):
                current = combo.currentData()
                combo.blockSignals(True)
                combo.clear()
                combo.addItem(first, "")
                for label, value in items:
                    combo.addItem(label, value)
                combo.setCurrentIndex(max(0, combo.findData(current)))
                combo.blockSignals(False)
            self.refresh()

        self.ops.query(read, label="Reading filters", key="money-filters", on_done=fill)

    def current_filter(self) -> FlowFilter:
        """The filter the controls describe; BadInput when a date cannot be read."""
        start = parse_period(self.date_from.text()).start if self.date_from.text().strip() \
            else ""
        end = parse_period(self.date_to.text()).end if self.date_to.text().strip() else ""
        tag, status, entity = (self.tag.currentData(), self.status.currentData(),
                               self.entity.currentData())
        return FlowFilter(date_from=start, date_to=end, tag_ids=(tag,) if tag else (),
                          statuses=(status,) if status else (), entity_id=entity or "")

    def refresh(self) -> None:
        """Read and draw the flows passing the filter."""
        try:
            flt = self.current_filter()
        except DossierError as exc:
            self.message.setText(one_line(exc))
            return
        dossier = self.ops.dossier
        self.ops.query(lambda _op: flow_picture(dossier, flt), label="Reading money flows",
                       key="money-flows", on_done=self._show)

    def _show(self, picture: FlowPicture) -> None:
        self.picture = picture
        self.graph.show_graph(picture.layout, picture.schemata, picture.listed)
        self.graph.fit()
        self.timeline_model.set_rows(picture.timeline)
        self.timeline_view.show_facts(picture.timeline)
        self.timeline.resizeColumnsToContents()
        shown = len(picture.flows)
        more = f" (the {shown} largest of {picture.total_flows})" \
            if picture.total_flows > shown else ""
        self.message.setText(f"{shown} flow(s){more} between {len(picture.layout.positions)} "
                             "entities. Amounts are totalled per pair and currency, never "
                             "across currencies; arrow width compares flows of one currency.")

    def show_flow(self, flow: Flow) -> None:
        """List the passages behind one arrow."""
        dossier = self.ops.dossier
        self.passages_title.setText(f"Passages for {flow.subject} → {flow.object}: "
                                    f"{flow.label()} ({flow.sources} independent source(s))")
        self.ops.query(lambda _op: flow_facts(dossier, flow), label="Reading passages",
                       key="money-passages", on_done=self._list_passages)

    def show_fact(self, fact: FactView) -> None:
        """List the passages of one claim (a bar of the timeline)."""
        self.passages_title.setText(f"Passages for the {fact.kind} {fact.subject} → "
                                    f"{fact.object} ({fact.date_text or 'undated'})")
        self._list_passages([fact])

    def show_entity(self, entity_id: str) -> None:
        """List the passages of every claim an entity takes part in."""
        if self.picture is None:
            return
        facts = [f for f in self.picture.timeline if entity_id in (f.subject_id, f.object_id)]
        name = self.picture.layout.graph.nodes[entity_id].get("name", "")
        listed = self.picture.listed.get(entity_id)
        self.passages_title.setText(f"Passages naming {name} in a claim"
                                    + (f" — confirmed screening match: {listed}" if listed
                                       else ""))
        self._list_passages(facts)

    def _list_passages(self, facts: list) -> None:
        self.passages_model.set_rows([(f, s) for f in facts for s in f.sources])
        for column in (0, 2):
            self.passages.resizeColumnToContents(column)
            self.passages.setColumnWidth(column, min(self.passages.columnWidth(column), 420))

    def _open_passage(self, index: QModelIndex) -> None:
        doc, ann = index.data(DOCUMENT_ID), index.data(ANNOTATION_ID)
        if doc and ann:
            self.passage_requested.emit(doc, ann)

    def _changed(self, changes: ChangeSet) -> None:
        if any(changes.kind(k) for k in _WATCHED) or changes.annotations.deleted:
            self._fill_filters()

"""The annotation list dock: a filterable, sortable table of the open document's annotations."""

from __future__ import annotations

from PySide6.QtCore import (
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (
    QComboBox,
    QDockWidget,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui.chips import chips_size, paint_chips, swatch_icon
from ui.models import roles
from ui.models.annotations import (
    AUTHOR,
    COLUMNS,
    GRADE,
    NOTE,
    PAGE,
    QUOTE,
    STATUS,
    STATUS_LABELS,
    TAGS,
    AnnotationFilter,
    AnnotationListModel,
)
from ui.models.codebook import CodebookModel

Index = QModelIndex | QPersistentModelIndex


class ChipDelegate(QStyledItemDelegate):
    """Paints a cell's ``CHIPS`` role as coloured rounded chips."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        """Draw the cell background (selection), then the chips."""
        chips = index.data(roles.CHIPS) or []
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        style = opt.widget.style() if opt.widget else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        painter.save()
        painter.setFont(opt.font)
        paint_chips(painter, opt.rect.adjusted(2, 1, -2, -1), chips)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:  # noqa: N802
        """Room for every chip on one line."""
        return chips_size(option.fontMetrics, index.data(roles.CHIPS) or [])


class AnnotationListDock(QDockWidget):
    """Filter bar (text, tag, status) over a table of annotations.

    Signals: ``annotation_selected(str id)`` when the investigator picks an entry.
    """

    annotation_selected = Signal(str)

    def __init__(self, model: AnnotationListModel, codebook: CodebookModel,
                 parent: QWidget | None = None) -> None:
        super().__init__("Annotations", parent)
        self.setObjectName("annotations_dock")
        self.model = model
        self.codebook = codebook
        self.proxy = AnnotationFilter(self)
        self.proxy.setSourceModel(model)
        body = QWidget(self)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        bar = QHBoxLayout()
        self.text_filter = QLineEdit(body)
        self.text_filter.setPlaceholderText("Filter by text, note, tag or author")
        self.text_filter.setClearButtonEnabled(True)
        self.tag_filter = QComboBox(body)
        self.tag_filter.setMinimumContentsLength(18)
        self.tag_filter.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.status_filter = QComboBox(body)
        self.status_filter.addItem("All statuses", None)
        for status, label in STATUS_LABELS.items():
            self.status_filter.addItem(label, status)
        bar.addWidget(self.text_filter, 2)
        bar.addWidget(self.tag_filter, 1)
        bar.addWidget(self.status_filter)
        layout.addLayout(bar)
        self.table = self._make_table(body)
        layout.addWidget(self.table, 1)
        self.setWidget(body)
        self.text_filter.textChanged.connect(self.proxy.set_text_filter)
        self.tag_filter.currentIndexChanged.connect(self._tag_filter_changed)
        self.status_filter.currentIndexChanged.connect(
            lambda _i: self.proxy.set_status_filter(self.status_filter.currentData()))
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)
        # Choosing the row that is already current shows its passage again (no row change).
        self.table.clicked.connect(self._chosen_again)
        self.table.activated.connect(self._chosen_again)
        codebook.modelReset.connect(self.fill_tag_filter)
        codebook.rowsInserted.connect(self.fill_tag_filter)
        codebook.rowsRemoved.connect(self.fill_tag_filter)
        codebook.dataChanged.connect(self._tag_data_changed)
        self._tag_paths: list[tuple[str, str]] = []
        self._quiet = False
        self.fill_tag_filter()

    def _make_table(self, parent: QWidget) -> QTableView:
        table = QTableView(parent)
        table.setModel(self.proxy)
        table.setSortingEnabled(True)
        table.sortByColumn(QUOTE, Qt.SortOrder.AscendingOrder)
        table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        table.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        table.setWordWrap(False)
        table.setTextElideMode(Qt.TextElideMode.ElideRight)
        table.verticalHeader().hide()
        table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 10)
        table.setItemDelegateForColumn(TAGS, ChipDelegate(table))
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QUOTE, QHeaderView.ResizeMode.Stretch)
        widths = {TAGS: 220, NOTE: 200, GRADE: 52, PAGE: 48, AUTHOR: 80, STATUS: 128}
        for column, width in widths.items():
            table.setColumnWidth(column, width)
        assert len(COLUMNS) == len(widths) + 1
        return table

    # -- filters -------------------------------------------------------------------------------
    def fill_tag_filter(self, *_args: object) -> None:
        """List "All tags" and the codebook (indented) in the tag filter, keeping the choice."""
        chosen = self.tag_filter.currentData()
        shown = [(t.path, t.colour) for t in self.codebook.tags()]
        if shown == self._tag_paths and self.tag_filter.count():
            return
        self._tag_paths = shown
        self.tag_filter.blockSignals(True)
        self.tag_filter.clear()
        self.tag_filter.addItem("All tags", None)
        for tag in self.codebook.tags():
            self.tag_filter.addItem(swatch_icon(tag.colour), "    " * tag.depth + tag.name, tag.id)
        found = self.tag_filter.findData(chosen) if chosen else 0
        self.tag_filter.setCurrentIndex(max(found, 0))
        self.tag_filter.blockSignals(False)
        self._tag_filter_changed()

    def _tag_data_changed(self, *_args: object) -> None:
        self.fill_tag_filter()
        self.table.viewport().update()

    def _tag_filter_changed(self, *_args: object) -> None:
        tag_id = self.tag_filter.currentData()
        self.proxy.set_tag_filter(self.codebook.descendants(tag_id) if tag_id else None)

    def set_tag_filter(self, tag_id: str | None) -> None:
        """Show only annotations carrying ``tag_id`` or a tag beneath it (None: all)."""
        self.tag_filter.setCurrentIndex(max(self.tag_filter.findData(tag_id), 0) if tag_id else 0)

    # -- selection -----------------------------------------------------------------------------
    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._quiet or not current.isValid():
            return
        self.annotation_selected.emit(current.data(roles.ANNOTATION_ID))

    def _chosen_again(self, index: QModelIndex) -> None:
        if index.isValid() and index.row() == self.table.currentIndex().row():
            self.annotation_selected.emit(index.data(roles.ANNOTATION_ID))

    def select_annotation(self, annotation_id: str | None) -> None:
        """Select an entry (or none) without emitting ``annotation_selected``."""
        self._quiet = True
        try:
            row = self.model.row_of(annotation_id) if annotation_id else -1
            index = self.proxy.mapFromSource(self.model.index(row, 0)) if row >= 0 else None
            selection = self.table.selectionModel()
            if index is None or not index.isValid():
                selection.clear()
                return
            selection.setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect
                                      | QItemSelectionModel.SelectionFlag.Rows)
            self.table.scrollTo(index)
        finally:
            self._quiet = False

    def selected_annotation(self) -> str | None:
        """The id of the selected entry, if any."""
        index = self.table.selectionModel().currentIndex()
        if not index.isValid() or not self.table.selectionModel().isSelected(index):
            return None
        return str(index.data(roles.ANNOTATION_ID))

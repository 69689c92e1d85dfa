"""Tagging passages: tag keys, the tag popup with type-to-filter, and the tagging context menu.

With text selected in the document view, a tag's key (its shortcut in the codebook) creates an
annotation with that tag at once. With no selection but a current annotation, the key toggles
the tag on that annotation, so pressing 2 then 7 after a selection gives one annotation with two
tags. The popup (Ctrl+T, or the context menu) lists every codable tag; type to filter, arrows to
move, Tab to tick several, Enter to apply, Esc to cancel.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPoint, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QFrame, QLabel, QLineEdit, QListView, QMenu, QVBoxLayout, QWidget

from app.regions import Region
from app.services.codebook import TagInfo
from ui.chips import swatch_icon
from ui.models.codebook import CodebookModel
from ui.models.tag_choices import TagChoiceFilter, TagChoiceModel
from ui.undo import AnnotationUndo
from ui.views.base import DocumentView

#: Opens the tag popup for the selection or the current annotation (codebook keys are single
#: keys, so a modifier keeps it clear of them).
POPUP_KEY = "Ctrl+T"


class TagPopup(QFrame):
    """A small keyboard-driven list of tags with a filter line.

    Signals: ``chosen(list)`` with the ticked tag ids (or the current one when none is ticked).
    """

    chosen = Signal(list)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Popup)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.model = TagChoiceModel(parent=self)
        self.proxy = TagChoiceFilter(self)
        self.proxy.setSourceModel(self.model)
        self.filter = QLineEdit(self)
        self.filter.setPlaceholderText("Type to filter tags")
        self.list = QListView(self)
        self.list.setModel(self.proxy)
        self.list.setUniformItemSizes(True)
        self.list.setMinimumWidth(360)
        self.list.setMinimumHeight(280)
        self.list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        hint = QLabel("↑↓ move · Tab tick · Enter apply · Esc cancel", self)
        hint.setStyleSheet("color: palette(mid); font-size: 11px;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.filter)
        layout.addWidget(self.list)
        layout.addWidget(hint)
        self.filter.textChanged.connect(self._filter)
        self.filter.installEventFilter(self)
        self.list.doubleClicked.connect(self._apply_row)

    def open_at(self, pos: QPoint, tags: Sequence[TagInfo], checked: Sequence[str] = ()) -> None:
        """Show the codebook's codable ``tags`` at global ``pos`` with ``checked`` ticked."""
        self.model.set_tags(tags, checked)
        self.filter.clear()
        self._select_row(0)
        self.list.setMinimumWidth(self.needed_width())
        self.adjustSize()
        self.move(pos)
        self.show()
        self.filter.setFocus()

    def needed_width(self) -> int:
        """Width showing every row whole (tick box, colour, name) beside the scroll bar."""
        self.proxy.set_text("")
        rows = self.list.sizeHintForColumn(0)  # the widest row among all tags
        bar = self.list.verticalScrollBar().sizeHint().width()
        return max(360, rows + bar + 2 * self.list.frameWidth() + 8)

    def _filter(self, text: str) -> None:
        self.proxy.set_text(text)
        self._select_row(0)

    def _select_row(self, row: int) -> None:
        if self.proxy.rowCount() == 0:
            return
        row = max(0, min(row, self.proxy.rowCount() - 1))
        self.list.setCurrentIndex(self.proxy.index(row, 0))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        """Arrows, Tab, Enter and Esc typed in the filter line drive the list."""
        if watched is self.filter and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            key = event.key()
            current = self.list.currentIndex().row()
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up):
                self._select_row(current + (1 if key == Qt.Key.Key_Down else -1))
                return True
            if key in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab) or (
                    key == Qt.Key.Key_Space
                    and event.modifiers() & Qt.KeyboardModifier.ControlModifier):
                if current >= 0:
                    self.model.toggle(self.proxy.mapToSource(self.list.currentIndex()).row())
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self._apply_row(self.list.currentIndex())
                return True
            if key == Qt.Key.Key_Escape:
                self.close()
                return True
        return super().eventFilter(watched, event)

    def _apply_row(self, index: QModelIndex) -> None:
        ids = self.model.chosen()
        if not ids and index.isValid():
            ids = [self.model.tag(self.proxy.mapToSource(index).row()).id]
        self.close()
        if ids:
            self.chosen.emit(ids)


class Tagger(QObject):
    """Turns tag keys, popup choices and menu picks into annotation actions on the open document.

    Signals: ``failed(str message)``, ``hint(str message)`` (what to do first),
    ``current_changed(str id)`` ("" when no annotation is current).
    """

    failed = Signal(str)
    hint = Signal(str)
    current_changed = Signal(str)

    def __init__(self, undo: AnnotationUndo, codebook: CodebookModel, host: QWidget) -> None:
        super().__init__(host)
        self.undo = undo
        self.codebook = codebook
        self.host = host
        self.view: DocumentView | None = None
        self.current_id: str | None = None
        self.popup = TagPopup(host)
        self.popup.chosen.connect(self.apply_tags)
        self._shortcuts: list[QShortcut] = []
        self.install_shortcuts()

    # -- wiring --------------------------------------------------------------------------------
    def set_view(self, view: DocumentView | None) -> None:
        """Tag passages of this view's document from now on."""
        self.view = view
        self.set_current(None)

    def set_current(self, annotation_id: str | None) -> None:
        """Make an annotation the current one (what tag keys toggle when nothing is selected)."""
        if annotation_id != self.current_id:
            self.current_id = annotation_id
            self.current_changed.emit(annotation_id or "")

    def install_shortcuts(self) -> None:
        """(Re)bind every tag's key anywhere in the host's window.

        Text fields take printable keys before shortcuts do (Qt's ShortcutOverride), so typing a
        note or a filter never tags anything.
        """
        for shortcut in self._shortcuts:
            shortcut.setEnabled(False)
            shortcut.deleteLater()
        self._shortcuts = []
        for tag in self.codebook.tags():
            if tag.is_codable and tag.shortcut:
                self._bind(tag.shortcut, lambda tag_id=tag.id: self.apply_tag(tag_id))

    def _bind(self, key: str, slot: object) -> None:
        shortcut = QShortcut(QKeySequence(key), self.host)
        shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
        shortcut.setAutoRepeat(False)
        shortcut.activated.connect(slot)
        self._shortcuts.append(shortcut)

    # -- actions -------------------------------------------------------------------------------
    def selection(self) -> tuple[int, int] | None:
        """The non-empty selected range of the view, if any."""
        if self.view is None or self.view.document is None:
            return None
        selected = self.view.selected_range()
        if selected is None or selected[0] < 0 or selected[1] <= selected[0]:
            return None
        return selected

    def region(self) -> Region | None:
        """The rectangle drawn on a page view and not yet tagged, if any."""
        selected = getattr(self.view, "selected_region", None)
        return selected() if selected is not None else None

    def apply_tag(self, tag_id: str) -> str | None:
        """A tag key: annotate the selection with the tag, or toggle it on the current one."""
        return self.apply_tags([tag_id], toggle=True)

    def apply_tags(self, tag_ids: list[str], toggle: bool = False) -> str | None:
        """Annotate the selection with ``tag_ids``; without a selection, give the current
        annotation exactly these tags (or, with ``toggle``, toggle the one tag).

        The change runs as a mutation; the new annotation becomes current when it is stored.
        Returns the id of the annotation changed ("" for one being created), None when there
        was nothing to tag."""
        def failed(exc: BaseException) -> None:
            self.failed.emit(str(exc))

        region = self.region()
        if region is not None and self.view is not None and self.view.document:
            start, end = self.view.region_text_range(region)  # type: ignore[attr-defined]
            self.undo.create(self.view.document.id, start, end, tag_ids, region=region,
                             on_done=lambda view: self.set_current(view.id), on_error=failed)
            self.view.clear_selection()
            return ""
        selected = self.selection()
        if selected is not None and self.view is not None and self.view.document:
            self.undo.create(self.view.document.id, *selected, tag_ids,
                             on_done=lambda view: self.set_current(view.id), on_error=failed)
            self.view.clear_selection()
            return ""
        if self.current_id is None:
            self.hint.emit("Select a passage first, then press a tag's key")
            return None
        if toggle:
            self.undo.toggle_tag(self.current_id, tag_ids[0], on_error=failed)
        else:
            shown = next((a for a in self.view.annotations() if a.id == self.current_id),
                         None) if self.view is not None else None
            self.undo.set_tags(self.current_id, tag_ids, on_error=failed,
                               based_on=shown.version if shown is not None else None)
        return self.current_id

    def open_popup(self, pos: QPoint | None = None, checked: list[str] | None = None) -> None:
        """Show the tag popup at ``pos`` (default: over the middle of the window)."""
        if checked is None:
            checked = self._current_tags() if self.selection() is None \
                and self.region() is None else []
        if pos is None:
            centre = self.host.rect().center()
            pos = self.host.mapToGlobal(centre - QPoint(180, 150))
        self.popup.open_at(pos, self.codebook.tags(), checked)

    def _current_tags(self) -> list[str]:
        if self.current_id is None or self.view is None:
            return []
        current = next((a for a in self.view.annotations() if a.id == self.current_id), None)
        return [t.id for t in current.tags] if current else []

    def build_menu(self, menu: QMenu, pos: QPoint | None = None) -> None:
        """Add "Tag as" (codebook categories with their codes, keys and colours) and
        "Choose tags…" (opening the popup at ``pos``) to a context menu."""
        drawn = self.selection() is not None or self.region() is not None
        current = set(self._current_tags()) if not drawn else set()
        enabled = drawn or self.current_id is not None
        tag_menu = menu.addMenu("Tag as")
        tag_menu.setEnabled(enabled)
        submenus: dict[str, QMenu] = {}
        for tag in self.codebook.tags():
            if not tag.is_codable:
                submenus[tag.id] = tag_menu.addMenu(swatch_icon(tag.colour), tag.name)
                continue
            parent = submenus.get(tag.parent_id or "", tag_menu)
            label = f"{tag.name}\t{tag.shortcut}" if tag.shortcut else tag.name
            action = parent.addAction(swatch_icon(tag.colour), label)
            action.setCheckable(True)
            action.setChecked(tag.id in current)
            action.triggered.connect(lambda _=False, tag_id=tag.id: self.apply_tag(tag_id))
        choose = menu.addAction(f"Choose Tags…\t{POPUP_KEY}")
        choose.setEnabled(enabled)
        choose.triggered.connect(lambda _checked=False: self.open_popup(pos))

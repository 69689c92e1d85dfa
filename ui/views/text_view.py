"""The text view: an article, a plain text or a PDF's extracted text, reflowed for reading.

Qt counts UTF-16 units and Dossier counts code points; every position crossing between the
widget and the rest of the application goes through :class:`ui.offsets.Utf16Map`.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, QTimer
from PySide6.QtGui import QColor, QHelpEvent, QMouseEvent, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QWidget

from app.services.annotations import AnnotationView
from ui.offsets import Utf16Map
from ui.views.base import (
    CURRENT_STRENGTH,
    FIND_COLOUR,
    FIND_CURRENT_COLOUR,
    FLASH_MS,
    HIGHLIGHT_STRENGTH,
    DocumentView,
    assign_lanes,
    highlight_overlay,
    readable_strength,
    show_annotation_tooltip,
    tag_colour,
    trim_whitespace,
)
from ui.views.text_editor import LAYERS, Decoration, ReaderTextEdit

#: Structure kinds the text view styles.
STYLED_STRUCTURE = ("heading", "quote")
#: Zoom steps of Ctrl+wheel and Ctrl+plus/minus.
ZOOM_STEP = 1.1


class TextView(DocumentView):
    """A document's canonical text with highlights as background colour.

    Signals: those of :class:`DocumentView`.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.editor = ReaderTextEdit(self)
        self._set_content(self.editor)
        self.setFocusProxy(self.editor)
        self._map = Utf16Map("")
        self._selection: tuple[int, int] | None = None
        self._current_id: str | None = None
        self._formats: dict[tuple[str, int, bool], QTextCharFormat] = {}
        self._flash_timer = QTimer(self)
        self._flash_timer.setSingleShot(True)
        self._flash_timer.timeout.connect(lambda: self.editor.set_layer("flash", []))
        self.editor.selectionChanged.connect(self._on_selection_changed)
        self.editor.customContextMenuRequested.connect(
            lambda pos: self.context_menu_requested.emit(self.editor.viewport().mapToGlobal(pos))
        )
        self.editor.zoom_requested.connect(
            lambda steps: self.set_zoom(self.zoom() * ZOOM_STEP**steps))
        self.editor.viewport().installEventFilter(self)

    # -- loading -----------------------------------------------------------------------------
    def _load_content(self) -> None:
        self._map = Utf16Map(self.text)
        self._selection = None
        self._current_id = None
        self.editor.setPlainText(self.text)
        structure = self.document.structure if self.document else []
        self.editor.set_structure([
            (*self._map.to_utf16_range(int(start), int(end)), kind)
            for kind, start, end in structure if kind in STYLED_STRUCTURE
        ])
        for name in LAYERS:
            self.editor.set_layer(name, [], refresh=False)
        self.editor.refresh_decorations()

    # -- conversions -------------------------------------------------------------------------
    def utf16_range(self, start: int, end: int) -> tuple[int, int]:
        """Qt positions of the code-point range ``[start, end)``."""
        return self._map.to_utf16_range(start, end)

    def codepoint_range(self, start: int, end: int) -> tuple[int, int]:
        """Code-point range of the Qt positions ``[start, end)``."""
        return self._map.to_codepoint_range(start, end)

    def _decoration(self, start: int, end: int, fmt: QTextCharFormat) -> Decoration:
        return Decoration(*self.utf16_range(start, end), fmt)

    # -- highlights --------------------------------------------------------------------------
    def _highlight_format(self, colour: QColor, lane: int, current: bool) -> QTextCharFormat:
        key = (colour.name(), lane, current)
        fmt = self._formats.get(key)
        if fmt is None:
            fmt = QTextCharFormat()
            base = readable_strength(colour, HIGHLIGHT_STRENGTH)
            if current:
                # Laid over the annotation's own highlight: together they make the current
                # strength (kept readable), not a dark block.
                total = max(base, readable_strength(colour, CURRENT_STRENGTH, 160))
                fmt.setBackground(highlight_overlay(colour, 1 - (1 - total) / (1 - base)))
            else:
                fmt.setBackground(highlight_overlay(colour, base))
            if lane or current:
                # Overlapping highlights: the second and later ones also underline their text.
                fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.SingleUnderline)
                fmt.setUnderlineColor(colour.darker(130))
            self._formats[key] = fmt
        return fmt

    def _annotations_changed(self) -> None:
        lanes = assign_lanes(self._annotations.values())
        self.editor.set_layer("highlights", [
            self._decoration(a.start, a.end, self._highlight_format(tag_colour(a), lanes[a.id],
                                                                    False))
            for a in self._annotations.values()
        ], refresh=False)
        self._show_current()

    def _show_current(self) -> None:
        ann = self._annotations.get(self._current_id or "")
        decorations = []
        if ann is not None:
            decorations.append(self._decoration(
                ann.start, ann.end, self._highlight_format(tag_colour(ann), 0, True)))
        self.editor.set_layer("current", decorations)

    def select_annotation(self, annotation_id: str | None) -> None:
        """Mark one highlight as the current one (None: no current highlight) and reveal it."""
        self._current_id = annotation_id
        self._show_current()
        ann = self._annotations.get(annotation_id or "")
        if ann is not None:
            self.reveal(ann.start, ann.end, flash=False)

    # -- selection ---------------------------------------------------------------------------
    def selected_range(self) -> tuple[int, int] | None:
        """The selected code points, without surrounding whitespace; None when nothing is."""
        cursor = self.editor.textCursor()
        if not cursor.hasSelection():
            return None
        start, end = self.codepoint_range(cursor.selectionStart(), cursor.selectionEnd())
        start, end = trim_whitespace(self.text, start, end)
        return (start, end) if start < end else None

    def select_range(self, start: int, end: int) -> None:
        """Select ``[start, end)`` (less surrounding whitespace) as a drag over it would."""
        start, end = trim_whitespace(self.text, start, end)
        cursor = QTextCursor(self.editor.document())
        u_start, u_end = self.utf16_range(start, end)
        cursor.setPosition(u_start)
        cursor.setPosition(u_end, QTextCursor.MoveMode.KeepAnchor)
        self.editor.setTextCursor(cursor)

    def clear_selection(self) -> None:
        """Deselect (emits ``selection_changed(-1, -1)`` if something was selected)."""
        cursor = self.editor.textCursor()
        cursor.clearSelection()
        self.editor.setTextCursor(cursor)

    def _on_selection_changed(self) -> None:
        selection = self.selected_range()
        if selection != self._selection:
            self._selection = selection
            self.selection_changed.emit(*(selection or (-1, -1)))

    # -- navigation --------------------------------------------------------------------------
    def reveal(self, start: int, end: int, flash: bool = True) -> None:
        """Scroll so that ``[start, end)`` is in view; flash it briefly when ``flash``."""
        u_start, u_end = self.utf16_range(start, end)
        if not self.editor.is_position_visible(u_start):
            self.editor.scroll_to_position(u_start)
        if flash:
            fmt = QTextCharFormat()
            fmt.setBackground(FIND_CURRENT_COLOUR)
            self.editor.set_layer("flash", [Decoration(u_start, u_end, fmt)])
            self._flash_timer.start(FLASH_MS)

    def set_zoom(self, zoom: float | str) -> None:
        """Scale the text; 1.0 is the normal reading size (fit modes mean 1.0 here)."""
        factor = zoom if isinstance(zoom, float | int) else 1.0
        self.editor.set_zoom(float(factor))

    def zoom(self) -> float:
        """The current text scale."""
        return self.editor.zoom()

    def _reading_position(self) -> int:
        cursor = self.editor.cursorForPosition(QPoint(0, 0))
        return self._map.to_codepoint(cursor.position())

    def _show_matches(self, matches: list[tuple[int, int]], current: int) -> None:
        every = QTextCharFormat()
        every.setBackground(FIND_COLOUR)
        this = QTextCharFormat()
        this.setBackground(FIND_CURRENT_COLOUR)
        self.editor.set_layer("matches", [
            self._decoration(s, e, this if i == current else every)
            for i, (s, e) in enumerate(matches)
        ])

    # -- mouse: tooltips and clicks on highlights ---------------------------------------------
    def offset_at(self, pos: QPoint) -> int | None:
        """Code-point offset of the character under viewport position ``pos``, if any."""
        cursor = self.editor.cursorForPosition(pos)
        position = cursor.position()
        caret = self.editor.cursorRect(cursor)
        if pos.x() < caret.x() and position > 0:
            position -= 1  # the pointer is on the character before the caret
        block = cursor.block()
        if not block.position() <= position < block.position() + block.length() - 1:
            return None
        return self._map.to_codepoint(position)

    def _annotations_under(self, pos: QPoint) -> list[AnnotationView]:
        offset = self.offset_at(pos)
        if offset is None:
            return []
        return sorted(self.annotations_at(offset), key=lambda a: a.end - a.start)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if watched is self.editor.viewport():
            if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
                show_annotation_tooltip(event.globalPos(), self._annotations_under(event.pos()),
                                        self.editor)
                return True
            if (event.type() == QEvent.Type.MouseButtonRelease and isinstance(event, QMouseEvent)
                    and event.button() == Qt.MouseButton.LeftButton
                    and not self.editor.textCursor().hasSelection()):
                found = self._annotations_under(event.position().toPoint())
                if found:
                    self.annotation_activated.emit(found[0].id)
        return super().eventFilter(watched, event)

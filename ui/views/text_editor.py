"""The read-only text widget of the text view: reading typography and highlights drawn in layers.

Positions here are Qt's (UTF-16 units); the text view converts them to code points. Highlights
are kept as sorted ranges per layer, and only those reaching the lines on screen are handed to
Qt as extra selections, so 5,000 highlights over a million characters cost what a screenful does.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QPalette,
    QResizeEvent,
    QShowEvent,
    QTextCharFormat,
    QTextCursor,
    QTextOption,
    QWheelEvent,
)
from PySide6.QtWidgets import QFrame, QPlainTextEdit, QTextEdit, QWidget

#: Body text size in points at zoom 1.0.
BODY_POINT_SIZE = 12.0
#: Longest comfortable line, in average characters.
COLUMN_CHARACTERS = 78
#: Body fonts in order of preference; the first one installed is used.
BODY_FAMILIES = ["Source Serif 4", "Charter", "Georgia", "Noto Serif", "DejaVu Serif", "serif"]
#: The reader's font as chosen in Preferences: (family or "", point size or 0 for the default).
_CHOSEN_FONT: list[tuple[str, float]] = [("", 0.0)]


def set_reader_font(family: str, size: float) -> None:
    """Use ``family`` at ``size`` points for text documents ("" / 0: the defaults)."""
    _CHOSEN_FONT[0] = (family, size)


def reader_families() -> list[str]:
    """The font families of the reader, the chosen one first."""
    family = _CHOSEN_FONT[0][0]
    return [family, *BODY_FAMILIES] if family else BODY_FAMILIES


def reader_point_size() -> float:
    """The body size of the reader in points."""
    return _CHOSEN_FONT[0][1] or BODY_POINT_SIZE


#: Layers are painted in this order, later ones on top.
LAYERS = ("highlights", "current", "matches", "flash")
#: Heading sizes relative to the body text.
HEADING_SCALE = 1.3


@dataclass(frozen=True)
class Decoration:
    """A formatted range ``[start, end)`` in UTF-16 positions."""

    start: int
    end: int
    format: QTextCharFormat


class ReaderTextEdit(QPlainTextEdit):
    """A read-only :class:`QPlainTextEdit` set up for reading and drawing highlights.

    Signals: ``zoom_requested(int steps)`` on Ctrl+wheel (positive: larger).
    """

    zoom_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setUndoRedoEnabled(False)
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.setFrameShape(QFrame.Shape.NoFrame)
        # Lines wrap in the column, so never a horizontal scroll bar; the vertical one always
        # shows, so the column does not jump sideways when a short text gets longer.
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        # A reader, not an editor: no blinking caret parked at the top of the text.
        self.setCursorWidth(0)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.document().setDocumentMargin(28)
        self._layers: dict[str, list[Decoration]] = {name: [] for name in LAYERS}
        self._zoom = 1.0
        self._headings: list[tuple[int, int, str]] = []
        # Paper-white column on a grey desk, like the page view.
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Base, QColor("#ffffff"))
        palette.setColor(QPalette.ColorRole.Text, QColor("#1d1d1f"))
        palette.setColor(QPalette.ColorRole.Window, QColor("#e9e9ec"))
        self.setPalette(palette)
        self.setBackgroundRole(QPalette.ColorRole.Window)
        self.setAutoFillBackground(True)
        self._apply_font()
        self.verticalScrollBar().valueChanged.connect(self.refresh_decorations)

    # -- typography --------------------------------------------------------------------------
    def set_zoom(self, zoom: float) -> None:
        """Scale the text (1.0 = the body size); headings keep their proportion."""
        self._zoom = max(0.5, min(3.0, zoom))
        self._apply_font()
        self.set_structure(self._headings)

    def zoom(self) -> float:
        """The current text scale."""
        return self._zoom

    def _apply_font(self) -> None:
        font = QFont()
        font.setFamilies(reader_families())
        font.setPointSizeF(reader_point_size() * self._zoom)
        font.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
        self.setFont(font)
        self._update_column()

    def set_structure(self, ranges: list[tuple[int, int, str]]) -> None:
        """Style headings (bold, larger) and quotes (italic); ranges in UTF-16 positions."""
        self._headings = ranges
        doc = self.document()
        cursor = QTextCursor(doc)
        cursor.beginEditBlock()
        for start, end, kind in ranges:
            fmt = QTextCharFormat()
            if kind == "heading":
                fmt.setFontWeight(QFont.Weight.Bold)
                fmt.setFontPointSize(reader_point_size() * self._zoom * HEADING_SCALE)
            elif kind == "quote":
                fmt.setFontItalic(True)
            else:
                continue
            cursor.setPosition(start)
            cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
            cursor.mergeCharFormat(fmt)
        cursor.endEditBlock()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt override)
        self._update_column(relayout=False)
        super().resizeEvent(event)
        self.refresh_decorations()

    def _update_column(self, relayout: bool = True) -> None:
        """Centre a column no wider than :data:`COLUMN_CHARACTERS` characters."""
        column = self.fontMetrics().averageCharWidth() * COLUMN_CHARACTERS + 56
        spare = self.width() - self.verticalScrollBar().sizeHint().width() - column
        side = max(0, spare // 2)
        if self.viewportMargins().left() != side:
            self.setViewportMargins(side, 0, side, 0)
            if relayout:
                # QPlainTextEdit re-wraps its lines only in its own resize handling.
                super().resizeEvent(QResizeEvent(self.size(), self.size()))

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802 (Qt override)
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            steps = event.angleDelta().y() // 120 or (1 if event.angleDelta().y() > 0 else -1)
            self.zoom_requested.emit(steps)
            event.accept()
            return
        super().wheelEvent(event)

    # -- highlights --------------------------------------------------------------------------
    def set_layer(self, name: str, decorations: list[Decoration], refresh: bool = True) -> None:
        """Replace the decorations of one layer (``highlights``, ``current``, ``matches``...)."""
        self._layers[name] = sorted(decorations, key=lambda d: d.start)
        if refresh:
            self.refresh_decorations()

    def visible_range(self) -> tuple[int, int]:
        """UTF-16 range of the lines on screen, with a screenful to spare either side.

        Worked out per line, not per block, so a paragraph of a million characters does not
        make every highlight in it "visible".
        """
        viewport = self.viewport()
        spare = viewport.height()
        top = self._line_bound(self.cursorForPosition(viewport.rect().topLeft()), False)
        bottom = self._line_bound(self.cursorForPosition(viewport.rect().bottomRight()), True)
        chars_per_screen = max(1, bottom - top)
        lines = max(1, spare // max(1, self.fontMetrics().lineSpacing()))
        margin = min(chars_per_screen, 200 * lines)
        return max(0, top - margin), bottom + margin

    @staticmethod
    def _line_bound(cursor: QTextCursor, end: bool) -> int:
        """Start (or end) of the laid-out line holding ``cursor``."""
        block = cursor.block()
        layout = block.layout()
        if layout is None or layout.lineCount() == 0:
            return cursor.position()
        line = layout.lineForTextPosition(cursor.position() - block.position())
        if not line.isValid():
            return cursor.position()
        return block.position() + line.textStart() + (line.textLength() if end else 0)

    def refresh_decorations(self) -> None:
        """Hand Qt the decorations that reach the visible lines (once shown; see showEvent)."""
        if not self.isVisible():
            return
        low, high = self.visible_range()
        doc = self.document()
        selections = []
        for name in LAYERS:
            for deco in self._layers[name]:
                if deco.start >= high:
                    break
                if deco.end <= low:
                    continue
                selection = QTextEdit.ExtraSelection()
                cursor = QTextCursor(doc)
                cursor.setPosition(deco.start)
                cursor.setPosition(deco.end, QTextCursor.MoveMode.KeepAnchor)
                selection.cursor = cursor
                selection.format = deco.format
                selections.append(selection)
        self.setExtraSelections(selections)

    def layer(self, name: str) -> list[Decoration]:
        """The decorations of one layer, sorted by start."""
        return list(self._layers[name])

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt override)
        super().showEvent(event)
        self.refresh_decorations()

    # -- scrolling ---------------------------------------------------------------------------
    def scroll_to_position(self, position: int, fraction: float = 0.3) -> None:
        """Scroll so the line holding UTF-16 ``position`` sits ``fraction`` down the view."""
        doc = self.document()
        for _ in range(2):  # the block gets laid out by the first scroll
            block = doc.findBlock(position)
            line_in_block = 0
            layout = block.layout()
            if layout is not None and layout.lineCount() > 0:
                line = layout.lineForTextPosition(position - block.position())
                if line.isValid():
                    line_in_block = line.lineNumber()
            line_height = max(1, self.fontMetrics().lineSpacing())
            lines_on_screen = max(1, self.viewport().height() // line_height)
            target = block.firstLineNumber() + line_in_block - int(lines_on_screen * fraction)
            self.verticalScrollBar().setValue(max(0, target))

    def is_position_visible(self, position: int) -> bool:
        """True when UTF-16 ``position`` is on a line fully on screen."""
        cursor = QTextCursor(self.document())
        cursor.setPosition(position)
        rect = self.cursorRect(cursor)
        return rect.top() >= 0 and rect.bottom() <= self.viewport().height()

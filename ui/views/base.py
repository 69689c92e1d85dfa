"""What every document view offers the main window, and the look shared by all highlights.

A document view shows one document's canonical text (as rendered PDF pages or as reflowed text),
lets the investigator select passages, and draws annotations over them. Every offset that crosses
this interface is a code-point offset into the canonical text, ``[start, end)``.
"""

from __future__ import annotations

import html
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import QLayout, QToolTip, QVBoxLayout, QWidget

from app.services.annotations import AnnotationView
from app.services.documents import DocumentView as DocumentInfo
from app.services.documents import document_text
from ui.views.find_bar import FindBar, find_all

if TYPE_CHECKING:
    from app.dossier import Dossier

#: Colour of a highlight whose annotation has no tag yet.
UNTAGGED_COLOUR = "#f2c94c"
#: How much of the tag colour a highlight lays over white paper (0-1).
HIGHLIGHT_STRENGTH = 0.42
#: The same for the current (selected) highlight, in all.
CURRENT_STRENGTH = 0.6
#: Find matches: all of them, and the current one.
FIND_COLOUR = QColor("#ffe066")
FIND_CURRENT_COLOUR = QColor("#ff9632")
#: How long ``reveal(..., flash=True)`` keeps the passage flashing.
FLASH_MS = 900


def trim_whitespace(text: str, start: int, end: int) -> tuple[int, int]:
    """``[start, end)`` of ``text`` without leading and trailing whitespace (maybe empty)."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def tag_colour(annotation: AnnotationView) -> QColor:
    """The colour an annotation is drawn in: its first tag's colour (do not modify it)."""
    return _colour(annotation.tags[0].colour if annotation.tags else UNTAGGED_COLOUR)


@lru_cache(maxsize=512)
def _colour(name: str) -> QColor:
    colour = QColor(name)
    return colour if colour.isValid() else QColor(UNTAGGED_COLOUR)


def readable_strength(colour: QColor, strength: float, floor: int = 185) -> float:
    """``strength``, lowered until ``colour`` laid that strongly on white keeps the lightness
    ``floor`` (0-255), so black print stays readable under dark tag colours."""
    return _readable_strength(colour.rgb(), strength, floor)


@lru_cache(maxsize=1024)
def _readable_strength(rgb: int, strength: float, floor: int) -> float:
    colour = QColor.fromRgb(rgb)
    while strength > 0.1 and _mixed(colour, strength).lightness() < floor:
        strength -= 0.02
    return strength


def _mixed(colour: QColor, strength: float) -> QColor:
    def mix(channel: int) -> int:
        return round(255 + (channel - 255) * strength)

    return QColor(mix(colour.red()), mix(colour.green()), mix(colour.blue()))


def highlight_fill(colour: QColor, strength: float = HIGHLIGHT_STRENGTH) -> QColor:
    """The opaque colour a highlight of ``colour`` gives white paper.

    Views lay it on with a multiply blend (PDF) or as a translucent background (text), so where
    highlights overlap the colours darken and mix instead of the top one hiding the others.
    """
    return _mixed(colour, readable_strength(colour, strength))


def highlight_overlay(colour: QColor, alpha: float) -> QColor:
    """``colour`` with opacity ``alpha``; painted over white with the alpha of
    :func:`readable_strength` it gives :func:`highlight_fill`."""
    overlay = QColor(colour)
    overlay.setAlphaF(max(0.0, min(1.0, alpha)))
    return overlay


def assign_lanes(annotations: Iterable[AnnotationView]) -> dict[str, int]:
    """A lane per annotation such that overlapping annotations get different lanes.

    Views draw each annotation's underline in its own lane, so two overlapping highlights still
    show two lines even where their fills blend.
    """
    lane_ends: list[int] = []
    lanes: dict[str, int] = {}
    for ann in sorted(annotations, key=lambda a: (a.start, -a.end, a.id)):
        for lane, end in enumerate(lane_ends):
            if end <= ann.start:
                lane_ends[lane] = ann.end
                lanes[ann.id] = lane
                break
        else:
            lanes[ann.id] = len(lane_ends)
            lane_ends.append(ann.end)
    return lanes


def annotation_tooltip(annotations: Sequence[AnnotationView]) -> str:
    """Rich-text tooltip for the highlights under the mouse: tags, note, author, grade, status."""
    parts = []
    for ann in annotations:
        tags = "<br>".join(
            f"<span style='color:{t.colour}'>&#9632;</span> {html.escape(t.path)}"
            for t in ann.tags
        ) or "<i>untagged</i>"
        lines = [tags]
        if ann.note:
            lines.append(html.escape(ann.note).replace("\n", "<br>"))
        if ann.attribution:
            lines.append(f"Attributed to: {html.escape(ann.attribution)}")
        meta = [html.escape(ann.author), ann.status.replace("_", " ")]
        if ann.grade:
            meta.append(f"graded {ann.grade}")
        lines.append(f"<span style='color:#666'>{' · '.join(meta)}</span>")
        parts.append("<br>".join(lines))
    return "<hr>".join(parts)


def show_annotation_tooltip(global_pos: QPoint, annotations: Sequence[AnnotationView],
                            widget: QWidget) -> None:
    """Show the tooltip of ``annotations`` at ``global_pos``, or hide it when there are none."""
    if annotations:
        QToolTip.showText(global_pos, annotation_tooltip(annotations), widget)
    else:
        QToolTip.hideText()


class DocumentView(QWidget):
    """One document on screen: select passages, show highlights, find text.

    Signals:
        ``selection_changed(int start, int end)``: the selected code-point range; (-1, -1) when
        the selection is cleared.
        ``annotation_activated(str id)``: the investigator clicked a highlight.
        ``context_menu_requested(QPoint global_pos)``: right click, for the tagging menu.

    Ctrl+F (while the view has focus) opens the view's own find bar; a main window should call
    :meth:`show_find_bar` from its menu instead of binding Ctrl+F itself.
    """

    selection_changed = Signal(int, int)
    annotation_activated = Signal(str)
    context_menu_requested = Signal(QPoint)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.dossier: Dossier | None = None
        self.document: DocumentInfo | None = None
        self.text = ""
        self._annotations: dict[str, AnnotationView] = {}
        self._matches: list[tuple[int, int]] = []
        self._match_index = -1
        self._find_query = ""
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(0)
        # No minimum size pushed onto a top-level window (offscreen Qt warns about it).
        self._layout.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        self.find_bar = FindBar(self)
        self.find_bar.hide()
        self.find_bar.query_changed.connect(self._find_typed)
        self.find_bar.next_requested.connect(lambda: self._step_find(True))
        self.find_bar.previous_requested.connect(lambda: self._step_find(False))
        self.find_bar.closed.connect(self.close_find_bar)
        shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.Find), self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(self.show_find_bar)

    def _set_content(self, widget: QWidget) -> None:
        """Put the subclass's scrolling widget above the find bar."""
        self._layout.addWidget(widget, 1)
        self._layout.addWidget(self.find_bar)

    # -- loading -----------------------------------------------------------------------------
    def load(self, dossier: Dossier, document: DocumentInfo) -> None:
        """Show ``document`` of ``dossier`` (its text, and pages for a PDF page view)."""
        self.dossier = dossier
        self.document = document
        self.text = document_text(dossier, document.id)
        self._annotations = {}
        self._matches, self._match_index, self._find_query = [], -1, ""
        self._load_content()

    def _load_content(self) -> None:
        raise NotImplementedError

    # -- annotations -------------------------------------------------------------------------
    def annotations(self) -> list[AnnotationView]:
        """The annotations currently drawn, in text order."""
        return sorted(self._annotations.values(), key=lambda a: (a.start, a.end, a.id))

    def set_annotations(self, annotations: Iterable[AnnotationView]) -> None:
        """Replace every highlight (annotations of other documents are ignored)."""
        self._annotations = {a.id: a for a in annotations if self._drawable(a)}
        self._annotations_changed()

    def update_annotation(self, annotation: AnnotationView) -> None:
        """Add or redraw one highlight (after it was created, re-tagged or moved)."""
        if self._drawable(annotation):
            self._annotations[annotation.id] = annotation
            self._annotations_changed()
        elif self._annotations.pop(annotation.id, None) is not None:
            self._annotations_changed()

    def _drawable(self, annotation: AnnotationView) -> bool:
        """True for an annotation of this document whose range lies in its text."""
        if self.document is None or annotation.document_id != self.document.id:
            return False
        if annotation.region is not None:  # a region may hold no text
            return 0 <= annotation.start <= annotation.end <= len(self.text)
        return 0 <= annotation.start < annotation.end <= len(self.text)

    def remove_annotation(self, annotation_id: str) -> None:
        """Stop drawing one highlight."""
        if self._annotations.pop(annotation_id, None) is not None:
            self._annotations_changed()

    def annotations_at(self, offset: int) -> list[AnnotationView]:
        """The annotations covering the code point at ``offset``."""
        found = [a for a in self._annotations.values() if a.start <= offset < a.end]
        return sorted(found, key=lambda a: (a.start, a.end, a.id))

    def _annotations_changed(self) -> None:
        raise NotImplementedError

    # -- selection and navigation ---------------------------------------------------------------
    def selected_range(self) -> tuple[int, int] | None:
        """The selected code-point range, or None when nothing is selected."""
        raise NotImplementedError

    def select_range(self, start: int, end: int) -> None:
        """Select ``[start, end)`` (less surrounding whitespace) as a drag over it would."""
        raise NotImplementedError

    def clear_selection(self) -> None:
        """Deselect (emits ``selection_changed(-1, -1)`` if something was selected)."""
        raise NotImplementedError

    def reveal(self, start: int, end: int, flash: bool = True) -> None:
        """Scroll so that ``[start, end)`` is in view; flash it briefly when ``flash``."""
        raise NotImplementedError

    def select_annotation(self, annotation_id: str | None) -> None:
        """Mark one highlight as the current one (None: no current highlight) and reveal it."""
        raise NotImplementedError

    def set_zoom(self, zoom: float | str) -> None:
        """Zoom: a factor (1.0 = 100 %), or for page views also ``"fit-width"``/``"fit-page"``."""
        raise NotImplementedError

    def zoom(self) -> float:
        """The current zoom factor (1.0 = 100 %)."""
        raise NotImplementedError

    def release(self) -> None:
        """Free background resources before the view is thrown away (safe to call twice)."""

    # -- find --------------------------------------------------------------------------------
    def show_find_bar(self) -> None:
        """Open the find bar with its text selected, ready for typing."""
        self.find_bar.show()
        self.find_bar.focus_query()

    def close_find_bar(self) -> None:
        """Hide the find bar and its match highlights."""
        self.find_bar.hide()
        self._matches, self._match_index, self._find_query = [], -1, ""
        self._show_matches([], -1)
        self.setFocus()

    # Shadows QWidget.find (a static lookup by window id that Dossier never uses): the
    # interface promised to the main window names the search ``find``.
    def find(self, query: str, forward: bool = True) -> int:  # type: ignore[override]
        """Highlight every match of ``query`` (case-insensitive) and go to the next or previous.

        A new query starts from the reading position; repeating a query steps through the
        matches, wrapping at either end. Returns the number of matches.
        """
        if query != self._find_query:
            self._find_query = query
            self._matches = find_all(self.text, query)
            # The first match at or after the reading position (matches are in text order).
            first = bisect_left(self._matches, (self._reading_position(), -1))
            if not self._matches:
                self._match_index = -1
            elif forward:
                self._match_index = first % len(self._matches)
            else:
                self._match_index = (first - 1) % len(self._matches)
        elif self._matches:
            step = 1 if forward else -1
            self._match_index = (self._match_index + step) % len(self._matches)
        self._show_matches(self._matches, self._match_index)
        if self._match_index >= 0:
            self.reveal(*self._matches[self._match_index], flash=False)
        self.find_bar.show_count(self._match_index, len(self._matches))
        return len(self._matches)

    def show_search_match(self, start: int, end: int) -> None:
        """Highlight ``[start, end)`` as a found passage, select it and bring it into view."""
        self._matches, self._match_index, self._find_query = [(start, end)], 0, ""
        self._show_matches(self._matches, 0)
        self.reveal(start, end, flash=True)
        if start < end:
            self.select_range(start, end)

    def find_matches(self) -> tuple[list[tuple[int, int]], int]:
        """The current find matches (code-point ranges) and the index of the current one."""
        return list(self._matches), self._match_index

    def _find_typed(self, query: str) -> None:
        self._find_query = ""
        self.find(query, True)

    def _step_find(self, forward: bool) -> None:
        self.find(self.find_bar.query(), forward)

    def reading_position(self) -> int:
        """Code-point offset at the top of what is on screen (where the reader is)."""
        return self._reading_position()

    def _reading_position(self) -> int:
        """Code-point offset where a new search starts (the top of what is on screen)."""
        raise NotImplementedError

    def _show_matches(self, matches: list[tuple[int, int]], current: int) -> None:
        raise NotImplementedError


def make_view(
    dossier: Dossier, document: DocumentInfo, parent: QWidget | None = None, *,
    reflowed: bool = False,
) -> DocumentView:
    """The view for ``document``, loaded: pages for a PDF (text if ``reflowed``), else text."""
    view: DocumentView
    if document.kind in ("pdf", "image") and not reflowed:
        from ui.views.pdf_view import PdfPageView

        view = PdfPageView(parent)
    else:
        from ui.views.text_view import TextView

        view = TextView(parent)
    view.load(dossier, document)
    return view

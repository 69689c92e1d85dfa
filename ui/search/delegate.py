"""Draws a search result: the document title, where the match is, and the snippet with the
matched words highlighted in a colour readable in light and dark themes."""

from __future__ import annotations

import html

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRectF, QSize
from PySide6.QtGui import QAbstractTextDocumentLayout, QPainter, QPalette, QTextDocument
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from app.services.search import MARK_END, MARK_START, SearchResult
from ui.search.model import RESULT_ROLE, where

Index = QModelIndex | QPersistentModelIndex
#: Match highlight: a saturated yellow with black text stays readable on light and dark bases.
MATCH_STYLE = "background-color:#ffd54f;color:#000000;"


def result_html(hit: SearchResult) -> str:
    """The result as a small HTML fragment (the snippet's marks become highlighted spans)."""
    snippet = html.escape(hit.snippet)
    snippet = snippet.replace(MARK_START, f'<span style="{MATCH_STYLE}">').replace(
        MARK_END, "</span>")
    return (f"<b>{html.escape(hit.title or 'Untitled')}</b> "
            f"<small>— {html.escape(where(hit))}</small><br>{snippet}")


class ResultDelegate(QStyledItemDelegate):
    """Rich-text rows, wrapped to the view's width."""

    def _document(self, option: QStyleOptionViewItem, index: Index) -> QTextDocument | None:
        hit = index.data(RESULT_ROLE)
        if not isinstance(hit, SearchResult):
            return None
        doc = QTextDocument()
        doc.setDefaultFont(option.font)
        doc.setHtml(result_html(hit))
        doc.setTextWidth(max(option.rect.width() - 8, 80))
        return doc

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        """Background and focus as the style draws them, then the rich text."""
        doc = self._document(option, index)
        if doc is None:
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        style = opt.widget.style() if opt.widget else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        ctx = QAbstractTextDocumentLayout.PaintContext()
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        group = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        ctx.palette.setColor(QPalette.ColorRole.Text, opt.palette.color(group))
        rect = option.rect
        painter.save()
        painter.translate(rect.left() + 4, rect.top() + 2)
        ctx.clip = QRectF(0, 0, rect.width() - 8, rect.height() - 4)
        doc.documentLayout().draw(painter, ctx)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:  # noqa: N802
        """Tall enough for the wrapped snippet."""
        doc = self._document(option, index)
        if doc is None:
            return super().sizeHint(option, index)
        return QSize(int(doc.idealWidth()) + 8, int(doc.size().height()) + 4)



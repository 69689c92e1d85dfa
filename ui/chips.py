"""Tags drawn as small coloured chips, and colour swatches for menus and lists.

A chip is a rounded rectangle tinted with the tag's colour, outlined in the colour itself, with the
tag name in dark text: readable whatever colour a user picks for a tag.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QIcon, QPainter, QPen, QPixmap

CHIP_PADDING = 6
CHIP_SPACING = 4
CHIP_RADIUS = 7.0
TINT = 0.30
TEXT_COLOUR = QColor("#1d1d1f")


def tint(colour: QColor, strength: float = TINT) -> QColor:
    """``colour`` laid thinly over white."""
    def mix(channel: int) -> int:
        return round(255 + (channel - 255) * strength)

    return QColor(mix(colour.red()), mix(colour.green()), mix(colour.blue()))


def chip_width(metrics: QFontMetrics, label: str) -> int:
    """Width of one chip for ``label``."""
    return metrics.horizontalAdvance(label) + 2 * CHIP_PADDING


def chips_size(metrics: QFontMetrics, chips: Sequence[tuple[str, str]]) -> QSize:
    """Size of a row of chips."""
    if not chips:
        return QSize(0, metrics.height() + 6)
    width = sum(chip_width(metrics, label) for label, _ in chips)
    return QSize(width + CHIP_SPACING * (len(chips) - 1) + 4, metrics.height() + 6)


def layout_chips(metrics: QFontMetrics, chips: Sequence[tuple[str, str]], rect: QRect,
                 wrap: bool = False) -> list[tuple[QRectF, str, QColor]]:
    """Where each chip goes in ``rect``: (box, label as drawn, colour).

    On one line, chips that do not fit are elided and then left out; with ``wrap`` they go on
    to the next line (only a chip wider than ``rect`` is elided).
    """
    height = metrics.height() + 4
    line = height + CHIP_SPACING
    x, y = rect.left() + 2, rect.top() + (2 if wrap else (rect.height() - height) / 2)
    right = rect.right() - 2
    placed: list[tuple[QRectF, str, QColor]] = []
    for label, colour in chips:
        width = chip_width(metrics, label)
        if wrap and x + width > right and x > rect.left() + 2:
            x, y = rect.left() + 2, y + line
        room = right - x
        if room < 2 * CHIP_PADDING + metrics.horizontalAdvance("…"):
            break
        text = metrics.elidedText(label, Qt.TextElideMode.ElideRight, room - 2 * CHIP_PADDING)
        width = metrics.horizontalAdvance(text) + 2 * CHIP_PADDING
        placed.append((QRectF(x, y, width, height), text, QColor(colour)))
        x += width + CHIP_SPACING
    return placed


def chips_height(metrics: QFontMetrics, chips: Sequence[tuple[str, str]], width: int) -> int:
    """Height of wrapped chips in ``width`` pixels."""
    placed = layout_chips(metrics, chips, QRect(0, 0, width, 10_000), wrap=True)
    bottom = max((box.bottom() for box, _t, _c in placed), default=metrics.height() + 4)
    return int(bottom) + 3


def paint_chips(painter: QPainter, rect: QRect, chips: Sequence[tuple[str, str]],
                wrap: bool = False) -> None:
    """Draw ``(label, colour)`` chips in ``rect``, on one line or wrapped."""
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    for box, text, colour in layout_chips(painter.fontMetrics(), chips, rect, wrap):
        painter.setPen(QPen(colour.darker(110), 1.2))
        painter.setBrush(tint(colour))
        painter.drawRoundedRect(box.adjusted(0.5, 0.5, -0.5, -0.5), CHIP_RADIUS, CHIP_RADIUS)
        painter.setPen(TEXT_COLOUR)
        painter.drawText(box, int(Qt.AlignmentFlag.AlignCenter), text)
    painter.restore()


def swatch_icon(colour: str, size: int = 14) -> QIcon:
    """A rounded square of ``colour`` for menus and lists."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    qcolour = QColor(colour)
    painter.setPen(QPen(qcolour.darker(130), 1))
    painter.setBrush(qcolour)
    painter.drawRoundedRect(QRectF(1.5, 1.5, size - 3, size - 3), 3, 3)
    painter.end()
    return QIcon(pixmap)

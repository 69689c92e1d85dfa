"""The claims on a time axis: one bar per dated claim from the start to the end of its period
("mid-2010s" is a bar over 2013-2016, "2019" over the year), coloured by kind. Undated claims are
listed under the axis. Signal: ``fact_clicked(FactView)``."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QMouseEvent, QPainter, QPen
from PySide6.QtWidgets import QGraphicsScene, QGraphicsView, QWidget

from app.money.drawing import KIND_COLOURS
from app.money.facts import FactView
from ui.money.models import amount_text

ROW_H = 24.0
YEAR_W = 70.0
LEFT = 10.0


def _year_fraction(day: str) -> float:
    d = date.fromisoformat(day)
    return d.year + (d.timetuple().tm_yday - 1) / 366.0


class TimelineView(QGraphicsView):
    """A drawn timeline of claims."""

    fact_clicked = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.setRenderHints(QPainter.RenderHint.Antialiasing
                            | QPainter.RenderHint.TextAntialiasing)
        self.setBackgroundBrush(QColor("#fbfbf8"))
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.bars: list[tuple[QRectF, FactView]] = []

    def show_facts(self, facts: list[FactView]) -> None:
        """Draw the claims: dated ones as bars in date order, then the undated ones."""
        scene = self.scene()
        scene.clear()
        self.bars = []
        dated = [f for f in facts if f.date_start and f.date_end]
        undated = [f for f in facts if not (f.date_start and f.date_end)]
        if dated:
            first = min(date.fromisoformat(f.date_start).year for f in dated)
            last = max(date.fromisoformat(f.date_end).year for f in dated) + 1
        else:
            first, last = date.today().year - 1, date.today().year + 1

        def x_of(year: float) -> float:
            return LEFT + (year - first) * YEAR_W

        axis = QPen(QColor("#777777"))
        for year in range(first, last + 1):
            scene.addLine(x_of(year), 0, x_of(year), ROW_H * (len(dated) + 1), axis)
            scene.addSimpleText(str(year)).setPos(x_of(year) + 3, 0)
        y = ROW_H
        for f in dated:
            start = _year_fraction(f.date_start)
            end = _year_fraction(f.date_end) + 1 / 366.0
            rect = QRectF(x_of(start), y + 4, max(4.0, (end - start) * YEAR_W), ROW_H - 8)
            colour = QColor(KIND_COLOURS.get(f.kind, "#444444"))
            scene.addRect(rect, QPen(colour), QBrush(colour.lighter(150)))
            label = scene.addSimpleText(f"{f.date_text}: {f.kind} {f.subject} → {f.object}, "
                                        f"{amount_text(f)}")
            label.setPos(rect.right() + 6, y + 4)
            self.bars.append((rect.adjusted(0, 0, label.boundingRect().width() + 6, 0), f))
            y += ROW_H
        y += ROW_H / 2
        if undated:
            scene.addSimpleText(f"Undated ({len(undated)}):").setPos(LEFT, y)
            y += ROW_H
        for f in undated:
            label = scene.addSimpleText(f"• {f.kind} {f.subject} → {f.object}, {amount_text(f)}")
            label.setPos(LEFT + 10, y)
            self.bars.append((QRectF(LEFT, y, label.boundingRect().width() + 12, ROW_H), f))
            y += ROW_H
        scene.setSceneRect(scene.itemsBoundingRect().adjusted(-10, -10, 10, 10))

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        """A click on a bar (or its label) reports its claim."""
        point = self.mapToScene(event.position().toPoint())
        for rect, fact in self.bars:
            if rect.contains(point):
                self.fact_clicked.emit(fact)
                return
        super().mousePressEvent(event)

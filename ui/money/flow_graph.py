"""The money-flow graph drawn with Qt: entities as boxes, flows as arrows.

Arrows are labelled with the amount per currency (never a sum across currencies), the number of
claims, passages and independent sources; their width grows with the amount, compared only with
flows of the same currency. Entities with a confirmed screening match are outlined in red.

Signals: ``flow_clicked(Flow)`` and ``entity_clicked(str)`` (an entity id).
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPainterPathStroker,
    QPen,
    QPolygonF,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsPathItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
    QGraphicsView,
    QWidget,
)

from app.money.drawing import KIND_COLOURS, NODE_H, NODE_W, Arrow, arrows, label_text
from app.money.flows import Flow
from app.money.graph import Layout

SCHEMA_FILL = {"Person": "#fdf3e1", "Company": "#e8f0fb", "Organization": "#eef5ea",
               "PublicBody": "#f3e9f7", "BankAccount": "#f0f0f0", "LegalEntity": "#eef5ea",
               "Territory": "#f7f7e8"}


class FlowEdge(QGraphicsPathItem):
    """One arrow: a flow between two entities in one currency."""

    def __init__(self, flow: Flow, path: QPainterPath, width: float) -> None:
        super().__init__(path)
        self.flow = flow
        colour = QColor(KIND_COLOURS.get(flow.kind, "#444444"))
        pen = QPen(colour, width)
        pen.setCapStyle(Qt.PenCapStyle.FlatCap)
        if flow.size == 0:
            pen.setStyle(Qt.PenStyle.DashLine)
        self.setPen(pen)
        self.setAcceptHoverEvents(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip(f"{flow.subject} → {flow.object}\n{flow.label()}\n{flow.claims} "
                        f"claim(s), {flow.passages} passage(s), {flow.sources} independent "
                        "source(s)\nClick to list the passages")
        self.setZValue(1)

    def shape(self) -> QPainterPath:
        """A generous hit area, so thin arrows are easy to click."""
        stroker = QPainterPathStroker()
        stroker.setWidth(max(12.0, self.pen().widthF() + 6))
        return stroker.createStroke(self.path())

    def midpoint(self) -> QPointF:
        """A point surely on the arrow (where a test clicks it)."""
        return self.path().pointAtPercent(0.5)



class EntityNode(QGraphicsRectItem):
    """One entity."""

    def __init__(self, entity_id: str, name: str, schema: str, listed: str) -> None:
        super().__init__(0, 0, NODE_W, NODE_H)
        self.entity_id = entity_id
        self.setBrush(QBrush(QColor(SCHEMA_FILL.get(schema, "#ffffff"))))
        self.setPen(QPen(QColor("#c0392b") if listed else QColor("#555555"),
                         3 if listed else 1))
        self.setZValue(2)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        font = QFont()
        font.setBold(True)
        title = QGraphicsSimpleTextItem(QFontMetricsF(font).elidedText(
            name, Qt.TextElideMode.ElideRight, NODE_W - 16), self)
        title.setFont(font)
        title.setPos(8, 5)
        sub = QGraphicsSimpleTextItem(f"{schema}" + (f"  ⚠ listed: {_elide(listed, 22)}"
                                                     if listed else ""), self)
        sub.setBrush(QColor("#c0392b") if listed else QColor("#555555"))
        sub.setPos(8, 25)
        self.setToolTip(f"{name} ({schema})" + (f"\nConfirmed screening match: {listed}"
                                               if listed else "") + "\nClick to list passages")


def _elide(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


class FlowGraphView(QGraphicsView):
    """Shows a laid-out money-flow graph and reports clicks on arrows and boxes."""

    flow_clicked = Signal(object)
    entity_clicked = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.setRenderHints(QPainter.RenderHint.Antialiasing
                            | QPainter.RenderHint.TextAntialiasing)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setBackgroundBrush(QColor("#fbfbf8"))
        self.edges: list[FlowEdge] = []
        self.nodes: dict[str, EntityNode] = {}
        self._auto_fit = True
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)

    def show_graph(self, graph: Layout, schemata: dict[str, str],
                   listed: dict[str, str]) -> None:
        """Draw the graph; ``schemata`` and ``listed`` give each entity's schema and listing."""
        scene = self.scene()
        scene.clear()
        self.edges, self.nodes = [], {}
        g = graph.graph
        for node, (x, y) in graph.positions.items():
            item = EntityNode(node, g.nodes[node].get("name", node), schemata.get(node, ""),
                              listed.get(node, ""))
            item.setPos(x, y)
            scene.addItem(item)
            self.nodes[node] = item
        for arrow in arrows(graph):
            self._add_edge(arrow)
        scene.setSceneRect(scene.itemsBoundingRect().adjusted(-40, -40, 40, 40))

    def _add_edge(self, arrow: Arrow) -> None:
        f = arrow.flow
        path = QPainterPath(QPointF(*arrow.start))
        path.cubicTo(QPointF(*arrow.c1), QPointF(*arrow.c2), QPointF(*arrow.end))
        edge = FlowEdge(f, path, arrow.width)
        self.scene().addItem(edge)
        number = len(self.edges)
        colour = edge.pen().color()
        head = self.scene().addPolygon(QPolygonF([QPointF(*p) for p in arrow.head()]),
                                       QPen(colour), QBrush(colour))
        head.setZValue(1)
        head.setData(0, number)
        label = QGraphicsSimpleTextItem("\n".join(label_text(f)))
        small = QFont()
        small.setPointSizeF(max(6.0, small.pointSizeF() * 0.85))
        label.setFont(small)
        label.setBrush(QColor("#222222"))
        mid = QPointF(*arrow.label_anchor())
        rect = label.boundingRect()
        label.setPos(max(mid.x() - rect.width() / 2, arrow.start[0] + 4),
                     mid.y() - rect.height() - 2 - arrow.width)
        backdrop = self.scene().addRect(QRectF(label.pos(), rect.size()).adjusted(-3, -1, 3, 1),
                                        QPen(Qt.PenStyle.NoPen), QBrush(QColor(255, 255, 255, 215)))
        backdrop.setZValue(3)
        label.setZValue(4)
        for item in (label, backdrop):
            item.setData(0, number)
            item.setCursor(Qt.CursorShape.PointingHandCursor)
        self.scene().addItem(label)
        self.edges.append(edge)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        """A click on an arrow or a box reports it; elsewhere the view pans."""
        if event.button() == Qt.MouseButton.LeftButton:
            for item in self.items(event.position().toPoint()):
                if isinstance(item.data(0), int):  # an arrow's head or label
                    self.flow_clicked.emit(self.edges[item.data(0)].flow)
                    return
                target: QGraphicsItem | None = item
                while target is not None and not isinstance(target, FlowEdge | EntityNode):
                    target = target.parentItem()
                if isinstance(target, FlowEdge):
                    self.flow_clicked.emit(target.flow)
                    return
                if isinstance(target, EntityNode):
                    self.entity_clicked.emit(target.entity_id)
                    return
        super().mousePressEvent(event)

    def fit(self) -> None:
        """Show the whole graph, never larger than life; keep fitting as the view resizes."""
        self._auto_fit = True
        self._fit()

    def _fit(self) -> None:
        rect = self.scene().sceneRect()
        if rect.isEmpty() or self.viewport().width() < 10:
            return
        self.resetTransform()
        scale = min(self.viewport().width() / rect.width(),
                    self.viewport().height() / rect.height(), 1.0)
        self.scale(scale, scale)
        self.centerOn(rect.center())

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        """Qt: refit while the user has not zoomed."""
        super().resizeEvent(event)
        if self._auto_fit:
            self._fit()

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802
        """Ctrl+wheel zooms (and stops fitting); the wheel alone scrolls."""
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self._auto_fit = False
            factor = 1.15 if event.angleDelta().y() > 0 else 1 / 1.15
            self.scale(factor, factor)
            return
        super().wheelEvent(event)



"""The money-flow graph drawn with Qt: entities as boxes, flows as arrows.

Arrows are labelled with the amount per currency (never a sum across currencies), the number of
claims, passages and independent sources; their width grows with the amount, compared only with
flows of the same currency. Entities with a confirmed screening match are outlined in red.

Signals: ``flow_clicked(Flow)`` and ``entity_clicked(str)`` (an entity id).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

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

from app.money.flows import Flow
from app.money.graph import Layout

NODE_W, NODE_H = 240.0, 46.0
KIND_COLOURS = {"payment": "#1f6f43", "contract": "#2f5597", "ownership": "#7a4b94",
                "membership": "#8a6d1d", "directorship": "#8a6d1d"}
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

    def label_anchor(self) -> QPointF:
        """Where the label sits: nearer the payer, where converging arrows are still apart."""
        return self.path().pointAtPercent(0.32)


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


def _arrow_head(tip: QPointF, direction: QPointF, size: float) -> QPolygonF:
    length = math.hypot(direction.x(), direction.y()) or 1.0
    ux, uy = direction.x() / length, direction.y() / length
    left = QPointF(tip.x() - size * ux + size * 0.5 * uy, tip.y() - size * uy - size * 0.5 * ux)
    right = QPointF(tip.x() - size * ux - size * 0.5 * uy, tip.y() - size * uy + size * 0.5 * ux)
    return QPolygonF([tip, left, right])


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
        self._ports: dict[tuple[str, str, str, str], tuple[float, float]] = {}
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
        flows: list[Flow] = [d["flow"] for _, _, d in g.edges(data=True)]
        widest = _widest_by_currency(flows)
        self._ports = _ports(flows, graph.positions)
        pair_count: dict[tuple[str, str], int] = {}
        for f in sorted(flows, key=lambda x: (x.kind, x.currency)):
            pair = (f.subject_id, f.object_id)
            n = pair_count[pair] = pair_count.get(pair, 0) + 1
            self._add_edge(f, n - 1, widest.get(f.currency, 0.0))
        scene.setSceneRect(scene.itemsBoundingRect().adjusted(-40, -40, 40, 40))

    def _add_edge(self, f: Flow, index: int, widest: float) -> None:
        a, b = self.nodes[f.subject_id], self.nodes[f.object_id]
        width = 1.5 if not widest or not f.size else 1.5 + 9.0 * math.sqrt(f.size / widest)
        head_len = 10 + width
        out_y, in_y = self._ports.get(f.key, (NODE_H / 2, NODE_H / 2))
        start = a.pos() + QPointF(NODE_W, out_y)
        tip = b.pos() + QPointF(0, in_y)
        end = tip - QPointF(head_len, 0)
        bend = 26.0 * index
        path = QPainterPath(start)
        if end.x() - start.x() > 1.5 * NODE_W + 10:  # jumps a column: arc over it
            lift = min(start.y(), end.y()) - 60.0 - bend
            c1 = QPointF(start.x() + 120, lift)
            c2 = QPointF(end.x() - 120, lift)
        elif end.x() > start.x():
            dx = (end.x() - start.x()) / 2
            c1 = QPointF(start.x() + dx, start.y() + bend)
            c2 = QPointF(end.x() - dx, end.y() + bend)
        else:  # a flow back to an earlier column goes round below
            tip = b.pos() + QPointF(NODE_W / 2, NODE_H)
            end = tip + QPointF(0, head_len)
            start = a.pos() + QPointF(NODE_W / 2, NODE_H)
            path = QPainterPath(start)
            drop = 70.0 + bend
            c1 = QPointF(start.x(), start.y() + drop)
            c2 = QPointF(end.x(), end.y() + drop)
        path.cubicTo(c1, c2, end)
        edge = FlowEdge(f, path, width)
        self.scene().addItem(edge)
        number = len(self.edges)
        head = self.scene().addPolygon(
            _arrow_head(tip, tip - end, head_len),
            QPen(edge.pen().color()), QBrush(edge.pen().color()))
        head.setZValue(1)
        head.setData(0, number)
        label = QGraphicsSimpleTextItem(
            f"{f.kind}: {f.label()}\n{f.claims} claim(s) · {f.passages} passage(s) · "
            f"{f.sources} source(s)")
        small = QFont()
        small.setPointSizeF(max(6.0, small.pointSizeF() * 0.85))
        label.setFont(small)
        label.setBrush(QColor("#222222"))
        mid = edge.label_anchor()
        rect = label.boundingRect()
        label.setPos(mid.x() - rect.width() / 2, mid.y() - rect.height() - 2 - edge.pen().widthF())
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


def _ports(flows: Sequence[Flow], positions: dict[str, tuple[float, float]]
           ) -> dict[tuple[str, str, str, str], tuple[float, float]]:
    """Where each arrow leaves its payer and reaches its payee, spread along the box's side
    in the order of the other ends, so converging arrows (and their heads) stay apart."""
    outgoing: dict[str, list[Flow]] = {}
    incoming: dict[str, list[Flow]] = {}
    for f in flows:
        outgoing.setdefault(f.subject_id, []).append(f)
        incoming.setdefault(f.object_id, []).append(f)
    out_y: dict[tuple[str, str, str, str], float] = {}
    in_y: dict[tuple[str, str, str, str], float] = {}
    for group, other, store in ((outgoing, "object_id", out_y), (incoming, "subject_id", in_y)):
        for items in group.values():
            items.sort(key=lambda f: (positions[getattr(f, other)][1], f.kind, f.currency))
            for i, f in enumerate(items):
                store[f.key] = NODE_H * (i + 1) / (len(items) + 1)
    return {k: (out_y[k], in_y[k]) for k in out_y}


def _widest_by_currency(flows: Sequence[Flow]) -> dict[str, float]:
    out: dict[str, float] = {}
    for f in flows:
        out[f.currency] = max(out.get(f.currency, 0.0), f.size)
    return out

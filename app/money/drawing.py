"""Where boxes and arrows of the money-flow graph go, in plain numbers (no Qt).

The Qt view (``ui/money/flow_graph.py``) and the report's SVG (``app/money/svg.py``) draw the same
picture from this: a box per entity, and per flow a cubic curve from its payer's right side to its
payee's left side (arcing over a column it jumps, round below when it runs back), an arrow head,
a width growing with the amount compared only with flows of the same currency, and a label spot.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from app.money.flows import Flow
from app.money.graph import Layout

NODE_W, NODE_H = 240.0, 46.0
KIND_COLOURS = {"payment": "#1f6f43", "contract": "#2f5597", "ownership": "#7a4b94",
                "membership": "#8a6d1d", "directorship": "#8a6d1d"}

Point = tuple[float, float]


@dataclass(frozen=True)
class Arrow:
    """One flow's curve: start, two control points, end of the stroke, and the head's tip."""

    flow: Flow
    start: Point
    c1: Point
    c2: Point
    end: Point
    tip: Point
    width: float

    def point_at(self, t: float) -> Point:
        """A point on the cubic curve (0 = start, 1 = end)."""
        u = 1 - t
        xs = (self.start[0], self.c1[0], self.c2[0], self.end[0])
        ys = (self.start[1], self.c1[1], self.c2[1], self.end[1])
        coef = (u ** 3, 3 * u * u * t, 3 * u * t * t, t ** 3)
        return (sum(c * x for c, x in zip(coef, xs, strict=True)),
                sum(c * y for c, y in zip(coef, ys, strict=True)))

    def head(self) -> tuple[Point, Point, Point]:
        """The arrow head's triangle."""
        dx, dy = self.tip[0] - self.end[0], self.tip[1] - self.end[1]
        length = math.hypot(dx, dy) or 1.0
        ux, uy = dx / length, dy / length
        tx, ty, s = self.tip[0], self.tip[1], length
        return (self.tip, (tx - s * ux + s * 0.5 * uy, ty - s * uy - s * 0.5 * ux),
                (tx - s * ux - s * 0.5 * uy, ty - s * uy + s * 0.5 * ux))

    def label_anchor(self) -> Point:
        """Where the label sits: nearer the payer, where converging arrows are still apart."""
        return self.point_at(0.32)


def _ports(flows: Sequence[Flow], positions: dict[str, tuple[float, float]]
           ) -> dict[tuple[str, str, str, str], tuple[float, float]]:
    """Where each arrow leaves its payer and reaches its payee, spread along the box's side in
    the order of the other ends, so converging arrows (and their heads) stay apart."""
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


def arrows(picture: Layout) -> list[Arrow]:
    """Every flow of a laid-out graph as an arrow."""
    flows: list[Flow] = [d["flow"] for _, _, d in picture.graph.edges(data=True)]
    widest: dict[str, float] = {}
    for f in flows:
        widest[f.currency] = max(widest.get(f.currency, 0.0), f.size)
    ports = _ports(flows, picture.positions)
    pair_count: dict[tuple[str, str], int] = {}
    out: list[Arrow] = []
    for f in sorted(flows, key=lambda x: (x.kind, x.currency, x.subject_id, x.object_id)):
        pair = (f.subject_id, f.object_id)
        index = pair_count[pair] = pair_count.get(pair, 0) + 1
        out.append(_arrow(f, index - 1, widest.get(f.currency, 0.0), picture.positions, ports))
    return out


def _arrow(f: Flow, index: int, widest: float, positions: dict[str, tuple[float, float]],
           ports: dict[tuple[str, str, str, str], tuple[float, float]]) -> Arrow:
    ax, ay = positions[f.subject_id]
    bx, by = positions[f.object_id]
    width = 1.5 if not widest or not f.size else 1.5 + 9.0 * math.sqrt(f.size / widest)
    head = 10 + width
    bend = 26.0 * index
    out_y, in_y = ports.get(f.key, (NODE_H / 2, NODE_H / 2))
    start, tip = (ax + NODE_W, ay + out_y), (bx, by + in_y)
    end = (tip[0] - head, tip[1])
    if end[0] - start[0] > 1.5 * NODE_W + 10:  # jumps a column: arc over it
        lift = min(start[1], end[1]) - 60.0 - bend
        c1, c2 = (start[0] + 120, lift), (end[0] - 120, lift)
    elif end[0] > start[0]:
        dx = (end[0] - start[0]) / 2
        c1, c2 = (start[0] + dx, start[1] + bend), (end[0] - dx, end[1] + bend)
    else:  # back to an earlier column (or its own): round below
        start, tip = (ax + NODE_W / 2, ay + NODE_H), (bx + NODE_W / 2, by + NODE_H)
        end = (tip[0], tip[1] + head)
        drop = 70.0 + bend
        c1, c2 = (start[0], start[1] + drop), (end[0], end[1] + drop)
    return Arrow(f, start, c1, c2, end, tip, width)


def label_text(f: Flow) -> tuple[str, str]:
    """The two lines an arrow's label shows."""
    return (f"{f.kind}: {f.label()}",
            f"{f.claims} claim(s) · {f.passages} passage(s) · {f.sources} source(s)")

"""The money-flow graph as an SVG image (for the evidence report), from the same geometry as
the view. Plain text building: every name and label is XML-escaped."""

from __future__ import annotations

from xml.sax.saxutils import escape

from app.money.drawing import KIND_COLOURS, NODE_H, NODE_W, arrows, label_text
from app.money.graph import Layout

SCHEMA_FILL = {"Person": "#fdf3e1", "Company": "#e8f0fb", "Organization": "#eef5ea",
               "PublicBody": "#f3e9f7", "BankAccount": "#f0f0f0", "LegalEntity": "#eef5ea",
               "Territory": "#f7f7e8"}
_FONT = "DejaVu Sans, Arial, sans-serif"


def _fit(text: str, chars: int) -> str:
    return text if len(text) <= chars else text[: chars - 1] + "…"


def flow_svg(picture: Layout, schemata: dict[str, str], listed: dict[str, str]) -> str:
    """An SVG document of the laid-out graph; confirmed listings outlined in red."""
    drawn = arrows(picture)
    xs = [p[0] for p in picture.positions.values()] or [0.0]
    ys = [p[1] for p in picture.positions.values()] or [0.0]
    curve_ys = [y for a in drawn for y in (a.c1[1], a.c2[1])]
    min_x, max_x = min(xs) - 20, max(xs) + NODE_W + 20
    min_y = min([*ys, *curve_ys]) - 50
    max_y = max([y + NODE_H for y in ys] + curve_ys) + 20
    width, height = max_x - min_x, max_y - min_y
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{min_x:.0f} {min_y:.0f} '
           f'{width:.0f} {height:.0f}" width="{width:.0f}" height="{height:.0f}" '
           f'font-family="{_FONT}">',
           f'<rect x="{min_x:.0f}" y="{min_y:.0f}" width="{width:.0f}" height="{height:.0f}" '
           'fill="#fbfbf8"/>']
    for a in drawn:
        colour = KIND_COLOURS.get(a.flow.kind, "#444444")
        dash = ' stroke-dasharray="6 4"' if not a.flow.size else ""
        out.append(f'<path d="M {a.start[0]:.1f} {a.start[1]:.1f} C {a.c1[0]:.1f} '
                   f'{a.c1[1]:.1f} {a.c2[0]:.1f} {a.c2[1]:.1f} {a.end[0]:.1f} {a.end[1]:.1f}" '
                   f'fill="none" stroke="{colour}" stroke-width="{a.width:.1f}"{dash}/>')
        points = " ".join(f"{x:.1f},{y:.1f}" for x, y in a.head())
        out.append(f'<polygon points="{points}" fill="{colour}"/>')
    g = picture.graph
    for node, (x, y) in picture.positions.items():
        schema = schemata.get(node, "")
        flag = listed.get(node, "")
        stroke = ('stroke="#c0392b" stroke-width="3"' if flag
                  else 'stroke="#555555" stroke-width="1"')
        out.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{NODE_W:.0f}" height="{NODE_H:.0f}" '
                   f'fill="{SCHEMA_FILL.get(schema, "#ffffff")}" {stroke}/>')
        name = escape(_fit(g.nodes[node].get("name", node), 30))
        out.append(f'<text x="{x + 8:.1f}" y="{y + 18:.1f}" font-size="12.5" '
                   f'font-weight="bold" fill="#111111">{name}</text>')
        sub = schema + (f"  ⚠ listed: {_fit(flag, 26)}" if flag else "")
        colour = "#c0392b" if flag else "#555555"
        out.append(f'<text x="{x + 8:.1f}" y="{y + 37:.1f}" font-size="10.5" '
                   f'fill="{colour}">{escape(sub)}</text>')
    for a in drawn:
        x, y = a.label_anchor()
        first, second = label_text(a.flow)
        top = y - 16 - a.width
        w = 6.0 * max(len(first), len(second))
        left = max(x - w / 2, a.start[0] + 4)
        out.append(f'<rect x="{left - 3:.1f}" y="{top - 11:.1f}" width="{w + 6:.1f}" '
                   'height="27" fill="#ffffff" fill-opacity="0.85"/>')
        for dy, line in ((0, first), (13, second)):
            out.append(f'<text x="{left:.1f}" y="{top + dy:.1f}" font-size="10.5" '
                       f'fill="#222222">{escape(line)}</text>')
    out.append("</svg>")
    return "\n".join(out)

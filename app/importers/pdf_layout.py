"""Turn a page's glyphs into text in reading order, with a box for every code point.

Per text direction on the page (the most common direction first, then e.g. rotated margin text):

1. drop empty glyphs, glyphs centred off the page, and duplicates - the same text, font and size
   within ``dedupe_tolerance`` points (fake bold and doubled layers draw every glyph twice);
2. rows, segments and blocks (:mod:`app.importers.pdf_blocks`);
3. lines and paragraphs, word spaces, bidi order (:mod:`app.importers.pdf_lines`).

Coordinates are first turned into a "reading frame" in which the text runs left to right and lines
go downwards, so rotated pages and rotated text are laid out like upright text; boxes are always
reported on the displayed page.
"""

from __future__ import annotations

from app.importers.pdf_blocks import Frame, blocks_of, rows_of, segments_of
from app.importers.pdf_glyphs import Glyphs
from app.importers.pdf_lines import Emitter, PageText, emit_block
from app.importers.pdf_settings import PdfSettings
from app.importers.pdf_text import clean_glyph_text

__all__ = ["PageText", "PdfSettings", "layout_page"]


def layout_page(g: Glyphs, width: float, height: float, p: PdfSettings) -> PageText:
    """The text of one page (see the module docstring)."""
    keep = _visible_unique(g, width, height, p.dedupe_tolerance)
    by_orient: dict[int, list[int]] = {}
    for i in keep:
        by_orient.setdefault(g.orient[i], []).append(i)
    out = Emitter(g)
    for orient in sorted(by_orient, key=lambda o: (-len(by_orient[o]), o)):
        idx = by_orient[orient]
        frame = _frame(g, idx, orient, width, height)
        rows = rows_of(idx, frame, g.size, p)
        for block in blocks_of(segments_of(rows, frame, g.size, g.text, p), p):
            emit_block(g, block, frame, p, out)
    return out.finish()


def _visible_unique(g: Glyphs, width: float, height: float, tol: float) -> list[int]:
    """Indices of glyphs with text, centred on the page, without positional duplicates.

    Cleans ``g.text`` in place (see :func:`~app.importers.pdf_text.clean_glyph_text`).
    """
    seen: dict[tuple[str, int, int], list[tuple[float, float, float]]] = {}
    keep = []
    texts, x0s, y0s, x1s, y1s = g.text, g.x0, g.y0, g.x1, g.y1
    sizes, fonts = g.size, g.font
    inv = 1.0 / tol if tol > 0 else 0.0
    for i in range(len(texts)):
        t = texts[i]
        if len(t) != 1 or not t.isascii() or not t.isprintable():
            t = clean_glyph_text(t)
            if len(t) > 1 and t != t.strip():
                t = t.strip() or " "  # a multi-character mapping: no spaces at its ends
            texts[i] = t
        if not t:
            continue
        x, y = x0s[i], y0s[i]
        cx = (x + x1s[i]) * 0.5
        cy = (y + y1s[i]) * 0.5
        if not (0.0 <= cx <= width and 0.0 <= cy <= height):
            continue
        if inv and t != " ":
            f = fonts[i]
            s = sizes[i]
            iy = int(y * inv)
            if _duplicate(seen, (t, f, iy), x, y, s, tol):
                continue
            seen.setdefault((t, f, iy), []).append((x, y, s))
        keep.append(i)
    return keep


def _duplicate(
    seen: dict[tuple[str, int, int], list[tuple[float, float, float]]],
    key: tuple[str, int, int],
    x: float,
    y: float,
    s: float,
    tol: float,
) -> bool:
    t, f, iy = key
    for k in ((t, f, iy), (t, f, iy - 1), (t, f, iy + 1)):
        near = seen.get(k)
        if near is not None:
            for a, b, c in near:
                if abs(a - x) <= tol and abs(b - y) <= tol and abs(c - s) < 0.05:
                    return True
    return False


def _frame(g: Glyphs, idx: list[int], orient: int, w: float, h: float) -> Frame:
    """Boxes in the reading frame of ``orient`` (text advancing in +x, lines stacking in +y)."""
    x0s, y0s, x1s, y1s, bxs, bys = g.x0, g.y0, g.x1, g.y1, g.bx, g.by
    if orient == 1:
        return {i: (y0s[i], w - x1s[i], y1s[i], w - x0s[i], w - bxs[i]) for i in idx}
    if orient == 2:
        return {i: (w - x1s[i], h - y1s[i], w - x0s[i], h - y0s[i], h - bys[i]) for i in idx}
    if orient == 3:
        return {i: (h - y1s[i], x0s[i], h - y0s[i], x1s[i], bxs[i]) for i in idx}
    return {i: (x0s[i], y0s[i], x1s[i], y1s[i], bys[i]) for i in idx}

"""Rows, segments and blocks: the geometric half of PDF page layout.

All coordinates here are in a "reading frame": text advances in +x, lines stack in +y.

* rows: chains of glyphs drawn one after another along a line (superscripts, underscores and
  symbols from other fonts stay with their words), grouped by vertical centre;
* segments: each row cut wherever the gap could be a column gutter;
* blocks: a recursive XY-cut over segments. A vertical gap running through a whole region splits
  it into columns when every side looks like running text (a few words wide, rows close together),
  left column first; otherwise the region is cut horizontally - preferably just above or below a
  heading or footer that spans columns, else at its widest gap.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence

from app.importers.pdf_settings import PdfSettings

Box = tuple[float, float, float, float, float]  # x0, top, x1, bottom, baseline
Frame = dict[int, Box]


class Seg:
    """A run of glyphs of one row without gutter-wide gaps (the unit of the XY-cut)."""

    __slots__ = ("glyphs", "leader", "row", "size", "x0", "x1", "y0", "y1")

    def __init__(
        self, glyphs: list[int], row: int, frame: Frame, size: float, texts: Sequence[str]
    ) -> None:
        self.glyphs = glyphs
        self.row = row
        # Mostly dots: a leader of a table of contents or of a price list.
        self.leader = len(glyphs) >= 5 and sum(texts[i] == "." for i in glyphs) * 2 >= len(glyphs)
        boxes = [frame[i] for i in glyphs]
        self.x0 = min(b[0] for b in boxes)
        self.y0 = min(b[1] for b in boxes)
        self.x1 = max(b[2] for b in boxes)
        self.y1 = max(b[3] for b in boxes)
        self.size = size


def rows_of(
    idx: list[int], frame: Frame, sizes: Sequence[float], p: PdfSettings
) -> list[list[int]]:
    """Glyphs (in drawing order) grouped into rows, top to bottom; each row left to right."""
    chains: list[tuple[float, float, list[int]]] = []  # (centre, size, glyphs)
    chain: list[int] = []
    main = -1
    last: Box = (0.0, 0.0, 0.0, 0.0, 0.0)
    for i in idx:
        b = frame[i]
        s = sizes[i]
        if chain:
            lo, hi = max(b[1], last[1]), min(b[3], last[3])
            near = last[2] - 0.5 * s <= b[0] <= last[2] + 1.5 * s
            same_line = (
                abs(b[4] - last[4]) <= 0.25 * s
                or hi - lo >= 0.5 * min(b[3] - b[1], last[3] - last[1])
            )
            if near and same_line:
                chain.append(i)
                if s > sizes[main]:
                    main = i
                last = b
                continue
            m = frame[main]
            chains.append(((m[1] + m[3]) * 0.5, sizes[main], chain))
        chain = [i]
        main = i
        last = b
    if chain:
        m = frame[main]
        chains.append(((m[1] + m[3]) * 0.5, sizes[main], chain))
    chains.sort(key=lambda c: c[0])
    rows: list[list[int]] = []
    spans: list[list[tuple[float, float]]] = []  # x extents of the chains in each row
    anchor = anchor_size = 0.0
    for c, s, members in chains:
        x0 = min(frame[i][0] for i in members)
        x1 = max(frame[i][2] for i in members)
        # Chains that overlap along the line are two lines (a wrapped cell set tightly), not
        # one: merged and sorted by x their characters would interleave.
        if (rows and abs(c - anchor) <= p.y_tolerance_ratio * max(s, anchor_size)
                and not any(min(x1, b) - max(x0, a) > 0.25 * s for a, b in spans[-1])):
            rows[-1].extend(members)
            spans[-1].append((x0, x1))
            if s > anchor_size:
                anchor, anchor_size = c, s
        else:
            rows.append(list(members))
            spans.append([(x0, x1)])
            anchor, anchor_size = c, s
    for row in rows:
        row.sort(key=lambda i: frame[i][0])
    return rows


def segments_of(
    rows: list[list[int]], frame: Frame, sizes: Sequence[float], texts: Sequence[str],
    p: PdfSettings,
) -> list[Seg]:
    """Each row cut where the gap is wide enough to be a column gutter."""
    segs: list[Seg] = []
    for r, row in enumerate(rows):
        size = max(sizes[i] for i in row)
        gap = p.column_gap_ratio * size
        start = 0
        right = frame[row[0]][2]
        for k in range(1, len(row)):
            b = frame[row[k]]
            if b[0] - right >= gap:
                segs.append(Seg(row[start:k], r, frame, size, texts))
                start = k
            right = max(right, b[2])
        segs.append(Seg(row[start:], r, frame, size, texts))
    return segs


def blocks_of(segs: list[Seg], p: PdfSettings) -> list[list[Seg]]:
    """Segments grouped into blocks in reading order (recursive XY-cut)."""
    if len(segs) <= 1:
        return [segs]
    # A region whose segments all share some x range has no gutter in any part of it.
    if max(s.x0 for s in segs) < min(s.x1 for s in segs):
        return [segs]
    em = statistics.median(s.size for s in segs)
    gutter = p.column_gap_ratio * em
    parts = _columns(segs, gutter, em, p)
    if parts:
        return [block for part in parts for block in blocks_of(part, p)]
    by_y = sorted(segs, key=lambda s: s.y0)
    cuts = _gaps(by_y, lambda s: s.y0, lambda s: s.y1, 0.0)
    if not cuts:
        return [segs]
    k = _spanning_cut(by_y, cuts, gutter, em, p) or max(cuts)[1]
    first, second = blocks_of(by_y[:k], p), blocks_of(by_y[k:], p)
    if len(first) == 1 and len(second) == 1:
        return [segs]
    return first + second


def _spanning_cut(
    by_y: list[Seg], cuts: list[tuple[float, int]], gutter: float, em: float, p: PdfSettings
) -> int | None:
    """A cut among the first and last two that frees columns below or above it, if any.

    This separates a heading, title block or footer that spans the columns of a region before
    the columns themselves; cutting at the widest gap could slice through the columns instead.
    """
    if len(cuts) < 2:
        return None
    # Quick test: the middle rows (present on the big side of every candidate) need a gutter.
    lo = cuts[min(1, len(cuts) - 1)][1]
    hi = cuts[max(len(cuts) - 2, 0)][1]
    middle = by_y[lo:hi] if lo < hi else []
    if middle and not _gaps(sorted(middle, key=lambda s: s.x0), _x0, _x1, gutter):
        return None
    best: tuple[int, float, int] | None = None  # (segments in columns, gap, cut)
    for gap, k in dict.fromkeys(cuts[:2] + cuts[-2:]):
        for side in (by_y[k:], by_y[:k]):
            bigger = best is None or len(side) > best[0]
            if len(side) >= 4 and bigger and _columns(side, gutter, em, p):
                best = (len(side), gap, k)
    return None if best is None else best[2]


def _columns(
    segs: list[Seg], gutter: float, em: float, p: PdfSettings
) -> list[list[Seg]] | None:
    """``segs`` split at vertical gutters, if every part is a column of running text."""
    order = sorted(segs, key=_x0)
    cuts = _gaps(order, _x0, _x1, gutter)
    if not cuts:
        return None
    bounds = [0] + [k for _, k in cuts] + [len(order)]
    parts = [order[a:b] for a, b in zip(bounds, bounds[1:], strict=False)]
    gaps = [gap for gap, _ in cuts]  # gaps[j] lies between parts[j] and parts[j + 1]
    # A stray symbol or two in a gutter (a degree sign, a footnote mark) joins its nearest
    # neighbour instead of vetoing the columns; a narrow part with more rows (bullets, a table
    # column) still vetoes them: tables are read row by row.
    while len(parts) > 1 and any(_is_column(part, em, p) for part in parts):
        # A stray is sparse beside the columns: a cell on each of two table rows, beside a cell
        # wrapped over three lines, is a table, not two strays beside a column.
        most = max(len({s.row for s in part}) for part in parts)
        stray = next(
            (j for j, part in enumerate(parts)
             if (n := len({s.row for s in part})) <= 2 and 2 * n < most
             and not _is_column(part, em, p)),
            None,
        )
        if stray is None:
            break
        if stray == 0 or (stray < len(parts) - 1 and gaps[stray] < gaps[stray - 1]):
            parts[stray : stray + 2] = [parts[stray] + parts[stray + 1]]
            del gaps[stray]
        else:
            parts[stray - 1 : stray + 1] = [parts[stray - 1] + parts[stray]]
            del gaps[stray - 1]
    if len(parts) < 2:
        return None
    return parts if all(_is_column(part, em, p) for part in parts) else None


def _is_column(part: list[Seg], em: float, p: PdfSettings) -> bool:
    """Does ``part`` look like a column of running text (not a table column or a label)?"""
    if any(s.leader for s in part):
        return False  # dot leaders belong to tables of contents and price lists
    x0 = min(s.x0 for s in part)
    width = max(s.x1 for s in part) - x0
    if width < p.min_column_width_ratio * em:
        return False
    rows: dict[int, tuple[float, float, float]] = {}  # row -> (x0, x1, bottom)
    for s in part:
        r = rows.get(s.row)
        rows[s.row] = (s.x0, s.x1, s.y1) if r is None else (
            min(r[0], s.x0), max(r[1], s.x1), max(r[2], s.y1)
        )
    if len(rows) < 2:
        return False
    if len(rows) == 2 and width < 2 * p.min_column_width_ratio * em:
        return False  # two short lines: more likely table cells than the start of a column
    # Lines of running text fill their column; table cells vary in length.
    extents = sorted(r[1] - r[0] for r in rows.values())
    if extents[len(extents) // 2] < 0.6 * width:
        return False
    # Rows of running text follow each other closely; table cells can be spread out.
    ys = sorted(r[2] for r in rows.values())
    pitches = sorted(b - a for a, b in zip(ys, ys[1:], strict=False))
    return pitches[len(pitches) // 2] <= 2.5 * em


def _x0(s: Seg) -> float:
    return s.x0


def _x1(s: Seg) -> float:
    return s.x1


def _gaps(
    order: list[Seg], lo: Callable[[Seg], float], hi: Callable[[Seg], float], min_gap: float
) -> list[tuple[float, int]]:
    """``(gap, k)`` for every gap wider than ``min_gap`` before ``order[k]`` (sorted by ``lo``)."""
    cuts: list[tuple[float, int]] = []
    reach = hi(order[0])
    for k in range(1, len(order)):
        s = order[k]
        gap = lo(s) - reach
        if gap > min_gap:
            cuts.append((gap, k))
        end = hi(s)
        reach = max(reach, end)
    return cuts

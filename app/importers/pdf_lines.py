"""Lines and paragraphs: the textual half of PDF page layout.

Within a block, a line gets word spaces where the gap between glyphs exceeds the tolerance and is
put in logical order if it holds right-to-left text. The lines of a paragraph are joined by one
space - or by nothing after a word broken at a dash ("infor-" + "mation", "2018–23–" + "51") and
between CJK characters; paragraphs and blocks end with a newline. Inserted characters are marked
synthetic and get a zero-width box at the end of the glyph before them.
"""

from __future__ import annotations

import re
import statistics
from array import array
from collections.abc import Sequence
from dataclasses import dataclass

from app.importers.pdf_blocks import Frame, Seg
from app.importers.pdf_glyphs import Glyphs
from app.importers.pdf_settings import PdfSettings
from app.importers.pdf_text import has_rtl, is_cjk, logical_order, nfc_with_boxes

_DASHES = ("-", "\u2010", "\u2011", "\u2013", "\u00ad")
_LEADER = re.compile(r"\.{5}|(?:\. ?){5}")
_TAB_GAP = 2.0  # a gap this many font sizes wide makes a line a table row (a tab between cells)
#: In a line's units: a synthetic tab between table cells (``None`` is a synthetic space).
TAB = -1
#: A letter-spaced run has at least this many widened gaps (5 glyphs: "2 0 1 6" is not one).
_SPACED_RUN = 4


@dataclass
class PageText:
    text: str
    boxes: array  # array("f"), 4 per code point
    synthetic: bytes
    glyph_area: float  # sum of the areas of the glyph boxes that made it into the text
    glyph_count: int


class Line:
    """One line of a block: its glyph indices in logical order (``None``: a synthetic space)."""

    __slots__ = ("alnum_start", "cjk_end", "cjk_start", "dash_end", "first_word", "glyphs",
                 "rtl", "second_x", "size", "tabular", "x0", "x1", "y")

    def __init__(self) -> None:
        self.glyphs: list[int | None] = []
        self.x0 = self.x1 = self.y = self.size = self.first_word = 0.0
        self.second_x = -1.0  # where the second word starts (hanging indents)
        self.rtl = self.tabular = False
        self.dash_end = self.alnum_start = self.cjk_end = self.cjk_start = False


def emit_block(
    g: Glyphs, block: list[Seg], frame: Frame, p: PdfSettings, out: Emitter
) -> None:
    """Append the text of one block to ``out``."""
    by_row: dict[int, list[Seg]] = {}
    for s in block:
        by_row.setdefault(s.row, []).append(s)
    lines = [
        make_line(g, [i for s in sorted(segs, key=lambda s: s.x0) for i in s.glyphs], frame, p)
        for _, segs in sorted(by_row.items())
    ]
    lines = [ln for ln in lines if ln.glyphs]
    if not lines:
        return
    from app.importers.pdf_cells import merge_wrapped_cells  # it builds on this module

    lines = merge_wrapped_cells(lines, frame, g.text)
    left = min(ln.x0 for ln in lines)
    pitches = [b.y - a.y for a, b in zip(lines, lines[1:], strict=False)]
    pitch = statistics.median(pitches) if len(pitches) >= 2 else None
    for k, line in enumerate(lines):
        if k:
            prev = lines[k - 1]
            # The right margin of lines of this size (a block may hold a wider, bigger heading).
            right = max(ln.x1 for ln in lines if abs(ln.size - line.size) <= 0.15 * line.size)
            if not p.join_paragraph_lines or _paragraph_break(prev, line, left, right, pitch):
                out.newline()
            elif prev.dash_end and line.alnum_start or prev.cjk_end or line.cjk_start:
                pass  # no space
            else:
                out.space()
        out.line(line)
    out.newline()


def _paragraph_break(
    prev: Line, line: Line, left: float, right: float, pitch: float | None
) -> bool:
    em = max(prev.size, line.size)
    gap = line.y - prev.y
    if gap > 2.0 * em or (pitch is not None and gap > 1.3 * pitch):
        return True
    # A heading (bigger) before text, or text before footnotes; an inline run of small caps
    # (smaller) before the rest of its paragraph is no break.
    if prev.size > 1.12 * line.size or line.size > 1.3 * prev.size:
        return True
    if prev.tabular or line.tabular:
        return True
    if prev.rtl or line.rtl:  # mirrored: lines start at the right
        short = prev.x0 - left
        indent = right - line.x1 > 0.8 * em and abs(line.x1 - prev.x1) > 0.3 * em
    else:
        short = right - prev.x1
        # Indented, and not like the line before: a first line, a centred line, a quote's start.
        indent = line.x0 - left > 0.8 * em and abs(line.x0 - prev.x0) > 0.3 * em
        if indent and prev.first_word < 2 * em and abs(line.x0 - prev.second_x) < 0.5 * em:
            indent = False  # a hanging indent: "• Superior resistance ..." / "  and environment"
    # A new start, or the previous line stopped though the next word would have fitted.
    return indent or short > line.first_word + 0.5 * em


def make_line(g: Glyphs, glyphs: list[int], frame: Frame, p: PdfSettings) -> Line:
    """Word spaces, bidi order and paragraph hints for the glyphs of one line (visual order)."""
    texts, sizes = g.text, g.size
    units: list[int | None] = []
    line = Line()
    tracked = _letter_spaced(g, glyphs, frame, p) if p.x_tolerance is None else set()
    prev_right = 0.0
    prev_size = 0.0
    first_word_end: float | None = None
    start = frame[glyphs[0]][0]
    for i in glyphs:
        t = texts[i]
        box = frame[i]
        if t.isspace():  # a drawn space: keep one, between words only
            if units and not _is_space(texts, units[-1]):
                units.append(i)
            continue
        if units:
            s = max(sizes[i], prev_size)
            gap = box[0] - prev_right
            tol = p.x_tolerance if p.x_tolerance is not None else p.x_tolerance_ratio * s
            last = units[-1]
            if last is not None and texts[last].isspace():
                pass
            elif (gap > tol and i not in tracked) or (
                # a footnote mark after a number: "273.879.750" + superscript "1"
                last is not None
                and abs(sizes[i] - prev_size) > 0.2 * s
                and t[:1].isdigit()
                and texts[last][-1:].isdigit()
            ):
                units.append(TAB if gap > _TAB_GAP * s else None)
            if gap > _TAB_GAP * s:
                line.tabular = True
            if first_word_end is None and _is_space(texts, units[-1]):
                first_word_end = prev_right
                line.second_x = box[0]
            prev_right = max(prev_right, box[2])
        else:
            prev_right = box[2]
        units.append(i)
        prev_size = sizes[i]
    while units and _is_space(texts, units[-1]):
        units.pop()
    if not units:
        return line
    line.x0 = start
    line.x1 = prev_right
    line.first_word = (first_word_end if first_word_end is not None else prev_right) - start
    real = [i for i in units if i is not None and i >= 0]
    line.size = max(sizes[i] for i in real)
    line.y = statistics.median(frame[i][3] for i in real)
    joined = "".join(texts[i] for i in real)
    if ".." in joined and _LEADER.search(joined):
        line.tabular = True  # a table of contents line: "Kompaktheit . . . . . 14"
    if has_rtl(joined):
        order = logical_order([" " if u is None or u < 0 else texts[u] for u in units])
        units = [units[k] for k in order]
        line.rtl = sum(1 for ch in joined if has_rtl(ch)) * 2 > len(joined)
    line.glyphs = units
    first = next(u for u in units if u is not None and u >= 0)
    last_glyph = next(u for u in reversed(units) if u is not None and u >= 0)
    t0, t1 = texts[first], texts[last_glyph]
    line.alnum_start = t0[:1].isalnum()
    line.dash_end = t1.endswith(_DASHES) and len(units) > 1 and _alnum_before(texts, units)
    line.cjk_start = is_cjk(t0[:1])
    line.cjk_end = is_cjk(t1[-1:])
    return line


def _is_space(texts: list[str], unit: int | None) -> bool:
    return unit is None or unit < 0 or texts[unit].isspace()


def _alnum_before(texts: list[str], units: Sequence[int | None]) -> bool:
    u = units[-2]
    return u is not None and u >= 0 and texts[u][-1:].isalnum()


def _letter_spaced(g: Glyphs, glyphs: list[int], frame: Frame, p: PdfSettings) -> set[int]:
    """Glyphs of a line whose widened gap before them is letter-spacing, not a word space.

    A run of single glyphs each separated from the next by a gap wider than the word-space
    tolerance - set with wide tracking (equal gaps) or placed one by one (equal steps) - with at
    least :data:`_SPACED_RUN` such gaps, is one word where its gaps are narrower than the font's
    word space ("0 3 / 2 5 / 2 0 1 6" is "03/25/2016"); tracking plus a word space still
    separates words. Ordinary text has narrow gaps inside words, so it never forms such a run.
    """
    texts, sizes = g.text, g.size
    out: set[int] = set()
    run: list[int] = []
    prev = -1
    for i in glyphs:
        t = texts[i]
        single = len(t) == 1 and not t.isspace()
        if prev >= 0 and single:
            s = max(sizes[i], sizes[prev])
            gap = frame[i][0] - frame[prev][2]
            if p.x_tolerance_ratio * s < gap < s:
                if not run:
                    run.append(prev)
                run.append(i)
                prev = i
                continue
        _close_run(g, run, frame, out)
        run = []
        prev = i if single else -1
    _close_run(g, run, frame, out)
    return out


def _close_run(g: Glyphs, run: list[int], frame: Frame, out: set[int]) -> None:
    if len(run) <= _SPACED_RUN:
        return
    em = max(g.size[i] for i in run)
    space = g.space.get(g.font[run[0]], 0.25) * em
    gaps = [frame[b][0] - frame[a][2] for a, b in zip(run, run[1:], strict=False)]
    steps = [frame[b][0] - frame[a][0] for a, b in zip(run, run[1:], strict=False)]
    if max(gaps) - min(gaps) <= 0.05 * em:  # tracking: equal gaps between glyph boxes
        effective = gaps
    elif max(steps) - min(steps) <= 0.05 * em:  # placed one by one: equal steps
        widest = max(frame[i][2] - frame[i][0] for i in run)
        effective = [step - widest for step in steps]
    else:
        return
    for k, gap in enumerate(effective):
        if gap < space:
            out.add(run[k + 1])


class Emitter:
    """Accumulates a page's text, boxes and synthetic flags."""

    def __init__(self, g: Glyphs) -> None:
        self.g = g
        self.parts: list[str] = []
        self.boxes: list[float] = []
        self.syn = bytearray()
        self.last_end: tuple[float, float, float, float] | None = None
        self.ends_with_newline = True
        self.area = 0.0
        self.count = 0

    def _synthetic(self, ch: str) -> None:
        if self.last_end is None:
            return  # nothing before it on the page
        self.parts.append(ch)
        self.boxes.extend(self.last_end)
        self.syn.append(1)
        self.ends_with_newline = ch == "\n"

    def space(self) -> None:
        self._synthetic(" ")

    def newline(self) -> None:
        if not self.ends_with_newline:
            self._synthetic("\n")

    def line(self, line: Line) -> None:
        g = self.g
        texts = g.text
        for u in line.glyphs:
            if u is None:
                self._synthetic(" ")
                continue
            if u == TAB:
                self._synthetic("\t")
                continue
            t = texts[u]
            box = (g.x0[u], g.y0[u], g.x1[u], g.y1[u])
            self.parts.append(t)
            self.boxes.extend(box * len(t))
            self.syn.extend(b"\x00" * len(t))
            self.last_end = _end_point(box, g.orient[u])
            self.ends_with_newline = False
            self.area += (box[2] - box[0]) * (box[3] - box[1])
            self.count += 1

    def finish(self) -> PageText:
        while self.syn and self.syn[-1] == 1:  # synthetic characters are one part each
            self.parts.pop()
            del self.boxes[-4:]
            self.syn.pop()
        text, boxes, syn = nfc_with_boxes("".join(self.parts), self.boxes, self.syn)
        return PageText(text, array("f", boxes), bytes(syn), self.area, self.count)


def _end_point(
    box: tuple[float, float, float, float], orient: int
) -> tuple[float, float, float, float]:
    """A zero-width box at the end of a glyph, in the direction its text advances."""
    x0, y0, x1, y1 = box
    if orient == 1:
        return (x0, y1, x1, y1)
    if orient == 2:
        return (x0, y0, x0, y1)
    if orient == 3:
        return (x0, y0, x1, y0)
    return (x1, y0, x1, y1)

"""Glyph records and page geometry shared by the PDF interpreter and the layout.

Displayed-page space: points, origin at the top-left corner of the visible (crop) box after the
page's /Rotate has been applied, y growing downwards - what pypdfium2 renders and the reader shows.
"""

from __future__ import annotations

import math
from typing import Any

from pdfminer.pdffont import PDFFont, PDFUnicodeNotDefined
from pdfminer.pdfpage import PDFPage
from pdfminer.pdftypes import PDFStream, resolve1

Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
#: Glyph text for a character code the font cannot map to Unicode.
UNMAPPED = "\ufffd"
#: Word-space width (em) assumed for a font that has no space glyph.
DEFAULT_SPACE = 0.25

def mult(m1: Matrix, m0: Matrix) -> Matrix:
    """``m1 x m0`` in PDF's row-vector convention (apply m1 first, then m0)."""
    a1, b1, c1, d1, e1, f1 = m1
    a0, b0, c0, d0, e0, f0 = m0
    return (
        a0 * a1 + c0 * b1,
        b0 * a1 + d0 * b1,
        a0 * c1 + c0 * d1,
        b0 * c1 + d0 * d1,
        a0 * e1 + c0 * f1 + e0,
        b0 * e1 + d0 * f1 + f0,
    )


def page_geometry(page: PDFPage) -> tuple[Matrix, float, float, int]:
    """The matrix from PDF user space to displayed-page space, and the displayed width, height.

    Displayed space: points, origin at the top-left corner of the visible (crop) box after the
    page's /Rotate has been applied, y growing downwards.
    """
    mx0, my0, mx1, my1 = _norm(page.mediabox)
    cx0, cy0, cx1, cy1 = _norm(page.cropbox or page.mediabox)
    # The visible area is the crop box clipped to the media box.
    cx0, cy0 = max(cx0, mx0), max(cy0, my0)
    cx1, cy1 = min(cx1, mx1), min(cy1, my1)
    if cx1 <= cx0 or cy1 <= cy0:
        cx0, cy0, cx1, cy1 = mx0, my0, mx1, my1
    rotation = (int(page.rotate) % 360) // 90 * 90
    w, h = cx1 - cx0, cy1 - cy0
    if rotation == 90:
        return (0.0, 1.0, 1.0, 0.0, -cy0, -cx0), h, w, rotation
    if rotation == 180:
        return (-1.0, 0.0, 0.0, 1.0, cx1, -cy0), w, h, rotation
    if rotation == 270:
        return (0.0, -1.0, -1.0, 0.0, cy1, cx1), h, w, rotation
    return (1.0, 0.0, 0.0, -1.0, -cx0, cy1), w, h, 0


def _norm(box: Any) -> tuple[float, float, float, float]:
    try:
        x0, y0, x1, y1 = (float(v) for v in box)
    except (TypeError, ValueError):
        return (0.0, 0.0, 612.0, 792.0)
    return (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))


class Glyphs:
    """Everything drawn as text on one page, in drawing order, as parallel lists.

    ``x0, y0, x1, y1``: box on the displayed page (y0 = top). ``bx, by``: the glyph origin on
    the baseline. ``orient``: direction the text advances, 0 = right, 1 = down, 2 = left, 3 = up.
    ``size``: font size in displayed points. ``font``: a small integer per font (de-duplication).
    """

    __slots__ = ("bx", "by", "font", "image_area", "orient", "size", "space", "text", "x0", "x1",
                 "y0", "y1")

    def __init__(self) -> None:
        self.text: list[str] = []
        self.x0: list[float] = []
        self.y0: list[float] = []
        self.x1: list[float] = []
        self.y1: list[float] = []
        self.bx: list[float] = []
        self.by: list[float] = []
        self.orient: list[int] = []
        self.size: list[float] = []
        self.font: list[int] = []
        #: Sum of the areas (displayed points²) covered by image placements, clipped to the page.
        self.image_area = 0.0
        #: Word-space width in em of each font (by ``font`` key).
        self.space: dict[int, float] = {}

    def __len__(self) -> int:
        return len(self.text)


class FontInfo:
    """A pdfminer font plus caches of what we ask it per character code."""

    __slots__ = ("cache", "descent", "font", "key", "multibyte", "space", "vertical")

    def __init__(self, font: PDFFont, key: int) -> None:
        self.font = font
        self.key = key
        self.descent = float(font.get_descent())
        self.vertical = bool(font.is_vertical())
        self.multibyte = bool(font.is_multibyte())
        self.cache: dict[int, tuple[str, float]] = {}
        #: The width of the font's word space, in em (a quarter em when it has none).
        self.space = DEFAULT_SPACE
        if not self.multibyte:
            text, width = self.glyph(32)
            if text == " " and 0.1 <= width <= 1.0:
                self.space = width

    def glyph(self, cid: int) -> tuple[str, float]:
        try:
            text = self.font.to_unichr(cid)
        except (PDFUnicodeNotDefined, KeyError, IndexError, ValueError, TypeError):
            text = UNMAPPED
        if not isinstance(text, str):
            text = UNMAPPED
        try:
            width = float(self.font.char_width(cid))
        except Exception:  # a broken widths array must not lose the text
            width = 0.0
        if not math.isfinite(width):
            width = 0.0
        value = (text, width)
        self.cache[cid] = value
        return value


def content_streams(contents: Any) -> list[PDFStream]:
    items = resolve1(contents)
    if items is None:
        return []
    if not isinstance(items, list):
        items = [items]
    out = []
    for item in items:
        s = resolve1(item)
        if isinstance(s, PDFStream):
            out.append(s)
        elif isinstance(s, list):
            out.extend(x for x in (resolve1(y) for y in s) if isinstance(x, PDFStream))
    return out


def stream_data(stream: PDFStream) -> bytes:
    try:
        return stream.get_data() or b""
    except RecursionError:
        raise
    except Exception:
        return b""  # an undecodable stream draws nothing


def vertical_box(
    info: FontInfo, cid: int, fs: float, rise: float, adv: float, px: float, py: float
) -> tuple[float, float, float, float]:
    """Glyph box in text space for vertical writing (as pdfminer's ``LTChar``)."""
    disp = info.font.char_disp(cid)
    vx, vy = disp if isinstance(disp, tuple) else (None, 0.0)
    vx = fs * 0.5 if vx is None else vx * fs * 0.001
    vy = (1000 - vy) * fs * 0.001
    u0, u1 = px - vx, px - vx + fs
    w0, w1 = py + vy + rise + adv, py + vy + rise
    return u0, u1, min(w0, w1), max(w0, w1)

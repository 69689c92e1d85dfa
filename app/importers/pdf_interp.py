"""Run a page's content streams and collect every glyph: its text and its box on the displayed page.

This replaces pdfminer's ``PDFPageInterpreter`` + layout device for text extraction. pdfminer still
parses the document, fonts, encodings and ToUnicode maps; we tokenize content streams ourselves
(:mod:`app.importers.pdf_tokens`), interpret only what affects text position (graphics state,
text state, text showing, form XObjects) and record image placements, skipping path construction
and colour. Glyph geometry follows pdfminer's ``LTChar`` (advance x font size, descent to
descent + font size), so boxes match what pdfplumber reports, but in the coordinates of the page
as displayed: points, origin top-left, after /Rotate and relative to the CropBox.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

from pdfminer.pdfinterp import PDFResourceManager
from pdfminer.pdfpage import PDFPage
from pdfminer.pdftypes import PDFObjRef, PDFStream, dict_value, list_value, resolve1
from pdfminer.psparser import PSLiteral

from app.importers.bounds import MAX_PAGE_FORMS, MAX_PAGE_GLYPHS
from app.importers.pdf_glyphs import (
    IDENTITY,
    FontInfo,
    Glyphs,
    Matrix,
    content_streams,
    mult,
    page_geometry,
    stream_data,
    vertical_box,
)
from app.importers.pdf_tokens import INLINE_IMAGE, name_value, number, string_value, tokenize

_MAX_FORM_DEPTH = 12
_CHECK_EVERY = 2048  # operators between deadline / cancel checks


class PageTimeout(Exception):
    """A page took longer than its time budget (or the user cancelled)."""


class PageTooLarge(Exception):
    """A page draws more characters or runs more forms than any real page does."""


class PageInterpreter:
    """Interprets pages of one document; keeps fonts between pages (one per worker)."""

    def __init__(self, rsrcmgr: PDFResourceManager) -> None:
        self.rsrcmgr = rsrcmgr
        self._fonts: dict[Any, FontInfo | None] = {}
        self._check: Callable[[], None] = _no_check
        #: Glyphs and forms the current page may still draw (counted across nested forms).
        self.glyphs_left = MAX_PAGE_GLYPHS
        self.forms_left = MAX_PAGE_FORMS

    def run(
        self, page: PDFPage, check: Callable[[], None] | None = None
    ) -> tuple[Glyphs, float, float, int]:
        """Collect the glyphs of ``page``; returns them and the displayed width, height, rotation.

        ``check`` is called every few thousand operators; it raises to abandon the page.
        """
        ctm, width, height, rotation = page_geometry(page)
        out = Glyphs()
        self._check = check or _no_check
        self.glyphs_left = MAX_PAGE_GLYPHS
        self.forms_left = MAX_PAGE_FORMS
        state = _State(self, out, ctm, page.resources, depth=0, active=set())
        # A page's content streams form one stream: a split may fall anywhere between tokens.
        data = b"\n".join(stream_data(s) for s in content_streams(page.contents))
        state.execute_data(data)
        out.image_area = min(out.image_area, width * height)
        return out, width, height, rotation

    def font(self, spec_ref: Any) -> FontInfo | None:
        key = spec_ref.objid if isinstance(spec_ref, PDFObjRef) else id(spec_ref)
        if key in self._fonts:
            return self._fonts[key]
        info: FontInfo | None
        try:
            spec = dict_value(spec_ref)
            objid = spec_ref.objid if isinstance(spec_ref, PDFObjRef) else None
            info = FontInfo(self.rsrcmgr.get_font(objid, spec), len(self._fonts))
        except RecursionError:
            raise
        except Exception:
            info = None  # an unusable font: its text is skipped, the rest of the page is kept
        self._fonts[key] = info
        return info


def _no_check() -> None:
    return None


def deadline_check(
    seconds: float, cancelled: Callable[[], bool] | None = None
) -> Callable[[], None]:
    """A ``check`` for :meth:`PageInterpreter.run` that raises after ``seconds`` or on cancel."""
    end = time.monotonic() + seconds

    def check() -> None:
        if time.monotonic() > end or (cancelled is not None and cancelled()):
            raise PageTimeout()

    return check


class _State:
    """Graphics and text state while executing one content stream (a page or a form XObject)."""

    def __init__(
        self,
        interp: PageInterpreter,
        out: Glyphs,
        ctm: Matrix,
        resources: Any,
        depth: int,
        active: set[int],
    ) -> None:
        self.interp = interp
        self.out = out
        self.depth = depth
        self.active = active
        res = dict_value(resources)
        self.font_specs = dict_value(res.get("Font"))
        self.xobjects = dict_value(res.get("XObject"))
        self.ctm = ctm
        self.stack: list[tuple[Any, ...]] = []
        self.font: FontInfo | None = None
        self.fontsize = 0.0
        self.charspace = 0.0
        self.wordspace = 0.0
        self.scaling = 100.0
        self.leading = 0.0
        self.rise = 0.0
        self.tm: Matrix = IDENTITY
        self.px = 0.0  # pen position in text space, relative to tm
        self.py = 0.0
        self.ops: dict[bytes, Callable[[list[Any]], None]] = {
            b"q": self.op_q,
            b"Q": self.op_Q,
            b"cm": self.op_cm,
            b"BT": self.op_BT,
            b"Tc": self.op_Tc,
            b"Tw": self.op_Tw,
            b"Tz": self.op_Tz,
            b"TL": self.op_TL,
            b"Ts": self.op_Ts,
            b"Tf": self.op_Tf,
            b"Td": self.op_Td,
            b"TD": self.op_TD,
            b"Tm": self.op_Tm,
            b"T*": self.op_Tstar,
            b"Tj": self.op_Tj,
            b"TJ": self.op_TJ,
            b"'": self.op_quote,
            b'"': self.op_dquote,
            b"Do": self.op_Do,
        }

    # -- the loop ---------------------------------------------------------------------------
    def execute_data(self, data: bytes) -> None:
        if not data:
            return
        ops = self.ops
        check = self.interp._check
        operands: list[Any] = []
        marks: list[int] = []
        count = 0
        for tok in tokenize(data):
            c = tok[0]
            if (48 <= c <= 57) or c in (45, 46, 43, 47, 40):  # number, name, (string)
                operands.append(tok)
            elif c == 60:  # "<": hex string or dict start
                if tok == b"<<":
                    marks.append(len(operands))
                else:
                    operands.append(tok)
            elif c == 91:  # "["
                marks.append(len(operands))
            elif c in (93, 62):  # "]" or ">>"
                if marks:
                    i = marks.pop()
                    items = operands[i:]
                    del operands[i:]
                    operands.append(items)
            elif c == 37:  # comment
                continue
            else:
                op = ops.get(tok)
                if op is not None:
                    op(operands)
                elif tok == INLINE_IMAGE:
                    self.image(self.ctm)
                elif tok in (b"true", b"false", b"null"):
                    operands.append(tok)
                    continue
                operands.clear()
                marks.clear()
                count += 1
                if count >= _CHECK_EVERY:
                    count = 0
                    check()

    # -- graphics state ---------------------------------------------------------------------
    def op_q(self, args: list[Any]) -> None:
        self.stack.append(
            (self.ctm, self.font, self.fontsize, self.charspace, self.wordspace, self.scaling,
             self.leading, self.rise)
        )

    def op_Q(self, args: list[Any]) -> None:
        if self.stack:
            (self.ctm, self.font, self.fontsize, self.charspace, self.wordspace, self.scaling,
             self.leading, self.rise) = self.stack.pop()

    def op_cm(self, args: list[Any]) -> None:
        if len(args) >= 6:
            m = tuple(number(x) for x in args[-6:])
            self.ctm = mult(m, self.ctm)  # type: ignore[arg-type]

    # -- text state -------------------------------------------------------------------------
    def op_BT(self, args: list[Any]) -> None:
        self.tm = IDENTITY
        self.px = self.py = 0.0

    def op_Tc(self, args: list[Any]) -> None:
        if args:
            self.charspace = number(args[-1])

    def op_Tw(self, args: list[Any]) -> None:
        if args:
            self.wordspace = number(args[-1])

    def op_Tz(self, args: list[Any]) -> None:
        if args:
            self.scaling = number(args[-1])

    def op_TL(self, args: list[Any]) -> None:
        if args:
            self.leading = number(args[-1])

    def op_Ts(self, args: list[Any]) -> None:
        if args:
            self.rise = number(args[-1])

    def op_Tf(self, args: list[Any]) -> None:
        if len(args) < 2:
            return
        self.fontsize = number(args[-1])
        name = name_value(args[-2])
        spec = self.font_specs.get(name)
        self.font = None if spec is None else self.interp.font(spec)

    def _move(self, tx: float, ty: float) -> None:
        a, b, c, d, e, f = self.tm
        self.tm = (a, b, c, d, tx * a + ty * c + e, tx * b + ty * d + f)
        self.px = self.py = 0.0

    def op_Td(self, args: list[Any]) -> None:
        if len(args) >= 2:
            self._move(number(args[-2]), number(args[-1]))

    def op_TD(self, args: list[Any]) -> None:
        if len(args) >= 2:
            ty = number(args[-1])
            self.leading = -ty
            self._move(number(args[-2]), ty)

    def op_Tm(self, args: list[Any]) -> None:
        if len(args) >= 6:
            self.tm = tuple(number(x) for x in args[-6:])  # type: ignore[assignment]
            self.px = self.py = 0.0

    def op_Tstar(self, args: list[Any]) -> None:
        self._move(0.0, -self.leading)

    # -- text showing -----------------------------------------------------------------------
    def op_Tj(self, args: list[Any]) -> None:
        if args and isinstance(args[-1], bytes):
            self.show((args[-1],))

    def op_TJ(self, args: list[Any]) -> None:
        if args and isinstance(args[-1], list):
            self.show(args[-1])

    def op_quote(self, args: list[Any]) -> None:
        self.op_Tstar(args)
        self.op_Tj(args)

    def op_dquote(self, args: list[Any]) -> None:
        if len(args) >= 3:
            self.wordspace = number(args[-3])
            self.charspace = number(args[-2])
        self.op_Tstar(args)
        self.op_Tj(args)

    def show(self, seq: Any) -> None:
        info = self.font
        if info is None:
            return
        out = self.out
        fs = self.fontsize
        th = self.scaling * 0.01
        charspace = self.charspace * th
        wordspace = 0.0 if info.multibyte else self.wordspace * th
        rise = self.rise
        a, b, c, d, e, f = mult(self.tm, self.ctm)
        size = abs(fs) * math.hypot(c, d)
        # The direction the text advances on the page: 0 right, 1 down, 2 left, 3 up.
        orient = (0 if a > 0 else 2) if abs(a) >= abs(b) else (1 if b > 0 else 3)
        fkey = info.key
        out.space[fkey] = info.space
        cache = info.cache
        glyph = info.glyph
        v0 = info.descent * fs + rise
        v1 = v0 + fs
        dxscale = 0.001 * fs * th
        px, py = self.px, self.py
        axis_aligned = b == 0 and c == 0
        vertical = info.vertical
        for item in seq:
            if not isinstance(item, bytes) or item[:1] not in (b"(", b"<"):
                if vertical:
                    py -= number(item) * dxscale
                else:
                    px -= number(item) * dxscale
                continue
            raw = string_value(item)
            interp = self.interp
            interp.glyphs_left -= len(raw)
            if interp.glyphs_left < 0:
                raise PageTooLarge(f"it draws more than {MAX_PAGE_GLYPHS:,} characters")
            if len(raw) > 4096:
                interp._check()
            try:
                cids = info.font.decode(raw)
            except Exception:
                continue
            for cid in cids:
                g = cache.get(cid)
                text, w = g if g is not None else glyph(cid)
                adv = w * fs * th
                if vertical:
                    u0, u1, w0, w1 = vertical_box(info, cid, fs, rise, adv, px, py)
                else:
                    u0, u1, w0, w1 = px, px + adv, py + v0, py + v1
                if axis_aligned:
                    x0, x1 = a * u0 + e, a * u1 + e
                    y0, y1 = d * w0 + f, d * w1 + f
                    if x1 < x0:
                        x0, x1 = x1, x0
                    if y1 < y0:
                        y0, y1 = y1, y0
                    bx, by = a * px + e, d * (py + rise) + f
                else:
                    xs = (a * u0 + c * w0, a * u1 + c * w0, a * u0 + c * w1, a * u1 + c * w1)
                    ys = (b * u0 + d * w0, b * u1 + d * w0, b * u0 + d * w1, b * u1 + d * w1)
                    x0, x1 = min(xs) + e, max(xs) + e
                    y0, y1 = min(ys) + f, max(ys) + f
                    bx = a * px + c * (py + rise) + e
                    by = b * px + d * (py + rise) + f
                out.text.append(text)
                out.x0.append(x0)
                out.y0.append(y0)
                out.x1.append(x1)
                out.y1.append(y1)
                out.bx.append(bx)
                out.by.append(by)
                out.orient.append(orient)
                out.size.append(size)
                out.font.append(fkey)
                step = adv + charspace + (wordspace if cid == 32 else 0.0)
                if vertical:
                    py += step
                else:
                    px += step
        self.px, self.py = px, py

    # -- XObjects and images ----------------------------------------------------------------
    def op_Do(self, args: list[Any]) -> None:
        if not args:
            return
        ref = self.xobjects.get(name_value(args[-1]))
        xobj = resolve1(ref)
        if not isinstance(xobj, PDFStream):
            return
        subtype = xobj.get("Subtype")
        subtype = subtype.name if isinstance(subtype, PSLiteral) else subtype
        if subtype == "Image":
            self.image(self.ctm)
        elif subtype == "Form":
            objid = ref.objid if isinstance(ref, PDFObjRef) else id(xobj)
            if objid in self.active or self.depth >= _MAX_FORM_DEPTH:
                return  # a cycle of forms drawing each other
            # Forms drawing forms multiply: the page's budget is shared by every level.
            self.interp.forms_left -= 1
            if self.interp.forms_left < 0:
                raise PageTooLarge(f"it draws more than {MAX_PAGE_FORMS:,} forms")
            self.interp._check()
            try:
                m = [float(v) for v in list_value(xobj.get("Matrix", IDENTITY))]
                matrix: Matrix = (m[0], m[1], m[2], m[3], m[4], m[5]) if len(m) == 6 else IDENTITY
            except (TypeError, ValueError):
                matrix = IDENTITY
            resources = xobj.get("Resources") or {
                "Font": self.font_specs, "XObject": self.xobjects
            }
            sub = _State(
                self.interp, self.out, mult(matrix, self.ctm), resources, self.depth + 1,
                self.active | {objid},
            )
            sub.execute_data(stream_data(xobj))

    def image(self, ctm: Matrix) -> None:
        """Record an image drawn in the unit square under ``ctm``."""
        a, b, c, d, e, f = ctm
        xs = (e, a + e, c + e, a + c + e)
        ys = (f, b + f, d + f, b + d + f)
        w = max(xs) - min(xs)
        h = max(ys) - min(ys)
        if w > 0 and h > 0 and math.isfinite(w * h):
            self.out.image_area += w * h

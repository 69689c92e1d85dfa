"""Character-level helpers for PDF text: glyph text clean-up, bidi reordering, NFC with boxes.

Choices (documented for the text model):

* A glyph whose Unicode mapping is a Latin ligature (U+FB00-FB06, e.g. "ﬁ") or an Arabic
  presentation form (U+FB50-FDFF, U+FE70-FEFF) is expanded to its compatibility equivalent
  ("fi", the base Arabic letters), and every resulting code point gets the glyph's box. A quote a
  reader types ("find", "لا") is then found; the highlight covers the whole ligature glyph.
* Control characters in glyph text become spaces, NULs are dropped; codes the font cannot map
  become U+FFFD.
* PDF draws right-to-left text in visual order; :func:`logical_order` turns a line of glyphs into
  logical (typing) order with a simplified form of the Unicode bidirectional algorithm run
  backwards. Glyphs are kept as units: a glyph mapped to several code points keeps their order.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

_COMPAT = re.compile("[\ufb00-\ufb06\ufb50-\ufdff\ufe70-\ufeff]")
_CONTROL = re.compile("[\x01-\x1f\x7f-\x9f\u2028\u2029]")
_RTL = re.compile(
    "[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc\U00010800-\U00010fff\U0001e800-\U0001efff]"
)
_CJK = re.compile(
    "[\u1100-\u11ff\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3100-\u31ff\u3400-\u4dbf"
    "\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef\U00020000-\U0003134f]"
)


def clean_glyph_text(text: str) -> str:
    """Glyph text as it goes into the canonical text (see the module docstring)."""
    if text.isascii() and text.isprintable():
        return text
    if "\x00" in text:
        text = text.replace("\x00", "")
    if _CONTROL.search(text):
        text = _CONTROL.sub(" ", text)
    if _COMPAT.search(text):
        text = _COMPAT.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)
    return text


def has_rtl(text: str) -> bool:
    """True if ``text`` contains a right-to-left script character."""
    return _RTL.search(text) is not None


def is_cjk(ch: str) -> bool:
    """True for Chinese, Japanese and Korean characters (written without word spaces)."""
    return bool(ch) and _CJK.match(ch) is not None


# Unit classes for the bidi reordering.
_L, _R, _NUM, _SEP, _NEUTRAL = 0, 1, 2, 3, 4
_NUMBER_SEPARATORS = frozenset(".,:/+-\u2212%")


def _unit_class(text: str) -> int:
    if text in _NUMBER_SEPARATORS:
        return _SEP
    seen_number = False
    for ch in text:
        if ch.isascii():
            if ch.isalpha():
                return _L
            if ch.isdigit():
                seen_number = True
            continue
        bidi = unicodedata.bidirectional(ch)
        if bidi == "L":
            return _L
        if bidi in ("R", "AL"):
            return _R
        if bidi in ("EN", "AN"):
            seen_number = True
    return _NUM if seen_number else _NEUTRAL


def logical_order(texts: Sequence[str]) -> list[int]:
    """The logical order of a line's units given in visual (left-to-right) order.

    Returns a permutation of ``range(len(texts))``. The line's direction is that of the majority
    of its strongly directional units. Runs of the opposite direction are reversed; numbers keep
    their left-to-right digit order inside right-to-left text.
    """
    classes = [_unit_class(t) for t in texts]
    n_r = classes.count(_R)
    order = list(range(len(texts)))
    if n_r == 0:
        return order
    if n_r > classes.count(_L):  # right-to-left line: read from the right, then fix L runs
        order.reverse()
        classes.reverse()
        pos = 0
        for i, j in _runs(classes, _L, _R):
            _flip_numbers(order, classes, pos, i)
            order[i:j] = order[i:j][::-1]
            pos = j
        _flip_numbers(order, classes, pos, len(order))
    else:
        for i, j in _runs(classes, _R, _L):
            order[i:j] = order[i:j][::-1]
            classes[i:j] = classes[i:j][::-1]
            _flip_numbers(order, classes, i, j)
    return order


def _runs(classes: list[int], strong: int, other: int) -> list[tuple[int, int]]:
    """``[start, end)`` of each run from a ``strong`` unit to the last one before an ``other``."""
    runs = []
    n = len(classes)
    i = 0
    while i < n:
        if classes[i] != strong:
            i += 1
            continue
        j = last = i
        while j < n and classes[j] != other:
            if classes[j] == strong:
                last = j
            j += 1
        runs.append((i, last + 1))
        i = last + 1
    return runs


def _flip_numbers(order: list[int], classes: list[int], start: int, end: int) -> None:
    """Reverse, within ``[start, end)``, each number (digits, single separators between)."""
    i = start
    while i < end:
        if classes[i] != _NUM:
            i += 1
            continue
        last = i
        j = i + 1
        while j < end:
            if classes[j] == _NUM:
                last = j
            elif not (classes[j] == _SEP and j + 1 < end and classes[j + 1] == _NUM):
                break
            j += 1
        order[i : last + 1] = order[i : last + 1][::-1]
        i = last + 1


def nfc_with_boxes(
    text: str, boxes: list[float], synthetic: bytearray
) -> tuple[str, list[float], bytearray]:
    """NFC-normalise ``text`` keeping one box (4 floats) and one flag per code point.

    Text is cut into clusters (a starter and the combining marks after it; clusters that
    compose with each other are merged). A cluster that NFC changes gets the union of its boxes
    for every resulting code point.
    """
    if unicodedata.is_normalized("NFC", text):
        return text, boxes, synthetic
    clusters: list[tuple[int, int]] = []
    start = 0
    for i in range(1, len(text) + 1):
        if i == len(text) or unicodedata.combining(text[i]) == 0:
            if clusters:
                p0, p1 = clusters[-1]
                a, b = text[p0:p1], text[start:i]
                if unicodedata.normalize("NFC", a + b) != (
                    unicodedata.normalize("NFC", a) + unicodedata.normalize("NFC", b)
                ):
                    clusters[-1] = (p0, i)
                    start = i
                    continue
            clusters.append((start, i))
            start = i
    out_text: list[str] = []
    out_boxes: list[float] = []
    out_syn = bytearray()
    for s, e in clusters:
        chunk = text[s:e]
        norm = unicodedata.normalize("NFC", chunk)
        if norm == chunk:
            out_text.append(chunk)
            out_boxes.extend(boxes[4 * s : 4 * e])
            out_syn.extend(synthetic[s:e])
            continue
        real = [k for k in range(s, e) if not synthetic[k]] or list(range(s, e))
        box = [
            min(boxes[4 * k] for k in real),
            min(boxes[4 * k + 1] for k in real),
            max(boxes[4 * k + 2] for k in real),
            max(boxes[4 * k + 3] for k in real),
        ]
        flag = 1 if all(synthetic[s:e]) else 0
        out_text.append(norm)
        out_boxes.extend(box * len(norm))
        out_syn.extend(bytes((flag,)) * len(norm))
    return "".join(out_text), out_boxes, out_syn

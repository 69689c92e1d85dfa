"""Optical character recognition with Tesseract: words, boxes and confidences for a page image.

Tesseract is run through pytesseract (its command-line program, one process per page). Its
word-level TSV output becomes page text in the same model as a text layer:

* words of a line are separated by one synthetic space, the lines of a paragraph too (no space
  after a word broken at a dash, as for digital text), paragraphs end with ``\\n``;
* every code point of a word gets a box: the word's box cut into equal slices, one per code point
  (Tesseract reports words, not glyphs), in page points with a top-left origin;
* every code point gets the confidence (0-100) of the word it belongs to; synthetic characters get
  :data:`NO_CONFIDENCE`.

Provenance (engine, version, language, resolution) is recorded with every OCR'd page.
"""

from __future__ import annotations

import functools
import os
import shutil
import tempfile
import unicodedata
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from app.importers.base import ImportRefused

#: Confidence byte of a synthetic character (no word behind it).
NO_CONFIDENCE = 255
#: Words recognised with less confidence than this are marked for the reader and the report.
LOW_CONFIDENCE = 60
#: Resolution pages are rendered at for recognition.
OCR_DPI = 300
#: Tesseract's page segmentation: fully automatic, no orientation detection.
_PSM = 3

MODES = ("auto", "always", "never")

#: Languages whose pages Tesseract's automatic page segmentation (PSM 3) breaks into fragments:
#: on a clean 300-dpi page of Korean it kept two of eight lines, out of order (token F1 0.06),
#: while reading it as one column of text (PSM 4) recognised every line.
SINGLE_COLUMN_FALLBACK = frozenset({"kor"})
FALLBACK_PSM = 4
#: The one-column reading replaces the automatic one when it finds this many times the characters
#: (a page in columns reads as well automatically, and then keeps its column order).
FALLBACK_GAIN = 1.2


@dataclass(frozen=True)
class OcrOptions:
    """How to treat pages without a text layer.

    ``mode``: ``auto`` recognises pages that have no text (or little, on a page that is mostly
    image) but an image, ``always`` recognises
    every page (its text layer is replaced), ``never`` recognises nothing. ``lang``: Tesseract
    language codes joined by ``+`` (``eng+ara``).
    """

    mode: str = "auto"
    lang: str = "eng"

    def wanted(self, has_text: bool, has_image: bool, mostly_image: bool = False) -> bool:
        """Should a page with (or without) text and images be recognised?

        ``mostly_image``: images cover much of the page and its text layer little of it (a scan
        with a stamped header or page number): in ``auto`` mode it is recognised as a whole.
        """
        if self.mode == "always":
            return True
        return self.mode == "auto" and has_image and (not has_text or mostly_image)


@dataclass
class OcrText:
    """A recognised page: text, 4 floats per code point, synthetic flags, confidences."""

    text: str
    boxes: array
    synthetic: bytes
    confidence: bytes
    words: int

    def provenance(self, lang: str, dpi: int) -> dict[str, Any]:
        return {"engine": "tesseract", "version": tesseract_version(), "lang": lang, "dpi": dpi,
                "words": self.words}


@functools.cache
def tesseract_version() -> str:
    """The installed Tesseract's version (``"5.3.0"``), or ``""`` when it is not installed."""
    if shutil.which("tesseract") is None:
        return ""
    import pytesseract

    try:
        return str(pytesseract.get_tesseract_version())
    except Exception:  # a broken installation: treated as absent
        return ""


@functools.cache
def installed_languages() -> frozenset[str]:
    if not tesseract_version():
        return frozenset()
    import pytesseract

    try:
        return frozenset(pytesseract.get_languages(config=""))
    except Exception:
        return frozenset()


def check_languages(options: OcrOptions) -> None:
    """Raise :class:`ImportRefused` for a malformed or uninstalled language (when Tesseract is
    installed; without it, only pages that need OCR are refused)."""
    if not options.lang.replace("+", "").strip():
        raise ImportRefused("--lang is empty; give Tesseract language codes such as eng+ara")
    if tesseract_version():
        check_ready(options)


def check_ready(options: OcrOptions) -> None:
    """Raise :class:`ImportRefused` when Tesseract or one of the languages is missing."""
    if options.mode not in MODES:
        raise ImportRefused(f"--ocr {options.mode}: choose one of {', '.join(MODES)}")
    if options.mode == "never":
        return
    if not tesseract_version():
        raise ImportRefused(
            "OCR needs Tesseract, which is not installed; run `make system-deps` (Debian: "
            "apt-get install tesseract-ocr), or import with --ocr never")
    langs = [x for x in options.lang.split("+") if x]
    if not langs:
        raise ImportRefused("--lang is empty; give Tesseract language codes such as eng+ara")
    missing = [x for x in langs if x not in installed_languages()]
    if missing:
        have = ", ".join(sorted(installed_languages() - {"osd"}))
        raise ImportRefused(
            f"OCR language {'+'.join(missing)} is not installed (installed: {have}); "
            f"install tesseract-ocr-{missing[0].replace('_', '-')} or choose another --lang")


def _env_single_thread() -> None:
    # In a worker, pages are recognised in parallel processes: Tesseract's own threads would
    # only compete with them. In the main process (small documents) it may use its threads.
    import multiprocessing

    if multiprocessing.parent_process() is not None:
        os.environ.setdefault("OMP_THREAD_LIMIT", "1")


#: Tesseract's threads for a page recognised alone in a worker process: its gain flattens out
#: beyond a few, and every thread's stack counts against the worker's address-space cap.
ALONE_THREADS = 4


def _env_few_threads() -> None:
    import multiprocessing

    if multiprocessing.parent_process() is not None:
        os.environ.setdefault("OMP_THREAD_LIMIT", str(min(ALONE_THREADS, os.cpu_count() or 1)))


def recognise(image: Any, lang: str, scale: float, offset: tuple[float, float] = (0.0, 0.0),
              *, alone: bool = False) -> OcrText:
    """Recognise a PIL ``image``; ``scale`` converts its pixels to page points.

    ``alone``: this is the only page being recognised (a single image, read in a worker process):
    Tesseract may use its own threads, as it would in the main process.
    """
    return build_text(word_table(image, lang, alone=alone), scale, offset)


def word_table(image: Any, lang: str, *, alone: bool = False) -> dict[str, list[Any]]:
    """Tesseract's word table for a PIL ``image`` (columns as lists).

    For the languages in :data:`SINGLE_COLUMN_FALLBACK` the page is also read as one column
    (:data:`FALLBACK_PSM`) and that reading is kept when it finds clearly more characters; the
    table then has a ``space`` column: 0 where Tesseract's own text sets no space before the word
    (its word table cuts Korean words into syllables).
    """
    import pytesseract
    from pytesseract.pytesseract import file_to_dict, run_tesseract

    if not alone:
        _env_single_thread()
    else:
        _env_few_threads()
    engine_spacing = bool(SINGLE_COLUMN_FALLBACK & set(lang.split("+")))
    # Handed over as an uncompressed greyscale file: pytesseract would otherwise compress a PNG.
    with tempfile.TemporaryDirectory(prefix="dossier-ocr-") as tmp:
        path = os.path.join(tmp, "page.pgm")
        image.convert("L").save(path)

        def read(psm: int) -> dict[str, list[Any]]:
            if not engine_spacing:
                table: dict[str, list[Any]] = pytesseract.image_to_data(
                    path, lang=lang, config=f"--psm {psm}", output_type=pytesseract.Output.DICT)
                return table
            base = os.path.join(tmp, f"psm{psm}")  # one run: the word table and the text
            run_tesseract(path, base, "txt", lang, config=f"--psm {psm} -c tessedit_create_tsv=1")
            with open(base + ".tsv", encoding="utf-8") as fh:
                table = file_to_dict(fh.read(), "\t", -1)
            with open(base + ".txt", encoding="utf-8") as fh:
                table["space"] = _spaces_before(table, fh.read())
            return table

        data = read(_PSM)
        if engine_spacing:
            column = read(FALLBACK_PSM)
            if _characters(column) >= FALLBACK_GAIN * _characters(data):
                data = column
    return data


def _spaces_before(data: dict[str, list[Any]], text: str) -> list[int]:
    """For each row of the word table, 0 when Tesseract's text has no space before the word."""
    out: list[int] = []
    pos = 0
    for value, level in zip(data["text"], data["level"], strict=True):
        word = str(value or "").strip()
        at = text.find(word, pos) if word and int(level) == 5 else -1
        if at < 0:
            out.append(1)
            continue
        out.append(0 if at > 0 and at == pos and not text[at - 1].isspace() else 1)
        pos = at + len(word)
    return out


def reading_key(lang: str) -> str:
    """The engine version and how pages in ``lang`` are read (a cache key part)."""
    fallback = SINGLE_COLUMN_FALLBACK & set(lang.split("+"))
    return tesseract_version() + (f"+psm{FALLBACK_PSM}" if fallback else "")


def _characters(data: dict[str, list[Any]]) -> int:
    return sum(len(str(t or "").strip()) for t, level in zip(data["text"], data["level"],
                                                             strict=True) if int(level) == 5)


_DASHES = ("-", "\u2010", "\u2011", "\u00ad")


def build_text(data: dict[str, list[Any]], scale: float,
               offset: tuple[float, float] = (0.0, 0.0),
               covered: Sequence[tuple[float, float, float, float]] = (),
               min_confidence: float = -1.0) -> OcrText:
    """Page text from Tesseract's word table (``image_to_data`` as a dict of columns).

    Words lying mostly on one of the ``covered`` boxes (page points: glyphs of the page's text
    layer) are left out: that text is already there, exactly; so are words recognised with less
    than ``min_confidence`` (noise read into a photograph behind a page's text).
    """
    parts: list[str] = []
    boxes = array("f")
    syn = bytearray()
    conf = bytearray()
    last_end: tuple[float, float, float, float] | None = None
    prev_key: tuple[int, int, int] | None = None
    prev_line: tuple[int, int, int] | None = None
    words = 0
    ox, oy = offset

    def synthetic(ch: str) -> None:
        if last_end is None:
            return
        parts.append(ch)
        boxes.extend(last_end)
        syn.append(1)
        conf.append(NO_CONFIDENCE)

    for k in range(len(data["text"])):
        word = unicodedata.normalize("NFC", str(data["text"][k] or "").strip())
        if not word or int(data["level"][k]) != 5:
            continue
        x = ox + float(data["left"][k]) * scale
        y = oy + float(data["top"][k]) * scale
        w = float(data["width"][k]) * scale
        h = float(data["height"][k]) * scale
        if covered and _mostly_covered((x, y, x + w, y + h), covered):
            continue
        if 0 <= float(data["conf"][k]) < min_confidence:
            continue
        key = (int(data["block_num"][k]), int(data["par_num"][k]), int(data["line_num"][k]))
        para = key[:2]
        if prev_key is not None:
            if para != prev_key[:2]:
                synthetic("\n")
            elif key != prev_line and parts and parts[-1].endswith(_DASHES):
                pass  # a word broken at a line end: no space after the dash
            elif key == prev_line and not _spaced(data, k):
                pass  # Tesseract's text joins them: syllables of one Korean word
            else:
                synthetic(" ")
        prev_key = key
        prev_line = key
        c = float(data["conf"][k])
        value = NO_CONFIDENCE if c < 0 else max(0, min(100, round(c)))
        step = w / len(word)
        for i, ch in enumerate(word):
            parts.append(ch)
            boxes.extend((x + i * step, y, x + (i + 1) * step, y + h))
            syn.append(0)
            conf.append(value)
        last_end = (x + w, y, x + w, y + h)
        words += 1
    return OcrText("".join(parts), boxes, bytes(syn), bytes(conf), words)


def _spaced(data: dict[str, list[Any]], k: int) -> bool:
    spaces = data.get("space")
    return spaces is None or k >= len(spaces) or bool(int(spaces[k]))


def _mostly_covered(box: tuple[float, float, float, float],
                    covered: Sequence[tuple[float, float, float, float]]) -> bool:
    x0, y0, x1, y1 = box
    area = max(1e-6, (x1 - x0) * (y1 - y0))
    overlap = 0.0
    for a0, b0, a1, b1 in covered:
        w = min(x1, a1) - max(x0, a0)
        h = min(y1, b1) - max(y0, b0)
        if w > 0 and h > 0:
            overlap += w * h
    return overlap >= 0.3 * area


def low_confidence_ranges(text_len: int, confidence: bytes | None,
                          threshold: int = LOW_CONFIDENCE) -> list[tuple[int, int]]:
    """``[start, end)`` of each run of code points recognised with less than ``threshold``."""
    if not confidence:
        return []
    out: list[tuple[int, int]] = []
    start = -1
    for i in range(min(text_len, len(confidence))):
        low = confidence[i] < threshold
        if low and start < 0:
            start = i
        elif not low and start >= 0:
            out.append((start, i))
            start = -1
    if start >= 0:
        out.append((start, min(text_len, len(confidence))))
    return out

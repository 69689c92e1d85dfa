"""The OCR step of PDF page extraction, run in the worker right after a page's text layer is read.

A page the :class:`~app.importers.ocr.OcrOptions` select (by default: no text, but an image) is
rendered with PDFium at :data:`~app.importers.ocr.OCR_DPI` as displayed (after /Rotate) and
recognised; its text, boxes and synthetic flags replace the (empty) text layer's, and the page's
OCR record - provenance as JSON plus one confidence byte per code point - goes with it. The file
itself is only read.
"""

from __future__ import annotations

import json
from array import array
from typing import TYPE_CHECKING

from app.importers import ocr_cache
from app.importers.base import ImportRefused
from app.importers.ocr import (
    NO_CONFIDENCE,
    OCR_DPI,
    OcrOptions,
    OcrText,
    build_text,
    check_ready,
    reading_key,
    word_table,
)
from app.pdfium_lock import PDFIUM_LOCK

if TYPE_CHECKING:
    from app.importers.pdf_worker import Packed

#: Words recognised beside a page's own text layer need at least this confidence to be kept.
BESIDE_TEXT_CONFIDENCE = 40

#: ``(provenance JSON, confidence bytes)`` of an OCR'd page, else ``None``.
OcrRecord = tuple[str, bytes] | None


#: A page is "mostly image" when images cover at least this share of it and text much less.
MOSTLY_IMAGE = 0.15


def mostly_image(width: float, height: float, glyph_area: float, image_area: float) -> bool:
    """Images cover much of the page, its text little (a scan with a printed header)."""
    area = width * height
    return area > 0 and image_area >= MOSTLY_IMAGE * area and glyph_area * 4 < image_area


def wants_ocr(text: str, image_area: float, options: OcrOptions | None,
              mostly: bool = False) -> bool:
    """Does this page (its text layer, the area its images cover) need recognising?"""
    return options is not None and options.wanted(bool(text.strip()), image_area > 0, mostly)


def render_for_ocr(path: str, password: str | None, index: int, dpi: int = OCR_DPI) -> object:
    """Page ``index`` of a PDF as a greyscale PIL image at ``dpi``, as displayed."""
    import pypdfium2 as pdfium

    with PDFIUM_LOCK:
        doc = pdfium.PdfDocument(path, password=password)
        try:
            page = doc[index]
            try:
                bitmap = page.render(scale=dpi / 72.0, grayscale=True)
                image = bitmap.to_pil()
                bitmap.close()
            finally:
                page.close()
        finally:
            doc.close()
    return image


def ocr_pdf_page(
    path: str, password: str | None, index: int, options: OcrOptions,
    covered: list[tuple[float, float, float, float]] | None = None,
) -> OcrText:
    """Recognise page ``index`` of a PDF; boxes in displayed-page points (cached).

    ``covered``: glyph boxes of the page's own text layer, kept instead of their OCR.
    """
    key = (ocr_cache.file_digest(path), index, options.lang, OCR_DPI, reading_key(options.lang))
    table = ocr_cache.load(*key)
    if table is None:
        table = word_table(render_for_ocr(path, password, index), options.lang)
        ocr_cache.store(*key, table)
    # Beside a text layer, only words read with some confidence: a page that is mostly a
    # photograph behind printed text must not gain noise read into the photograph.
    return build_text(table, 72.0 / OCR_DPI, covered=covered or (),
                      min_confidence=BESIDE_TEXT_CONFIDENCE if covered else -1.0)


def record(result: OcrText, options: OcrOptions) -> OcrRecord:
    """The page's OCR record as it travels from the worker to the store."""
    prov = json.dumps(result.provenance(options.lang, OCR_DPI), sort_keys=True)
    return (prov, result.confidence)


def apply_ocr(
    packed: Packed, path: str, password: str | None, options: OcrOptions | None
) -> Packed:
    """``packed`` with its text replaced by OCR when the options select the page.

    A page that cannot be rendered or recognised keeps its text layer and reports the error.
    """
    (index, text, _boxes, _syn, width, height, rotation,
     _count, glyph_area, image_area, error, _ocr) = packed
    mostly = mostly_image(width, height, glyph_area, image_area)
    if error is not None or not wants_ocr(text, image_area, options, mostly):
        return packed
    assert options is not None
    keep = bool(text.strip()) and options.mode == "auto"  # a scan with a printed header
    covered = _layer_boxes(text, _boxes, _syn) if keep else None
    try:
        check_ready(options)
        result = ocr_pdf_page(path, password, index, options, covered)
    except Exception as exc:  # Tesseract failed on this page: the others still import
        why = str(exc) if isinstance(exc, ImportRefused) else (
            f"OCR failed: {type(exc).__name__}: {exc}")
        why = why.splitlines()[0][:300]
        return (*packed[:10], why, None)
    area = sum(
        (result.boxes[4 * i + 2] - result.boxes[4 * i]) * (result.boxes[4 * i + 3]
                                                         - result.boxes[4 * i + 1])
        for i in range(len(result.text)) if not result.synthetic[i]
    )
    if keep:  # the text layer first, then what only the image holds
        result = _joined(text, _boxes, _syn, result)
    return (index, result.text, result.boxes.tobytes(), result.synthetic, width, height,
            rotation, len(result.text) - sum(result.synthetic), area, image_area, None,
            record(result, options))


def _layer_boxes(text: str, boxes: bytes, syn: bytes) -> list[tuple[float, float, float, float]]:
    values = array("f")
    values.frombytes(boxes)
    return [(values[4 * i], values[4 * i + 1], values[4 * i + 2], values[4 * i + 3])
            for i in range(len(text)) if not syn[i]]


def _joined(text: str, boxes: bytes, syn: bytes, ocr: OcrText) -> OcrText:
    """The text layer's text, then a newline, then the recognised words."""
    values = array("f")
    values.frombytes(boxes)
    if not ocr.text:
        return OcrText(text, values, syn, bytes([NO_CONFIDENCE]) * len(text), ocr.words)
    last = values[-4:] if len(values) >= 4 else array("f", (0.0, 0.0, 0.0, 0.0))
    values.extend((last[2], last[1], last[2], last[3]))
    values.extend(ocr.boxes)
    return OcrText(text + "\n" + ocr.text, values, syn + b"\x01" + ocr.synthetic,
                   bytes([NO_CONFIDENCE]) * (len(text) + 1) + ocr.confidence, ocr.words)

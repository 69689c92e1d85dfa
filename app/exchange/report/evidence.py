"""What the evidence report shows beyond the annotations' fields: crops of regions, OCR doubts.

* a region annotation gets a cropped image of its rectangle, rendered from the original (PNG);
* a quote that contains words OCR recognised with low confidence is flagged.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from app.importers.ocr import LOW_CONFIDENCE, NO_CONFIDENCE
from app.pdfium_lock import PDFIUM_LOCK

if TYPE_CHECKING:
    from app.dossier import Dossier
    from app.exchange.filters import Selection
    from app.services.annotations import AnnotationView
    from app.services.documents import PageGeometry

#: Pixels per point of the cropped images (144 dpi).
CROP_SCALE = 2.0


@dataclass
class ReportExtras:
    """Cropped region images (PNG bytes) and annotations whose quote holds doubtful OCR words."""

    crops: dict[str, bytes] = field(default_factory=dict)
    doubtful: dict[str, int] = field(default_factory=dict)  # annotation id -> doubtful words


def data_uri(png: bytes) -> str:
    """A PNG as a ``data:`` URI (the report embeds its images; it loads nothing)."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def report_extras(dossier: Dossier | None, selection: Selection) -> ReportExtras:
    """Crops and OCR doubts for the annotations of ``selection`` (none without a dossier)."""
    from app.services.documents import page_geometry

    extras = ReportExtras()
    if dossier is None:
        return extras
    docs = selection.documents_by_id()
    by_doc: dict[str, list[AnnotationView]] = {}
    for ann in selection.annotations:
        by_doc.setdefault(ann.document_id, []).append(ann)
    for doc_id, anns in by_doc.items():
        doc = docs.get(doc_id)
        if doc is None or doc.kind not in ("pdf", "image"):
            continue
        pages = page_geometry(dossier, doc_id)
        for ann in anns:
            words = _doubtful_words(pages, ann.start, ann.end)
            if words:
                extras.doubtful[ann.id] = words
        regions = [a for a in anns if a.region is not None]
        if not regions:
            continue
        original = dossier.originals.path_for(doc.sha256)
        if not original.is_file():
            continue
        try:
            extras.crops.update(_crops(original.read_bytes(), regions,
                                       dossier.passwords.get(doc.sha256)))
        except Exception:  # an original PDFium cannot render: the entry shows no image
            continue
    return extras


def _doubtful_words(pages: list[PageGeometry], start: int, end: int) -> int:
    count = 0
    for page in pages:
        conf = page.confidence
        p0, p1 = page.start, page.end
        if not conf or p1 <= start or p0 >= end:
            continue
        in_word = False
        for i in range(max(start, p0) - p0, min(end, p1) - p0):
            low = conf[i] < LOW_CONFIDENCE
            if low and not in_word:
                count += 1
            in_word = low or (in_word and conf[i] != NO_CONFIDENCE)
    return count


def _crops(data: bytes, regions: list[AnnotationView], password: str | None
           ) -> dict[str, bytes]:
    import pypdfium2 as pdfium

    out: dict[str, bytes] = {}
    with PDFIUM_LOCK:
        if b"%PDF-" in data[:1024]:
            doc = pdfium.PdfDocument(data, password=password)
        else:
            from app.importers.image import image_pdf

            doc = pdfium.PdfDocument(image_pdf(data))
        try:
            for ann in regions:
                region = ann.region
                assert region is not None
                if not 1 <= region.page <= len(doc):
                    continue
                page = doc[region.page - 1]
                try:
                    image = page.render(scale=CROP_SCALE).to_pil()
                finally:
                    page.close()
                x0, y0, x1, y1 = (round(v * CROP_SCALE) for v in region.box)
                buffer = io.BytesIO()
                image.crop((x0, y0, x1, y1)).save(buffer, "PNG")
                out[ann.id] = buffer.getvalue()
        finally:
            doc.close()
    return out

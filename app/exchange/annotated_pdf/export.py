"""Annotated PDF: a copy of an original PDF with every annotation as a real PDF highlight.

Each annotation becomes a ``/Highlight`` annotation per page it touches: ``/QuadPoints`` cover
its characters line by line, ``/C`` is its first tag's colour, ``/T`` its author, ``/Contents`` its
tags, note, attribution, grade and review status, ``/NM`` its Dossier id, with a ``/Popup`` and
a drawn appearance (``/AP``) so every reader shows it. The original's bytes are kept as they are
and the highlights are appended as an incremental update (the file starts with the original,
byte for byte), so the original's SHA-256 can still be checked; existing annotations stay.

Character boxes come from :func:`app.services.documents.page_geometry`: points, origin at the
top-left of the displayed page (the crop box clipped to the media box, after ``/Rotate``). They
are turned back into PDF user space here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from app.errors import BadInput
from app.progress import checkpoint

if TYPE_CHECKING:
    from app.dossier import Dossier
    from app.exchange.filters import Selection
    from app.services.annotations import AnnotationView
    from app.services.documents import DocumentView, PageGeometry

Box = tuple[float, float, float, float]  # x0, top, x1, bottom on the displayed page
DEFAULT_COLOUR = "#ffd54f"
#: Opacity of the highlight colour (also drawn with the Multiply blend mode).
OPACITY = 0.45


@dataclass
class AnnotatedPdfResult:
    """What was written: files, highlights, and annotations that could not be placed."""

    files: list[Path] = field(default_factory=list)
    highlights: int = 0
    skipped: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class VisibleBox:
    """A page's visible area in user space and its rotation, to map displayed points back."""

    x0: float
    y0: float
    x1: float
    y1: float
    rotation: int

    def to_user(self, x: float, y: float) -> tuple[float, float]:
        """User-space point for a displayed-page point (top-left origin, y down)."""
        if self.rotation == 90:
            return self.x0 + y, self.y0 + x
        if self.rotation == 180:
            return self.x1 - x, self.y0 + y
        if self.rotation == 270:
            return self.x1 - y, self.y1 - x
        return self.x0 + x, self.y1 - y


def visible_box(mediabox: Sequence[float], cropbox: Sequence[float] | None,
                rotate: int) -> VisibleBox:
    """The crop box clipped to the media box (as the importer measures pages), and the rotation."""
    mx0, mx1 = sorted((float(mediabox[0]), float(mediabox[2])))
    my0, my1 = sorted((float(mediabox[1]), float(mediabox[3])))
    cx0, cy0, cx1, cy1 = mx0, my0, mx1, my1
    if cropbox is not None:
        a0, a1 = sorted((float(cropbox[0]), float(cropbox[2])))
        b0, b1 = sorted((float(cropbox[1]), float(cropbox[3])))
        cx0, cy0, cx1, cy1 = max(a0, mx0), max(b0, my0), min(a1, mx1), min(b1, my1)
        if cx1 <= cx0 or cy1 <= cy0:
            cx0, cy0, cx1, cy1 = mx0, my0, mx1, my1
    return VisibleBox(cx0, cy0, cx1, cy1, (int(rotate) % 360) // 90 * 90)


def line_boxes(page: PageGeometry, start: int, end: int) -> list[Box]:
    """Boxes covering document offsets ``[start, end)`` on ``page``, one per line of text.

    Extractor-inserted characters (spaces, line breaks) have no ink and are left out. A line is a
    run of characters that overlap their neighbour across the writing direction, so vertical
    text on rotated pages is grouped as well as horizontal text.
    """
    first, last = max(start, page.start), min(end, page.end)
    runs: list[list[float]] = []
    previous: Box | None = None
    for offset in range(first, last):
        if page.synthetic[offset - page.start]:
            continue
        box = page.box(offset)
        if box[2] <= box[0] and box[3] <= box[1]:
            continue
        if previous is not None and runs and _same_line(previous, box):
            run = runs[-1]
            run[0], run[1] = min(run[0], box[0]), min(run[1], box[1])
            run[2], run[3] = max(run[2], box[2]), max(run[3], box[3])
        else:
            runs.append(list(box))
        previous = box
    return [(r[0], r[1], r[2], r[3]) for r in runs]


def _overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    return min(a1, b1) - max(a0, b0)


def _same_line(a: Box, b: Box) -> bool:
    height = max(1e-3, min(a[3] - a[1], b[3] - b[1]))
    width = max(1e-3, min(a[2] - a[0], b[2] - b[0]))
    across_horizontal = _overlap(a[1], a[3], b[1], b[3]) >= 0.5 * height
    gap_x = max(a[0], b[0]) - min(a[2], b[2])
    if across_horizontal and gap_x <= 3 * max(height, a[3] - a[1]):
        return True
    across_vertical = _overlap(a[0], a[2], b[0], b[2]) >= 0.5 * width
    gap_y = max(a[1], b[1]) - min(a[3], b[3])
    horizontal_neighbour = _overlap(a[1], a[3], b[1], b[3]) > 0
    return across_vertical and not horizontal_neighbour and gap_y <= 3 * width


def quad_points(boxes: Sequence[Box], area: VisibleBox) -> list[float]:
    """QuadPoints (upper-left, upper-right, lower-left, lower-right per box) in user space."""
    out: list[float] = []
    for x0, top, x1, bottom in boxes:
        for x, y in ((x0, top), (x1, top), (x0, bottom), (x1, bottom)):
            out.extend(round(v, 3) for v in area.to_user(x, y))
    return out


def rgb(colour: str) -> tuple[float, float, float]:
    """A ``#rrggbb`` colour as three numbers 0-1 (the default colour when it is malformed)."""
    digits = colour.lstrip("#")
    if not re.fullmatch(r"[0-9a-fA-F]{6}", digits):
        digits = DEFAULT_COLOUR[1:]
    return tuple(int(digits[i:i + 2], 16) / 255 for i in (0, 2, 4))  # type: ignore[return-value]


def pdf_date(stamp: str) -> str:
    """A Dossier time stamp as a PDF date string (``D:YYYYMMDDHHmmSSZ``)."""
    digits = "".join(re.findall(r"\d", stamp))[:14]
    return f"D:{digits.ljust(14, '0')}Z" if digits else ""


def popup_text(ann: AnnotationView) -> str:
    """What the highlight's popup says: tags, note, attribution, grade and review status."""
    lines = []
    if ann.tags:
        lines.append("Tags: " + "; ".join(t.path for t in ann.tags))
    if ann.note.strip():
        lines.append(ann.note.strip())
    if ann.attribution.strip():
        lines.append(f"Attribution: {ann.attribution.strip()}")
    facts = [f"Grade {ann.grade}"] if ann.grade else []
    facts.append(f"Review: {ann.status.replace('_', ' ')}")
    lines.append(" · ".join(facts))
    return "\n\n".join(lines)


def annotate_pdf(dossier: Dossier, document: DocumentView,
                 annotations: Sequence[AnnotationView], path: Path) -> AnnotatedPdfResult:
    """Write a copy of ``document``'s original with ``annotations`` as highlights to ``path``."""
    from app.exchange.annotated_pdf.writer import HighlightWriter
    from app.services.documents import page_geometry

    if document.kind != "pdf":
        raise BadInput(f"document '{document.title}' is not a PDF; annotated PDFs are made from "
                       "PDF documents only")
    original = dossier.originals.path_for(document.sha256)
    if not original.is_file():
        raise BadInput(f"the original of '{document.title}' is missing from the dossier; run "
                       "'dossier verify'")
    pages = page_geometry(dossier, document.id)
    result = AnnotatedPdfResult()
    writer = HighlightWriter(original.read_bytes(), document.title)
    for ann in annotations:
        checkpoint()
        if ann.anchor == "orphaned":
            result.skipped.append(f"{ann.id[:8]}: its passage was not found in this version")
            continue
        if ann.region is not None:  # a region: a Square annotation round its rectangle
            writer.add_square(ann.region.page - 1, ann.region.box, ann, name=ann.id)
            result.highlights += 1
            continue
        placed = 0
        for page in pages:
            if page.end <= ann.start or page.start >= ann.end:
                continue
            boxes = line_boxes(page, ann.start, ann.end)
            if boxes:
                suffix = "" if placed == 0 else f"-p{page.number}"
                writer.add(page.number - 1, boxes, ann, name=ann.id + suffix)
                placed += 1
        if placed:
            result.highlights += placed
        else:
            result.skipped.append(f"{ann.id[:8]}: no characters with a position on the page")
    try:
        with path.open("wb") as fh:
            writer.write(fh)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    result.files.append(path)
    return result


def _file_name(doc: DocumentView) -> str:
    stem = re.sub(r"[^\w.-]+", "-", doc.title or doc.filename).strip("-.")[:60] or "document"
    return f"{stem}-{doc.id[:8]}-annotated.pdf"


def _notes(result: AnnotatedPdfResult) -> list[str]:
    return [f"annotation {s}; it has no highlight" for s in result.skipped]


def write_annotated_pdf(dossier: Dossier, selection: Selection, out: Path | str) -> list[str]:
    """Export writer for ``annotated-pdf``: the selection's one PDF with its highlights at ``out``.

    Returns notes about annotations that could not be drawn (e.g. orphaned ones).
    """
    pdfs = [d for d in selection.documents if d.kind == "pdf"]
    if not pdfs:
        raise BadInput("the selection holds no PDF document; choose a PDF with --doc")
    if len(pdfs) > 1:
        raise BadInput(f"{len(pdfs)} PDFs are selected; an annotated PDF is made from one "
                       "document: choose it with --doc")
    doc = pdfs[0]
    return _notes(annotate_pdf(dossier, doc, selection.annotations_of(doc.id), Path(out)))


def export_annotated_pdfs(dossier: Dossier, selection: Selection,
                          folder: Path | str) -> AnnotatedPdfResult:
    """One ``<title>-<id>-annotated.pdf`` per PDF of the selection, written into ``folder``."""
    target = Path(folder)
    pdfs = [d for d in selection.documents if d.kind == "pdf"]
    if not pdfs:
        raise BadInput("the selection holds no PDF document; choose PDFs to annotate")
    target.mkdir(parents=True, exist_ok=True)
    total = AnnotatedPdfResult()
    for doc in pdfs:
        one = annotate_pdf(dossier, doc, selection.annotations_of(doc.id),
                           target / _file_name(doc))
        total.files += one.files
        total.highlights += one.highlights
        total.skipped += [f"{doc.title}: {s}" for s in one.skipped]
    return total

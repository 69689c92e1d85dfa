"""Adding highlight annotations to a PDF with pypdf, as an incremental update of the original."""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence
from typing import IO, TYPE_CHECKING, Any

from pypdf import PdfReader, PdfWriter
from pypdf.errors import PdfReadError, PyPdfError
from pypdf.generic import (
    ArrayObject,
    BooleanObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    NumberObject,
    RectangleObject,
    TextStringObject,
)

from app.errors import BadInput
from app.exchange.annotated_pdf.export import (
    DEFAULT_COLOUR,
    OPACITY,
    Box,
    pdf_date,
    popup_text,
    quad_points,
    rgb,
    visible_box,
)

if TYPE_CHECKING:
    from app.services.annotations import AnnotationView

_PRINT_FLAG = 4
logging.getLogger("pypdf").setLevel(logging.ERROR)


def _name(value: str) -> NameObject:
    return NameObject(value)


def _numbers(values: Sequence[float]) -> ArrayObject:
    return ArrayObject(FloatObject(round(v, 3)) for v in values)


class HighlightWriter:
    """Collects highlights for one PDF and writes the annotated copy."""

    def __init__(self, original: bytes, title: str) -> None:
        self.title = title
        try:
            encrypted = PdfReader(io.BytesIO(original), strict=False).is_encrypted
        except (PyPdfError, ValueError, KeyError, TypeError) as exc:
            raise BadInput(f"'{title}': the PDF cannot be read for highlighting ({exc}); "
                           "export another format") from exc
        if encrypted:
            raise BadInput(f"'{title}' is encrypted; Dossier cannot add highlights to it "
                           "(export the evidence report instead)")
        try:
            self.writer = PdfWriter(io.BytesIO(original), incremental=True)
            self.incremental = True
        except (PyPdfError, ValueError, KeyError, TypeError) as exc:
            try:  # some damaged files cannot be updated in place: rewrite them instead
                self.writer = PdfWriter(clone_from=PdfReader(io.BytesIO(original), strict=False))
                self.incremental = False
            except (PyPdfError, ValueError, KeyError, TypeError) as again:
                raise BadInput(f"'{title}': the PDF cannot be rewritten with highlights "
                               f"({again}); export another format") from exc

    def add(self, page_index: int, boxes: Sequence[Box], ann: AnnotationView, *, name: str) -> None:
        """Add one highlight (with its popup) over ``boxes`` on page ``page_index`` (0-based)."""
        try:
            page = self.writer.pages[page_index]
        except IndexError as exc:
            raise BadInput(f"'{self.title}' has no page {page_index + 1}; the original does not "
                           "match the stored document") from exc
        area = visible_box(page.mediabox, page.cropbox, page.rotation)
        quads = quad_points(boxes, area)
        xs, ys = quads[0::2], quads[1::2]
        rect = [min(xs), min(ys), max(xs), max(ys)]
        colour = rgb(ann.tags[0].colour if ann.tags else DEFAULT_COLOUR)
        highlight = DictionaryObject({
            _name("/Type"): _name("/Annot"),
            _name("/Subtype"): _name("/Highlight"),
            _name("/Rect"): RectangleObject(rect),
            _name("/QuadPoints"): _numbers(quads),
            _name("/C"): _numbers(colour),
            _name("/CA"): FloatObject(OPACITY),
            _name("/F"): NumberObject(_PRINT_FLAG),
            _name("/NM"): TextStringObject(name),
            _name("/T"): TextStringObject(ann.author),
            _name("/Contents"): TextStringObject(popup_text(ann)),
            _name("/Subj"): TextStringObject("; ".join(t.path for t in ann.tags) or "Highlight"),
            _name("/M"): TextStringObject(pdf_date(ann.modified)),
            _name("/CreationDate"): TextStringObject(pdf_date(ann.created)),
            _name("/AP"): DictionaryObject({
                _name("/N"): self._appearance(quads, rect, colour),
            }),
        })
        added = self.writer.add_annotation(page, highlight)
        popup_rect = [rect[2], max(rect[1], rect[3] - 120), rect[2] + 200, rect[3]]
        self.writer.add_annotation(page, DictionaryObject({
            _name("/Type"): _name("/Annot"),
            _name("/Subtype"): _name("/Popup"),
            _name("/Rect"): RectangleObject(popup_rect),
            _name("/Open"): BooleanObject(False),
            _name("/Parent"): added.indirect_reference,
        }))

    def add_square(self, page_index: int, box: Box, ann: AnnotationView, *, name: str) -> None:
        """Add a Square annotation (outlined in the tag colour) round a region's rectangle."""
        try:
            page = self.writer.pages[page_index]
        except IndexError as exc:
            raise BadInput(f"'{self.title}' has no page {page_index + 1}; the original does not "
                           "match the stored document") from exc
        area = visible_box(page.mediabox, page.cropbox, page.rotation)
        quads = quad_points([box], area)
        xs, ys = quads[0::2], quads[1::2]
        rect = [min(xs), min(ys), max(xs), max(ys)]
        colour = rgb(ann.tags[0].colour if ann.tags else DEFAULT_COLOUR)
        width = 1.5
        stream = DecodedStreamObject()
        stream.set_data("{:.4f} {:.4f} {:.4f} RG {:.2f} w {:.3f} {:.3f} {:.3f} {:.3f} re S".format(
            *colour, width, rect[0] + width / 2, rect[1] + width / 2,
            rect[2] - rect[0] - width, rect[3] - rect[1] - width).encode("ascii"))
        stream.update({
            _name("/Type"): _name("/XObject"),
            _name("/Subtype"): _name("/Form"),
            _name("/BBox"): RectangleObject(rect),
        })
        self.writer.add_annotation(page, DictionaryObject({
            _name("/Type"): _name("/Annot"),
            _name("/Subtype"): _name("/Square"),
            _name("/Rect"): RectangleObject(rect),
            _name("/C"): _numbers(colour),
            _name("/BS"): DictionaryObject({_name("/W"): FloatObject(width)}),
            _name("/F"): NumberObject(_PRINT_FLAG),
            _name("/NM"): TextStringObject(name),
            _name("/T"): TextStringObject(ann.author),
            _name("/Contents"): TextStringObject(popup_text(ann)),
            _name("/Subj"): TextStringObject("; ".join(t.path for t in ann.tags) or "Region"),
            _name("/M"): TextStringObject(pdf_date(ann.modified)),
            _name("/CreationDate"): TextStringObject(pdf_date(ann.created)),
            _name("/AP"): DictionaryObject({_name("/N"): self.writer._add_object(stream)}),
        }))

    def _appearance(self, quads: list[float], rect: list[float],
                    colour: tuple[float, float, float]) -> Any:
        ops = ["/GS0 gs", "{:.4f} {:.4f} {:.4f} rg".format(*colour)]
        for i in range(0, len(quads), 8):
            ul, ur, ll, lr = (quads[i + j:i + j + 2] for j in (0, 2, 4, 6))
            ops.append("{:.3f} {:.3f} m {:.3f} {:.3f} l {:.3f} {:.3f} l {:.3f} {:.3f} l h f".format(
                *ul, *ur, *lr, *ll))
        stream = DecodedStreamObject()
        stream.set_data("\n".join(ops).encode("ascii"))
        stream.update({
            _name("/Type"): _name("/XObject"),
            _name("/Subtype"): _name("/Form"),
            _name("/BBox"): RectangleObject(rect),
            _name("/Resources"): DictionaryObject({
                _name("/ExtGState"): DictionaryObject({
                    _name("/GS0"): DictionaryObject({
                        _name("/BM"): _name("/Multiply"),
                        _name("/ca"): FloatObject(OPACITY),
                        _name("/CA"): FloatObject(OPACITY),
                    }),
                }),
            }),
        })
        # pypdf offers no public call that makes an object indirect; a stream must be indirect.
        return self.writer._add_object(stream)

    def write(self, out: IO[bytes]) -> None:
        """Write the annotated PDF to ``out``."""
        try:
            self.writer.write(out)
        except (PyPdfError, PdfReadError, ValueError, KeyError) as exc:
            raise BadInput(f"'{self.title}': writing the annotated PDF failed ({exc}); export "
                           "another format") from exc

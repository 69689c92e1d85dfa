"""Faithful PDF import: per-page text in reading order with a box for every code point.

API:

* :func:`extract_pdf` - the whole document as an :class:`ExtractedDocument` (kind ``"pdf"``);
* :func:`open_pdf` + :meth:`PdfSource.iter_pages` - the same, streamed: pages arrive in order as
  soon as each is ready; :meth:`PdfSource.document` assembles them afterwards;
* :func:`iter_pdf_pages` - shorthand for ``open_pdf(...).iter_pages(...)``.

Characters come from pdfminer.six (fonts, encodings, ToUnicode) driven by our own content-stream
interpreter (:mod:`~app.importers.pdf_interp`); reading order, word spaces, columns and
right-to-left text are handled in :mod:`~app.importers.pdf_layout` under :class:`PdfSettings`,
which - with the library versions - forms :attr:`ExtractedDocument.extractor`. Pages are extracted
in worker processes (:mod:`~app.importers.pdf_pool`).

Text choices (what a page's text is):

* reading order: blocks top to bottom, columns left to right, rotated text after upright text;
  the lines of a paragraph are joined by one synthetic space (none after a word broken at a dash
  - the dash is kept - nor between CJK characters); paragraphs and blocks end with ``\\n``;
* word spaces are inserted where the gap between glyphs exceeds ``x_tolerance_ratio`` x font
  size; spaces drawn by the PDF are kept (one per gap) as real characters with their boxes;
* right-to-left runs are in logical (typing) order; digits keep their order;
* ligature glyphs (ﬁ, ﬀ...) and Arabic presentation forms are expanded to their letters, each
  letter with the glyph's box; codes a font cannot map become U+FFFD;
* glyphs drawn twice at the same place are kept once; glyphs centred off the page are dropped;
  text drawn invisibly or in white is kept (it is in the document, e.g. an OCR layer);
* NFC per page, with boxes merged over any characters NFC combines.
"""

from __future__ import annotations

import json
import logging
import os
import re
from array import array
from collections.abc import Iterator
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

from app.importers.base import (
    CancelCheck,
    ExtractedDocument,
    ExtractedPage,
    ImportRefused,
    PasswordRequired,
    ProgressCallback,
    join_pages,
)
from app.importers.bounds import OPEN_SECONDS
from app.importers.ocr import OcrOptions
from app.importers.pdf_meta import (
    info_is_page_tree,
    page_label,
    page_tree_ok,
    pdf_date,
    read_metadata,
    str_or_none,
)
from app.importers.pdf_ocr import mostly_image
from app.importers.pdf_pool import extract_pages
from app.importers.pdf_settings import PdfSettings
from app.importers.pdf_worker import OpenDocument, Packed
from app.importers.sandbox import run_bounded

__all__ = [
    "EXTRACTOR_VERSION",
    "PdfSettings",
    "PdfSource",
    "extract_pdf",
    "extractor_id",
    "iter_pdf_pages",
    "open_pdf",
    "pdf_date",
]

#: Bump when the extraction algorithm changes in a way that changes text.
EXTRACTOR_VERSION = 1

if logging.getLogger("pdfminer").level == logging.NOTSET:
    # pdfminer warns about every odd font it meets; that is not something a user can act on.
    logging.getLogger("pdfminer").setLevel(logging.ERROR)


def _version(dist: str) -> str:
    try:
        return version(dist)
    except PackageNotFoundError:
        return "unknown"


def extractor_id(settings: PdfSettings | None = None) -> str:
    """The extractor identity stored with a document: name, versions and settings."""
    s = settings or PdfSettings()
    return (
        f"dossier-pdf/{EXTRACTOR_VERSION} pdfminer.six={_version('pdfminer.six')} "
        f"pdfplumber={_version('pdfplumber')} {s.describe()}"
    )


class PdfSource:
    """An opened, checked PDF: page count, metadata, and its pages on demand."""

    def __init__(
        self, path: Path, password: str | None, settings: PdfSettings, title_fallback: str,
        *, bounded: bool = True,
        ocr: OcrOptions | None = None,
    ) -> None:
        self.path = path
        self.password = password
        self.settings = settings
        #: Which pages to recognise (``None``: none).
        self.ocr = ocr
        self.page_count, self.labels, self.metadata, self.damage = (
            run_bounded(_inspect, str(path), password, name=path.name, seconds=OPEN_SECONDS)
            if bounded else _inspect(str(path), password))
        self._doc_warnings = [f"{path.name} is damaged: {d}" for d in self.damage]
        self.title = str(self.metadata.get("title") or "") or title_fallback
        self.warnings: list[str] = list(self._doc_warnings)
        self._glyphs = 0
        self._images = 0.0
        self._errors: list[str] = []
        self._ocr_pages: list[int] = []

    def iter_pages(
        self,
        *,
        progress: ProgressCallback | None = None,
        cancel: CancelCheck | None = None,
        workers: int | None = None,
    ) -> Iterator[tuple[int, ExtractedPage]]:
        """Yield ``(index, page)`` in page order, each as soon as it (and those before) is ready.

        ``workers``: processes to use (default: the CPU count); only ``workers=1`` extracts in
        this process. Raises :class:`ImportCancelled` when
        ``cancel()`` becomes true (checked between pages).
        """
        self.warnings = list(self._doc_warnings)
        self._glyphs = 0
        self._images = 0.0
        self._errors = []
        self._ocr_pages = []
        name = self.path.name
        for packed in extract_pages(
            str(self.path), self.password, self.page_count, self.settings,
            progress=progress, cancel=cancel, workers=workers, ocr=self.ocr,
        ):
            page = self._page(packed)
            if packed[10] is not None:
                self._errors.append(packed[10])
                self.warnings.append(
                    f"page {packed[0] + 1} of {name} could not be read ({packed[10]}); "
                    "its text is missing"
                )
            yield packed[0], page

    def _page(self, packed: Packed) -> ExtractedPage:
        (index, text, boxes, synthetic, width, height, rotation,
         count, glyph_area, image_area, _error, ocr) = packed
        self._glyphs += count
        self._images += image_area
        provenance = json.loads(ocr[0]) if ocr is not None else None
        if ocr is not None:
            self._ocr_pages.append(index)
            if not count:
                self.warnings.append(
                    f"page {index + 1} of {self.path.name}: OCR found no text in its image; "
                    "tag regions of it to annotate it")
        elif mostly_image(width, height, glyph_area, image_area):
            self.warnings.append(
                f"page {index + 1} of {self.path.name} is mostly image: text in the image is not "
                "searchable (import it with --ocr auto to recognise it)"
            )
        box_array = array("f")
        box_array.frombytes(boxes)
        return ExtractedPage(
            text=text,
            boxes=box_array,
            synthetic=synthetic,
            width=width,
            height=height,
            rotation=rotation,
            label=self.labels[index] if index < len(self.labels) else None,
            ocr=provenance,
            confidence=ocr[1] if ocr is not None else None,
        )

    def _ocr_identity(self, pages: list[ExtractedPage]) -> str:
        """What recognised the OCR'd pages (part of the extractor's identity), if any."""
        done = [p.ocr for p in pages if p.ocr]
        if not done:
            return ""
        first = done[0]
        return (f" ocr={first.get('engine')}-{first.get('version')} lang={first.get('lang')} "
                f"dpi={first.get('dpi')} pages={len(done)}")

    def document(self, pages: list[ExtractedPage]) -> ExtractedDocument:
        """Assemble the extracted ``pages`` (all of them, in order) into the document.

        Raises :class:`ImportRefused` if no page has any text.
        """
        if self._glyphs == 0 and pages and len(self._errors) == len(pages):
            raise ImportRefused(
                f"{self.path.name} is damaged: no page could be read ({self._errors[0]}); "
                "get an undamaged copy"
            )
        if self._glyphs == 0 and not self._ocr_pages:
            name = self.path.name
            if self._images > 0:
                if self.damage:  # e.g. a looping page tree around a scanned page
                    name += f" is damaged ({self.damage[0].split(',')[0]}) and"
                raise ImportRefused(
                    f"{name} has no extractable text (it is a scanned image); "
                    "OCR it first, then import the result"
                )
            raise ImportRefused(
                f"{name} is blank: its {len(pages)} page(s) hold no text and no images; "
                "nothing to import"
            )
        text, _ranges = join_pages(pages)
        meta = self.metadata
        return ExtractedDocument(
            kind="pdf",
            text=text,
            title=self.title,
            author=str_or_none(meta.get("author")),
            published=str_or_none(meta.get("created")),
            pages=pages,
            extractor=extractor_id(self.settings) + self._ocr_identity(pages),
            metadata=dict(meta),
            warnings=list(self.warnings),
        )


def open_pdf(
    path: str | os.PathLike[str],
    *,
    password: str | None = None,
    settings: PdfSettings | None = None,
    title: str | None = None,
    bounded: bool = True,
    ocr: OcrOptions | None = None,
) -> PdfSource:
    """Open and check a PDF (raises :class:`ImportRefused` / :class:`PasswordRequired`).

    The file is parsed in a bounded child process unless ``bounded`` is false (a trusted file).
    """
    p = Path(path)
    return PdfSource(p, password, settings or PdfSettings(), title or p.stem, bounded=bounded,
                     ocr=ocr)


def iter_pdf_pages(
    path: str | os.PathLike[str],
    *,
    password: str | None = None,
    settings: PdfSettings | None = None,
    progress: ProgressCallback | None = None,
    cancel: CancelCheck | None = None,
    workers: int | None = None,
) -> Iterator[tuple[int, ExtractedPage]]:
    """``(index, page)`` in page order, each as soon as it is ready (see :class:`PdfSource`)."""
    source = open_pdf(path, password=password, settings=settings, bounded=workers != 1)
    yield from source.iter_pages(progress=progress, cancel=cancel, workers=workers)


def extract_pdf(
    path: str | os.PathLike[str],
    *,
    password: str | None = None,
    settings: PdfSettings | None = None,
    progress: ProgressCallback | None = None,
    cancel: CancelCheck | None = None,
    workers: int | None = None,
    title: str | None = None,
    ocr: OcrOptions | None = None,
) -> ExtractedDocument:
    """Extract a whole PDF. ``title`` is the fallback when the PDF names none (default: stem).

    ``ocr``: which pages to recognise with Tesseract (default: none).
    """
    source = open_pdf(path, password=password, settings=settings, title=title,
                      bounded=workers != 1, ocr=ocr)
    pages = [
        page for _, page in source.iter_pages(progress=progress, cancel=cancel, workers=workers)
    ]
    return source.document(pages)


# -- opening and refusing ------------------------------------------------------------------------

_HTML = re.compile(rb"^\s*(?:<!doctype|<html|<head|<body|<\?xml|<!--|<meta|<div|<p\b)", re.I)


def _open_checked(path: Path, password: str | None) -> OpenDocument:
    name = path.name
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(1024)
            fh.seek(max(0, size - 2048))
            tail = fh.read()
    except FileNotFoundError:
        raise ImportRefused(f"{name}: no such file; check the path") from None
    except OSError as exc:
        raise ImportRefused(f"{name} cannot be read ({exc.strerror}); check the file") from None
    if size == 0:
        raise ImportRefused(f"{name} is empty (0 bytes); there is nothing to import")
    if b"%PDF-" not in head:
        if _HTML.match(head):
            raise ImportRefused(
                f"{name} is not a PDF but an HTML page with a .pdf name; "
                "import it as an article, or download the real PDF"
            )
        raise ImportRefused(
            f"{name} is not a PDF (it does not start with %PDF-); check that it is the right file"
        )
    try:
        return OpenDocument(str(path), password)
    except PDFPasswordIncorrect:
        if password:
            raise PasswordRequired(
                f"wrong password for {name}; give the right one with --password"
            ) from None
        raise PasswordRequired(f"{name} is encrypted; give its password with --password") from None
    except PDFEncryptionError as exc:
        raise ImportRefused(
            f"{name} uses an encryption Dossier cannot open ({exc}); "
            "save a decrypted copy and import that"
        ) from None
    except RecursionError:
        raise ImportRefused(
            f"{name} is damaged: its structure loops into itself, so it cannot be read; "
            "get an undamaged copy"
        ) from None
    except Exception as exc:
        if b"%%EOF" not in tail:
            raise ImportRefused(
                f"{name} is truncated (the end of the file is missing); "
                "download or copy it again"
            ) from None
        raise ImportRefused(
            f"{name} is damaged and cannot be read ({type(exc).__name__}); get an undamaged copy"
        ) from None


def _inspect(path: str, password: str | None) -> tuple[int, list[str | None], dict[str, Any],
                                                     list[str]]:
    """Page count, page labels, metadata and structural damage of a PDF (refuses what cannot
    be read); run in a bounded process."""
    opened = _open_checked(Path(path), password)
    try:
        _check_pages(opened, Path(path).name)
        page_count = len(opened.pages)
        labels = [page_label(p.label) for p in opened.pages]
        metadata = read_metadata(opened)
        damage: list[str] = []
        if not page_tree_ok(opened):
            damage.append(
                f"its page list is broken: {page_count} page(s) were found by scanning "
                "the file; pages may be missing or out of order"
            )
        if opened.lenient:
            damage.append(
                "its pages are not marked as pages in its page tree; "
                f"{page_count} page(s) were found by following the tree leniently")
        if info_is_page_tree(opened):
            damage.append(
                "its document information points into the page tree, a loop that sends "
                "naive readers into endless recursion; imported without metadata"
            )
    finally:
        opened.close()
    return page_count, labels, metadata, damage


def _check_pages(opened: OpenDocument, name: str) -> None:
    if not opened.pages:
        raise ImportRefused(
            f"{name} is damaged: no page can be found in it (broken page tree); "
            "get an undamaged copy"
        )

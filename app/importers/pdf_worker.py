"""Page extraction as run in a worker process (or in-process for small documents).

Workers receive ``(path, password, page indices, settings)`` and return compact tuples (text,
packed boxes, synthetic flags, sizes): no per-character Python objects cross the process boundary.
A worker keeps the last document it opened, so a document is parsed once per worker however many
chunks of it the worker is given.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from typing import Any, BinaryIO

from pdfminer.pdfdocument import PDFDocument
from pdfminer.pdfinterp import PDFResourceManager
from pdfminer.pdfpage import PDFPage
from pdfminer.pdfparser import PDFParser

from app.importers.bounds import PAGE_SECONDS, limit_worker
from app.importers.ocr import OcrOptions
from app.importers.pdf_interp import PageInterpreter, PageTimeout, PageTooLarge, deadline_check
from app.importers.pdf_layout import layout_page
from app.importers.pdf_ocr import OcrRecord, apply_ocr
from app.importers.pdf_pages import lenient_pages
from app.importers.pdf_settings import PdfSettings

#: ``(index, text, boxes bytes (float32 x4 per code point), synthetic bytes, width, height,
#: rotation, glyph count, glyph area, image area, error or None, OCR record or None)``
Packed = tuple[
    int, str, bytes, bytes, float, float, int, int, float, float, "str | None", "OcrRecord"
]

#: Time one page may take before it is given up (a defence against pathological files).
PAGE_TIMEOUT = PAGE_SECONDS


class OpenDocument:
    """A parsed document: pdfminer's document, its pages and an interpreter with a font cache."""

    def __init__(self, path: str, password: str | None) -> None:
        self.key = _key(path, password)
        self._fp: BinaryIO = open(path, "rb")  # noqa: SIM115 - closed by close()
        try:
            self.doc = PDFDocument(PDFParser(self._fp), password=password or "")
            self.pages: list[PDFPage] = list(PDFPage.create_pages(self.doc))
            #: True when the pages were found only by the lenient walk (:mod:`.pdf_pages`).
            self.lenient = not self.pages
            if self.lenient:
                self.pages = lenient_pages(self.doc)
        except BaseException:
            self._fp.close()
            raise
        self.interp = PageInterpreter(PDFResourceManager(caching=True))

    def close(self) -> None:
        self._fp.close()

    def extract(
        self,
        index: int,
        settings: PdfSettings,
        timeout: float = PAGE_TIMEOUT,
        cancelled: Callable[[], bool] | None = None,
    ) -> Packed:
        """Extract page ``index``; a page that cannot be read yields an error, not an exception.

        Raises :class:`PageTimeout` only when ``cancelled()`` became true.
        """
        try:
            glyphs, width, height, rotation = self.interp.run(
                self.pages[index], deadline_check(timeout, cancelled)
            )
            page = layout_page(glyphs, width, height, settings)
        except PageTimeout:
            if cancelled is not None and cancelled():
                raise
            return _failed(index, f"reading it took longer than {timeout:.0f} s")
        except RecursionError:
            return _failed(index, "its content is nested too deeply")
        except PageTooLarge as exc:
            return _failed(index, str(exc))
        except MemoryError:
            return _failed(index, "it needs more memory than a page may use")
        except Exception as exc:  # a damaged page must not lose the others
            return _failed(index, f"{type(exc).__name__}: {exc}".splitlines()[0][:200])
        return (
            index,
            page.text,
            page.boxes.tobytes(),
            page.synthetic,
            width,
            height,
            rotation,
            page.glyph_count,
            page.glyph_area,
            glyphs.image_area,
            None,
            None,
        )


def _failed(index: int, why: str) -> Packed:
    return (index, "", b"", b"", 0.0, 0.0, 0, 0, 0.0, 0.0, why, None)


def _key(path: str, password: str | None) -> tuple[Any, ...]:
    st = os.stat(path)
    return (os.path.abspath(path), st.st_size, st.st_mtime_ns, password)


_cache: list[OpenDocument] = []  # at most one: the document this worker read last


def open_cached(path: str, password: str | None) -> OpenDocument:
    """The worker's open document for ``path`` (opening it, and closing the previous one)."""
    key = _key(path, password)
    if _cache and _cache[0].key == key:
        return _cache[0]
    while _cache:
        _cache.pop().close()
    opened = OpenDocument(path, password)
    _cache.append(opened)
    return opened


def extract_chunk(
    path: str, password: str | None, indices: list[int], settings: PdfSettings,
    ocr: OcrOptions | None = None,
) -> list[Packed]:
    """Worker entry point: extract the pages ``indices`` of ``path`` (with OCR where wanted)."""
    opened = open_cached(path, password)
    return [apply_ocr(opened.extract(i, settings), path, password, ocr) for i in indices]


def worker_init(main_pid: int | None = None) -> None:
    """Process-pool initializer: bounded memory, death with Dossier, and pdfminer's warnings
    about odd fonts silenced (they are not the user's business)."""
    limit_worker(main_pid)
    logging.getLogger("pdfminer").setLevel(logging.ERROR)

"""Extract a document's pages in parallel worker processes, yielding them in page order.

The pool uses the "forkserver" start method where available (a small server process, started
once, preloads pdfminer and forks workers from itself: no Qt state is ever forked and a new pool
starts in milliseconds), else "spawn". Pages go out in contiguous chunks (a worker parses the
document once and keeps it); the first chunks are small so the first pages arrive early.
"""

from __future__ import annotations

import math
import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.context import BaseContext
from pathlib import Path

from app.importers.base import CancelCheck, ImportCancelled, ImportRefused, ProgressCallback
from app.importers.ocr import OcrOptions
from app.importers.pdf_interp import PageTimeout
from app.importers.pdf_ocr import apply_ocr
from app.importers.pdf_settings import PdfSettings
from app.importers.pdf_worker import OpenDocument, Packed, extract_chunk, worker_init

#: Largest number of pages a worker is given at once.
MAX_CHUNK = 8
_POLL = 0.05  # seconds between cancel checks while waiting for a worker

_contexts: list[BaseContext] = []


def pool_context() -> BaseContext:
    """The multiprocessing context for extraction workers (never plain "fork")."""
    if not _contexts:
        if "forkserver" in multiprocessing.get_all_start_methods():
            ctx = multiprocessing.get_context("forkserver")
            ctx.set_forkserver_preload(["app.importers.pdf_worker"])
            _contexts.append(ctx)
        else:
            _contexts.append(multiprocessing.get_context("spawn"))
    return _contexts[0]


def chunks(page_count: int, workers: int) -> list[list[int]]:
    """Contiguous page chunks: one small chunk per worker first, then up to :data:`MAX_CHUNK`."""
    size = max(1, min(MAX_CHUNK, math.ceil(page_count / (workers * 4))))
    first = max(1, size // 4)
    out: list[list[int]] = []
    start = 0
    while start < page_count:
        n = first if len(out) < workers else size
        out.append(list(range(start, min(page_count, start + n))))
        start += n
    return out


def extract_pages(
    path: str,
    password: str | None,
    page_count: int,
    settings: PdfSettings,
    *,
    progress: ProgressCallback | None = None,
    cancel: CancelCheck | None = None,
    workers: int | None = None,
    ocr: OcrOptions | None = None,
) -> Iterator[Packed]:
    """Packed pages ``0 .. page_count - 1`` in order (see :mod:`app.importers.pdf_worker`).

    Untrusted pages are read in worker processes with bounded memory that die with Dossier;
    only ``workers=1`` (a caller that trusts the file, e.g. a test fixture) reads in-process.
    ``ocr``: which pages to recognise (:mod:`app.importers.pdf_ocr`), in the same workers.
    """
    n = max(1, min(workers or os.cpu_count() or 1, page_count))
    if workers == 1:
        yield from _in_process(path, password, page_count, settings, progress, cancel, ocr)
    else:
        yield from _pooled(path, password, page_count, settings, progress, cancel, n, ocr)


def _in_process(
    path: str,
    password: str | None,
    page_count: int,
    settings: PdfSettings,
    progress: ProgressCallback | None,
    cancel: CancelCheck | None,
    ocr: OcrOptions | None = None,
) -> Iterator[Packed]:
    opened = OpenDocument(path, password)
    try:
        for i in range(page_count):
            if cancel is not None and cancel():
                raise ImportCancelled()
            try:
                packed = opened.extract(i, settings, cancelled=cancel)
            except PageTimeout:
                raise ImportCancelled() from None
            yield apply_ocr(packed, path, password, ocr)
            if progress is not None:
                progress(i + 1, page_count)
    finally:
        opened.close()


def _pooled(
    path: str,
    password: str | None,
    page_count: int,
    settings: PdfSettings,
    progress: ProgressCallback | None,
    cancel: CancelCheck | None,
    workers: int,
    ocr: OcrOptions | None = None,
) -> Iterator[Packed]:
    name = Path(path).name
    executor = ProcessPoolExecutor(workers, mp_context=pool_context(), initializer=worker_init,
                                   initargs=(os.getpid(),))
    try:
        futures: list[Future[list[Packed]]] = [
            executor.submit(extract_chunk, path, password, chunk, settings, ocr)
            for chunk in chunks(page_count, workers)
        ]
    except OSError:  # no worker process can be started here (limits, sandbox): work in-process
        executor.shutdown(wait=False, cancel_futures=True)
        yield from _in_process(path, password, page_count, settings, progress, cancel, ocr)
        return
    finished = False
    try:
        done = 0
        for future in futures:
            while True:
                if cancel is not None and cancel():
                    raise ImportCancelled()
                try:
                    result = future.result(timeout=_POLL)
                    break
                except FutureTimeout:
                    continue
                except BrokenProcessPool:
                    raise ImportRefused(
                        f"{name}: a page extraction process crashed (out of memory?); "
                        "try again, or import with fewer workers"
                    ) from None
                except Exception as exc:  # the worker could not open or read the document
                    raise ImportRefused(
                        f"{name} could not be read ({type(exc).__name__}: {exc})".splitlines()[0]
                    ) from None
            for packed in result:
                if cancel is not None and cancel():
                    raise ImportCancelled()
                done += 1
                yield packed
                if progress is not None:
                    progress(done, page_count)
        finished = True
    finally:
        # On cancel or error do not wait for chunks in flight; idle workers exit at once.
        executor.shutdown(wait=finished, cancel_futures=True)

"""Importing files, folders and URLs into a dossier.

Format is decided by content (:mod:`app.importers.detect`). Every import is atomic: a refusal,
an error or a cancel leaves no document, original, index entry or audit event behind.
"""

from __future__ import annotations

import stat
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.errors import DossierError
from app.importers.base import (
    CancelCheck,
    ExtractedDocument,
    ImportCancelled,
    ImportRefused,
    ProgressCallback,
)
from app.importers.bounds import EXTRACT_SECONDS
from app.importers.ocr import OcrOptions
from app.importers.sandbox import (
    FileBytes,
    extract_html_job,
    extract_text_job,
    run_bounded,
    submit_bounded,
)
from app.originals import OriginalsStore, sha256_bytes
from app.services.documents import DocumentView, document_view, id_by_sha256, store_document

if TYPE_CHECKING:
    from app.dossier import Dossier

#: Largest file Dossier will import (the originals store keeps every byte; the file is held in
#: memory while it is imported).
MAX_FILE_BYTES = 1024**3


@dataclass
class ImportResult:
    """What happened to one input: ``imported``, ``present`` (same bytes before) or ``refused``."""

    input: str
    status: str
    document: DocumentView | None = None
    message: str = ""
    warnings: list[str] = field(default_factory=list)


def extract(
    data: bytes, name: str, *, path: Path | None = None, url: str | None = None,
    charset: str | None = None, password: str | None = None,
    progress: ProgressCallback | None = None, cancel: CancelCheck | None = None,
    ocr: OcrOptions | None = None, sha256: str | None = None,
) -> ExtractedDocument:
    """Detect the format of ``data`` and run the matching importer.

    ``ocr``: which pages and images to recognise (default: pages without text, in English).
    ``sha256``: the hash of ``data``, read from ``path``: an HTML or text file's worker then
    reads the file itself (and refuses it if its bytes are no longer these).
    """
    ocr = ocr or OcrOptions()
    from app.importers.detect import detect_format

    kind = detect_format(data, name)
    if Path(name).suffix.lower() == ".pdf" and kind != "pdf":
        # Content decides the format, but a "PDF" that is really a web page is nearly always a
        # download that went wrong (an error or log-in page saved under the PDF's name).
        what = "an HTML page" if kind == "html" else "plain text"
        raise ImportRefused(
            f"{name} is not a PDF: its content is {what}, often an error or log-in page saved "
            "in place of the document; download the PDF again (or, if this page is what you "
            "meant, rename it to .html and import it)")
    if kind == "pdf":
        from app.importers.pdf import extract_pdf

        if path is not None:
            return extract_pdf(path, password=password, progress=progress, cancel=cancel,
                               ocr=ocr)
        with tempfile.TemporaryDirectory(prefix="dossier-import-") as tmp:
            tmp_path = Path(tmp) / (Path(name).name or "download.pdf")
            tmp_path.write_bytes(data)
            return extract_pdf(tmp_path, password=password, progress=progress, cancel=cancel,
                               ocr=ocr)
    if kind == "image":
        from app.importers.image import extract_image

        return extract_image(data, Path(name).name, ocr=ocr, progress=progress, cancel=cancel)
    if kind in ("html", "text"):
        fn, args = _bounded_job(kind, data, name, path=path, url=url, charset=charset,
                                sha256=sha256)
        return run_bounded(fn, *args, name=name, seconds=EXTRACT_SECONDS, cancel=cancel)
    raise ImportRefused(f"{name}: unsupported format {kind}")


def _bounded_job(
    kind: str, data: bytes, name: str, *, path: Path | None, url: str | None,
    charset: str | None, sha256: str | None,
) -> tuple[Callable[..., ExtractedDocument], tuple[Any, ...]]:
    """The worker job extracting an HTML or text file's text, and its arguments."""
    given: bytes | FileBytes = data
    if path is not None and sha256 is not None:
        # absolute: the worker's working folder is the one its server started in
        given = FileBytes(str(path.absolute()), len(data), sha256)
    if kind == "html":
        return extract_html_job, (given, url, name, charset)
    return extract_text_job, (given, name)


def _in_worker(data: bytes, name: str) -> str | None:
    """``html`` or ``text`` when :func:`extract` would hand ``data`` to the bounded worker."""
    from app.importers.detect import detect_format

    kind = detect_format(data, name)
    if kind in ("html", "text") and Path(name).suffix.lower() != ".pdf":
        return kind
    return None


class _OriginalWrite:
    """Keeping an original in a dossier folder (written, flushed to disk, renamed) on a thread
    of its own, started before the text is extracted: the disk's wait overlaps the extraction
    instead of following it. The import still keeps the original before its transaction and
    removes it if it fails. (A team dossier's originals go into its transaction: nothing to do
    early.)
    """

    def __init__(self, dossier: Dossier, data: bytes, digest: str) -> None:
        self._outcome: list[bool | BaseException] = []
        self._store, self._digest = dossier.originals, digest
        self._thread: threading.Thread | None = None
        if isinstance(self._store, OriginalsStore):
            self._thread = threading.Thread(target=self._run, args=(self._store, data),
                                            name="dossier-keep-original", daemon=True)
            self._thread.start()

    def _run(self, store: OriginalsStore, data: bytes) -> None:
        try:
            self._outcome.append(store.put(data, self._digest)[1])
        except BaseException as exc:  # handed to the importing thread by wait()
            self._outcome.append(exc)

    def wait(self) -> None:
        """Block until the original is kept; raise what writing it raised (a full disk...)."""
        if self._thread is not None:
            self._thread.join()
            if isinstance(self._outcome[0], BaseException):
                raise self._outcome[0]

    def discard(self) -> None:
        """The import failed: remove the original if this write created it."""
        if self._thread is not None:
            self._thread.join()
            if self._outcome[0] is True:
                self._store.discard(self._digest)


def _read(path: Path) -> bytes:
    """The bytes of a regular file, at most :data:`MAX_FILE_BYTES` of them.

    Devices, pipes and sockets are refused before they are opened (``/dev/zero`` never ends, a
    FIFO blocks for ever); a file that grows while it is read stops at the limit.
    """
    try:
        st = path.stat()
    except FileNotFoundError as exc:
        raise ImportRefused(f"{path}: no such file; check the path") from exc
    except OSError as exc:
        raise ImportRefused(f"{path}: cannot be read ({exc.strerror})") from exc
    if not stat.S_ISREG(st.st_mode):
        what = ("a folder" if stat.S_ISDIR(st.st_mode) else
                "a pipe" if stat.S_ISFIFO(st.st_mode) else
                "a device" if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode) else
                "a socket" if stat.S_ISSOCK(st.st_mode) else "not a regular file")
        raise ImportRefused(f"{path}: is {what}, not a file; Dossier imports files (save the "
                            "content to a file first)")
    too_big = ImportRefused(f"{path}: larger than the {MAX_FILE_BYTES // 1024**2} MiB Dossier "
                            "imports; split or compress the document first")
    if st.st_size > MAX_FILE_BYTES:
        raise too_big
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise ImportRefused(f"{path}: cannot be read ({exc.strerror})") from exc
    if len(data) > MAX_FILE_BYTES:
        raise too_big
    return data


def import_bytes(
    dossier: Dossier, data: bytes, name: str, *, source: str, path: Path | None = None,
    url: str | None = None, charset: str | None = None, custody: dict[str, Any] | None = None,
    password: str | None = None, progress: ProgressCallback | None = None,
    cancel: CancelCheck | None = None, previous_id: str | None = None,
    ocr: OcrOptions | None = None,
) -> ImportResult:
    """Import one original given as bytes; same bytes twice give the existing document."""
    digest = sha256_bytes(data)
    existing = id_by_sha256(dossier, digest)  # the one lookup of this hash
    if existing is not None:
        return _present(dossier, existing, source)
    original = _OriginalWrite(dossier, data, digest)  # written while the text is extracted
    stored = False
    try:
        extracted = extract(data, name, path=path, url=url, charset=charset, password=password,
                            progress=progress, cancel=cancel, ocr=ocr, sha256=digest)
        result = _store(dossier, data, name, extracted, original, digest, source=source,
                        custody=custody, previous_id=previous_id, password=password,
                        cancel=cancel)
        stored = True
    finally:
        if not stored:
            original.discard()
    return result


def _present(dossier: Dossier, existing: str, source: str) -> ImportResult:
    """The outcome for bytes the dossier already holds (a removed document comes back)."""
    from app.services.removal import restore_if_removed

    if restore_if_removed(dossier, existing):  # removed earlier: it comes back
        return ImportResult(source, "imported", document_view(dossier, existing),
                            "brought back into the library")
    return ImportResult(source, "present", document_view(dossier, existing),
                        "already in the dossier")


def _store(
    dossier: Dossier, data: bytes, name: str, extracted: ExtractedDocument,
    original: _OriginalWrite, digest: str, *, source: str, custody: dict[str, Any] | None,
    previous_id: str | None, password: str | None, cancel: CancelCheck | None,
) -> ImportResult:
    """The second half of an import: the extracted text checked, the original kept and the
    document stored (the caller discards the original if this raises)."""
    if cancel is not None and cancel():
        raise ImportCancelled(f"{name}: import cancelled")
    if (not extracted.text.strip() and extracted.kind != "image"
            and not any(p.ocr for p in extracted.pages)):
        raise ImportRefused(f"{name}: no text could be extracted; nothing was imported")
    original.wait()
    doc, created = store_document(
        dossier, data, extracted, source=source, filename=Path(name).name, custody=custody,
        previous_id=previous_id, sha256=digest, looked_up=True,
    )
    if password is not None and extracted.kind == "pdf":
        dossier.passwords[digest] = password
    status = "imported" if created else "present"
    return ImportResult(source, status, doc, "", list(extracted.warnings))


def import_file(
    dossier: Dossier, path: Path | str, *, password: str | None = None,
    progress: ProgressCallback | None = None, cancel: CancelCheck | None = None,
    previous_id: str | None = None, ocr: OcrOptions | None = None,
) -> ImportResult:
    """Import one file (raises :class:`ImportRefused` with the reason when it cannot)."""
    path = Path(path)
    return _import_read(dossier, path, _read(path), password=password, progress=progress,
                        cancel=cancel, previous_id=previous_id, ocr=ocr)


def _import_read(
    dossier: Dossier, path: Path, data: bytes, *, password: str | None = None,
    progress: ProgressCallback | None = None, cancel: CancelCheck | None = None,
    previous_id: str | None = None, ocr: OcrOptions | None = None,
) -> ImportResult:
    """:func:`import_file` once the file is read."""
    source = str(path.resolve())
    return import_bytes(dossier, data, path.name, source=source, path=path, password=password,
                        progress=progress, cancel=cancel, previous_id=previous_id,
                        custody={"imported_from": source}, ocr=ocr)


@dataclass
class Download:
    """A fetched original with its chain-of-custody facts."""

    data: bytes
    name: str
    url: str
    charset: str | None
    custody: dict[str, Any]


def download(url: str) -> Download:
    """Fetch ``url``, keeping the exact bytes, final URL, status and UTC retrieval time."""
    from app.importers.fetch import fetch_url

    page = fetch_url(url)
    custody = {
        "requested_url": page.requested_url, "final_url": page.final_url,
        "http_status": page.status, "retrieved_at": page.retrieved_at,
        "headers": dict(page.headers), "sha256": sha256_bytes(page.body),
        "content_encoding": page.content_encoding, "redirects": list(page.redirects),
    }
    name = page.final_url.rstrip("/").rsplit("/", 1)[-1] or "page.html"
    return Download(page.body, name, page.final_url, page.charset, custody)


def import_url(
    dossier: Dossier, url: str, *, password: str | None = None,
    progress: ProgressCallback | None = None, cancel: CancelCheck | None = None,
    previous_id: str | None = None, ocr: OcrOptions | None = None,
) -> ImportResult:
    """Fetch ``url`` and import the exact bytes received, with the chain-of-custody facts."""
    got = download(url)
    return import_bytes(dossier, got.data, got.name, source=got.url, url=got.url,
                        charset=got.charset, custody=got.custody, password=password,
                        progress=progress, cancel=cancel, previous_id=previous_id, ocr=ocr)


def is_url(spec: str) -> bool:
    """True for http(s) URLs given on the command line."""
    return spec.lower().startswith(("http://", "https://"))


def expand_inputs(specs: Iterable[str]) -> Iterator[str]:
    """Files and URLs to import: folders are walked recursively (hidden files skipped)."""
    for spec in specs:
        if is_url(spec):
            yield spec
            continue
        path = Path(spec)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                rel = child.relative_to(path)
                if child.is_file() and not any(part.startswith(".") for part in rel.parts):
                    yield str(child)
        else:
            yield spec


class _InWorker:
    """A new HTML or text file of a batch: its original is being kept and the bounded worker
    is extracting its text, while the file before it is stored. :meth:`finish` or
    :meth:`abandon` ends it, once."""

    def __init__(self, dossier: Dossier, spec: str, path: Path, data: bytes, digest: str,
                 kind: str) -> None:
        self.spec, self.path, self.data, self.digest = spec, path, data, digest
        self.source = str(path.resolve())
        self.original = _OriginalWrite(dossier, data, digest)
        try:
            fn, args = _bounded_job(kind, data, path.name, path=path, url=None, charset=None,
                                    sha256=digest)
            self.job = submit_bounded(fn, *args, name=path.name, seconds=EXTRACT_SECONDS)
        except BaseException:
            self.original.discard()
            raise
        self._collected = False
        self._extracted: ExtractedDocument | None = None
        self._error: Exception | None = None

    @property
    def cancelled(self) -> bool:
        return isinstance(self._error, ImportCancelled)

    def collect(self, cancel: CancelCheck | None) -> None:
        """Wait for the worker's result (kept for :meth:`finish`), so the worker is free."""
        if not self._collected:
            self._collected = True
            try:
                self._extracted = self.job.collect(cancel)
            except Exception as exc:  # raised by finish(), in this file's turn
                self._error = exc

    def finish(self, dossier: Dossier, cancel: CancelCheck | None) -> ImportResult:
        """Store the document, as :func:`import_file` would; the original is discarded if
        that fails."""
        self.collect(cancel)
        stored = False
        try:
            if self._error is not None:
                raise self._error
            assert self._extracted is not None
            result = _store(dossier, self.data, self.path.name, self._extracted, self.original,
                            self.digest, source=self.source,
                            custody={"imported_from": self.source}, previous_id=None,
                            password=None, cancel=cancel)
            stored = True
        finally:
            if not stored:
                self.original.discard()
        return result

    def abandon(self) -> None:
        """The batch stopped (cancelled): drop the job and the original written for it."""
        if not self._collected:
            self._collected = True
            self.job.abandon()
        self.original.discard()


def _start_in_worker(
    dossier: Dossier, spec: str, busy: _InWorker | None, cancel: CancelCheck | None,
) -> _InWorker | bytes:
    """Read ``path`` and, if it is new HTML or text, hand it to the worker (after collecting
    ``busy``'s result: one job at a time). Its bytes when it is to be imported on its own,
    after ``busy`` is stored: other formats, bytes the dossier (or ``busy``) already holds.
    """
    path = Path(spec)
    data = _read(path)
    kind = _in_worker(data, path.name)
    if kind is None:
        return data
    digest = sha256_bytes(data)
    if busy is not None and busy.digest == digest:
        return data
    if id_by_sha256(dossier, digest) is not None:
        return data
    if busy is not None:
        busy.collect(cancel)
        if busy.cancelled:
            return data
    return _InWorker(dossier, spec, path, data, digest, kind)


def _outcome(spec: str, run: Callable[[], ImportResult]) -> ImportResult | None:
    """``run()``'s result, its refusal as a result, or None when the import was cancelled."""
    try:
        return run()
    except ImportCancelled:
        return None
    except DossierError as exc:
        return ImportResult(spec, "refused", None, str(exc))
    except Exception as exc:  # an importer bug must not stop the batch or leak a traceback
        return ImportResult(spec, "refused", None,
                            f"{spec}: could not be imported ({type(exc).__name__}: {exc})")


def _raise(exc: Exception) -> ImportResult:
    raise exc


def import_many(
    dossier: Dossier, specs: Iterable[str], *, password: str | None = None,
    on_result: Callable[[ImportResult], None] | None = None,
    progress: Callable[[str, int, int], None] | None = None, cancel: CancelCheck | None = None,
    ocr: OcrOptions | None = None,
) -> list[ImportResult]:
    """Import files, folders and URLs; one bad input never stops the batch.

    Pipelined: while one HTML or text file is stored, the worker already extracts the next
    one's text (on two cores the two overlap). Results, callbacks and what is written come in
    input order, as if the files were imported one by one; a cancel leaves only the files
    reported imported.
    """
    results: list[ImportResult] = []
    inflight: _InWorker | None = None

    def report(result: ImportResult) -> None:
        results.append(result)
        if on_result is not None:
            on_result(result)

    def drain() -> bool:
        """Store the file in the worker, if any; False when that was cancelled."""
        nonlocal inflight
        item, inflight = inflight, None
        if item is None:
            return True
        result = _outcome(item.spec, partial(item.finish, dossier, cancel))
        if result is None:
            return False
        report(result)
        return True

    try:
        for spec in expand_inputs(specs):
            if cancel is not None and cancel():
                break

            def file_progress(done: int, total: int, _spec: str = spec) -> None:
                if progress is not None:
                    progress(_spec, done, total)

            run: Callable[[], ImportResult]
            if is_url(spec):
                run = partial(import_url, dossier, spec, password=password,
                              progress=file_progress, cancel=cancel, ocr=ocr)
            else:
                try:
                    step: _InWorker | bytes | Exception = _start_in_worker(
                        dossier, spec, inflight, cancel)
                except Exception as exc:  # its refusal is reported in its turn
                    step = exc
                if isinstance(step, _InWorker):
                    previous, inflight = inflight, step
                    if previous is not None:
                        result = _outcome(previous.spec,
                                          partial(previous.finish, dossier, cancel))
                        if result is None:
                            break
                        report(result)
                    continue
                if isinstance(step, Exception):
                    run = partial(_raise, step)
                else:
                    run = partial(_import_read, dossier, Path(spec), step, password=password,
                                  progress=file_progress, cancel=cancel, ocr=ocr)
            if not drain():
                break
            outcome = _outcome(spec, run)
            if outcome is None:
                break
            report(outcome)
        else:
            drain()
    finally:
        if inflight is not None:
            inflight.abandon()
    return results

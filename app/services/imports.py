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
from app.importers.sandbox import FileBytes, extract_html_job, extract_text_job, run_bounded
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
    given: bytes | FileBytes = data
    if path is not None and sha256 is not None:
        # absolute: the worker's working folder is the one its server started in
        given = FileBytes(str(path.absolute()), len(data), sha256)
    if kind == "html":
        return run_bounded(extract_html_job, given, url, name, charset, name=name,
                           seconds=EXTRACT_SECONDS, cancel=cancel)
    if kind == "text":
        return run_bounded(extract_text_job, given, name, name=name, seconds=EXTRACT_SECONDS,
                           cancel=cancel)
    raise ImportRefused(f"{name}: unsupported format {kind}")


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
        from app.services.removal import restore_if_removed

        if restore_if_removed(dossier, existing):  # removed earlier: it comes back
            return ImportResult(source, "imported", document_view(dossier, existing),
                                "brought back into the library")
        return ImportResult(source, "present", document_view(dossier, existing),
                            "already in the dossier")
    original = _OriginalWrite(dossier, data, digest)  # written while the text is extracted
    stored = False
    try:
        extracted = extract(data, name, path=path, url=url, charset=charset, password=password,
                            progress=progress, cancel=cancel, ocr=ocr, sha256=digest)
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
        stored = True
    finally:
        if not stored:
            original.discard()
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
    data = _read(path)
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


def import_many(
    dossier: Dossier, specs: Iterable[str], *, password: str | None = None,
    on_result: Callable[[ImportResult], None] | None = None,
    progress: Callable[[str, int, int], None] | None = None, cancel: CancelCheck | None = None,
    ocr: OcrOptions | None = None,
) -> list[ImportResult]:
    """Import files, folders and URLs; one bad input never stops the batch."""
    results: list[ImportResult] = []
    for spec in expand_inputs(specs):
        if cancel is not None and cancel():
            break

        def file_progress(done: int, total: int, _spec: str = spec) -> None:
            if progress is not None:
                progress(_spec, done, total)

        try:
            if is_url(spec):
                result = import_url(dossier, spec, password=password, progress=file_progress,
                                    cancel=cancel, ocr=ocr)
            else:
                result = import_file(dossier, spec, password=password, progress=file_progress,
                                     cancel=cancel, ocr=ocr)
        except ImportCancelled:
            break
        except DossierError as exc:
            result = ImportResult(spec, "refused", None, str(exc))
        except Exception as exc:  # an importer bug must not stop the batch or leak a traceback
            result = ImportResult(spec, "refused", None,
                                  f"{spec}: could not be imported ({type(exc).__name__}: {exc})")
        results.append(result)
        if on_result is not None:
            on_result(result)
    return results

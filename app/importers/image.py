"""Images as documents: PNG, JPEG, TIFF (every page), WebP - and HEIC when pillow-heif is there.

Each image (each frame of a multi-page TIFF) is one page, shown upright (its EXIF orientation
applied) at its stated resolution (else :data:`DEFAULT_DPI`), so that a page point is the same
place in the importer, the reader and the exports. Its text comes from OCR (unless OCR is
``never``: then it imports without text, for region annotations). EXIF capture data - device,
time, GPS position - is kept as document metadata. The original file is never changed; the reader
shows the pages through :func:`image_pdf`, a PDF made in memory from the same pixels.
"""

from __future__ import annotations

import io
import itertools
import os
from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from app.errors import DossierError
from app.importers.base import (
    CancelCheck,
    ExtractedDocument,
    ExtractedPage,
    ImportCancelled,
    ImportRefused,
    ProgressCallback,
    join_pages,
)
from app.importers.ocr import (
    OCR_DPI,
    OcrOptions,
    OcrText,
    check_ready,
    recognise,
    tesseract_version,
)

#: Resolution assumed for an image that states none (a photograph): 150 pixels per inch.
DEFAULT_DPI = 150.0
#: Images larger than this many pixels are refused (a decompression bomb, not a photograph).
MAX_PIXELS = 200_000_000
EXTRACTOR_VERSION = 1
#: Small images are enlarged for OCR up to this many pixels on their long side.
UPSCALE_TO = 2500
#: Address space of one OCR worker of a multi-page image: one decoded page (a 300-dpi A3 page in
#: RGB is ~50 MB, a 70-megapixel photograph ~210 MB) with Python, Pillow and its resized copy;
#: Tesseract runs as its own process under the same cap.
IMAGE_WORKER_MEMORY = 1024**3
#: Seconds the worker may take to decode an image file and recognise its page when it has one
#: (Tesseract reads a 70-megapixel photograph in about a minute on one core).
IMAGE_SECONDS = 900.0

#: (magic, offset, name) of the image formats Dossier imports.
IMAGE_SIGNATURES: tuple[tuple[bytes, int, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", 0, "png"),
    (b"\xff\xd8\xff", 0, "jpeg"),
    (b"II*\x00", 0, "tiff"),
    (b"MM\x00*", 0, "tiff"),
)
_HEIF_BRANDS = (b"heic", b"heix", b"heim", b"heis", b"mif1", b"msf1", b"hevc", b"avif")


def image_format(data: bytes) -> str | None:
    """``"png"``, ``"jpeg"``, ``"tiff"``, ``"webp"``, ``"heif"`` - or ``None``."""
    for magic, offset, name in IMAGE_SIGNATURES:
        if data[offset : offset + len(magic)] == magic:
            return name
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return "webp"
    if data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS:
        return "heif" if _heif_available() else None
    return None


def _heif_available() -> bool:
    try:
        import pillow_heif
    except ImportError:
        return False
    pillow_heif.register_heif_opener()
    return True


def _open(data: bytes, name: str) -> Any:
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    if data[4:8] == b"ftyp":
        _heif_available()
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except MemoryError:
        raise  # the capped worker's limit: refused as too large for memory, not as damaged
    except Image.DecompressionBombError:
        raise ImportRefused(
            f"{name} is too large an image (over {MAX_PIXELS // 1_000_000} million pixels); "
            "scale it down and import that") from None
    except Exception as exc:
        raise ImportRefused(
            f"{name} is a damaged or unreadable image ({type(exc).__name__}); "
            "get an undamaged copy") from None
    return image


def frames(data: bytes, name: str) -> Iterator[tuple[Any, float]]:
    """Every page of the image, upright, in RGB or greyscale, with its resolution (dpi)."""
    return _frames(_open(data, name))


def _frames(image: Any) -> Iterator[tuple[Any, float]]:
    from PIL import ImageOps, ImageSequence

    for frame in ImageSequence.Iterator(image):
        dpi = _dpi(frame)
        upright = ImageOps.exif_transpose(frame)
        if upright.mode not in ("RGB", "L"):
            upright = upright.convert("RGB")
        yield upright, dpi


def _dpi(frame: Any) -> float:
    value = frame.info.get("dpi")
    try:
        x = float(value[0]) if value else 0.0
    except (TypeError, ValueError, IndexError):
        x = 0.0
    return x if 20.0 <= x <= 2400.0 else DEFAULT_DPI


def image_pdf(data: bytes) -> bytes:
    """The image's pages as a PDF made in memory (for display and exports): same sizes as the
    imported pages."""
    pages = list(frames(data, "image"))
    out = io.BytesIO()
    first, dpi = pages[0]
    first.save(out, "PDF", resolution=dpi, save_all=True,
               append_images=[p for p, _ in pages[1:]])
    return out.getvalue()


def ocr_frame(data: bytes, index: int, lang: str) -> tuple[OcrText, int]:
    """Recognise page ``index`` of an image file; boxes in page points. Returns the text and
    the resolution it was recognised at. Runs in a worker process for multi-page images."""
    # only this page is decoded (a worker holds one page of a long scan, not all of them)
    frame, dpi = next(itertools.islice(frames(data, "image"), index, None))
    return _recognise_frame(frame, dpi, lang)


def _recognise_frame(frame: Any, dpi: float, lang: str, alone: bool = False,
                     ) -> tuple[OcrText, int]:
    # Recognised at the image's own pixels; a small, coarse image (a thumbnail, a fax) is
    # enlarged towards OCR_DPI, never beyond UPSCALE_TO pixels on its long side.
    factor = max(1.0, min(OCR_DPI / dpi, UPSCALE_TO / max(frame.size)))
    work = frame if factor == 1.0 else frame.resize(
        (round(frame.size[0] * factor), round(frame.size[1] * factor)))
    return recognise(work, lang, 72.0 / (dpi * factor), alone=alone), round(dpi * factor)


@dataclass
class ImageSurvey:
    """What the capped worker read from an image file: each page's pixel size and resolution,
    the EXIF capture data, and - for an image of one page - its recognised text."""

    sizes: list[tuple[tuple[int, int], float]]
    metadata: dict[str, object]
    first: tuple[OcrText, int] | None = None


def survey_image(data: bytes, name: str, lang: str | None) -> ImageSurvey:
    """Decode the image (one page at a time) in the worker; for a single page with ``lang``,
    recognise it too, so a photograph is decoded once."""
    image = _open(data, name)
    metadata = _capture(image)
    if getattr(image, "n_frames", 1) == 1:
        frame, dpi = next(_frames(image))
        image.close()
        first = _recognise_frame(frame, dpi, lang, alone=True) if lang else None
        return ImageSurvey([(frame.size, dpi)], metadata, first)
    sizes = [(frame.size, dpi) for frame, dpi in _frames(image)]
    return ImageSurvey(sizes, metadata)


def _recognised(data: bytes, name: str, count: int, lang: str,
                progress: ProgressCallback | None,
                cancel: CancelCheck | None) -> Iterator[tuple[OcrText, int]]:
    """OCR of every page of a multi-page image, in order, in capped worker processes that die
    with Dossier (the PDF workers' pool context), with per-page progress and cancel."""
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures import TimeoutError as FutureTimeout
    from concurrent.futures.process import BrokenProcessPool

    from app.importers.bounds import limit_worker
    from app.importers.pdf_pool import pool_context

    workers = min(count, os.cpu_count() or 1)
    # like the PDF workers: each dies with Dossier (a killed import leaves no worker behind),
    # with its memory bounded (one decoded page and Tesseract's share of it)
    executor = ProcessPoolExecutor(workers, mp_context=pool_context(), initializer=limit_worker,
                                   initargs=(os.getpid(), IMAGE_WORKER_MEMORY))
    finished = False
    try:
        futures = [executor.submit(ocr_frame, data, i, lang) for i in range(count)]
        for i, future in enumerate(futures):
            while True:
                if cancel is not None and cancel():
                    raise ImportCancelled(f"{name}: import cancelled")
                try:
                    result = future.result(timeout=0.05)
                    break
                except FutureTimeout:
                    continue
                except (MemoryError, BrokenProcessPool):
                    raise _too_large(name, i + 1) from None
                except DossierError:
                    raise
                except Exception as exc:  # Tesseract failed on the page (out of memory...)
                    raise ImportRefused(
                        f"{name}: page {i + 1} could not be recognised "
                        f"({type(exc).__name__}: {exc})".splitlines()[0][:300]
                        + "; nothing was imported") from None
            yield result
            if progress is not None:
                progress(i + 1, count)
        finished = True
    finally:
        executor.shutdown(wait=finished, cancel_futures=True)


def _too_large(name: str, page: int) -> ImportRefused:
    return ImportRefused(
        f"{name}: reading page {page} needed more than {IMAGE_WORKER_MEMORY // 1024**2} MiB of "
        "memory (a damaged or hostile image?); nothing was imported - scale it down and import "
        "that")


def extract_image(
    data: bytes, name: str, *, ocr: OcrOptions | None = None,
    progress: ProgressCallback | None = None, cancel: CancelCheck | None = None,
) -> ExtractedDocument:
    """An image file as a document: one page per frame, OCR'd text, EXIF capture data.

    Nothing of the image is decoded here: a capped worker process reads it (and recognises a
    single page), multi-page images are recognised page by page in capped workers.
    """
    from app.importers.sandbox import run_bounded

    ocr = ocr or OcrOptions()
    lang = ocr.lang if ocr.mode != "never" else None
    if lang is not None:
        check_ready(ocr)
    if cancel is not None and cancel():
        raise ImportCancelled(f"{name}: import cancelled")
    survey = run_bounded(survey_image, data, name, lang, name=name, seconds=IMAGE_SECONDS,
                         memory=IMAGE_WORKER_MEMORY, cancel=cancel)
    pages = [ExtractedPage("", array("f"), b"", w * 72.0 / dpi, h * 72.0 / dpi)
             for (w, h), dpi in survey.sizes]
    warnings: list[str] = []
    if lang is not None:
        results = (iter([survey.first]) if survey.first is not None
                   else _recognised(data, name, len(pages), lang, progress, cancel))
        for i, (result, dpi) in enumerate(results):
            page = pages[i]
            pages[i] = ExtractedPage(
                result.text, result.boxes, result.synthetic, page.width, page.height,
                ocr={"engine": "tesseract", "version": tesseract_version(), "lang": lang,
                     "dpi": dpi, "words": result.words},
                confidence=result.confidence)
            if not result.words:
                warnings.append(f"page {i + 1} of {name}: OCR found no text in the image; "
                                "tag regions of it to annotate it")
        if survey.first is not None and progress is not None:
            progress(1, 1)
    elif progress is not None:
        progress(len(pages), len(pages))
    text, _ranges = join_pages(pages)
    return ExtractedDocument(
        kind="image", text=text, title=name.rsplit(".", 1)[0] or name, pages=pages,
        extractor=(f"dossier-image/{EXTRACTOR_VERSION}"
                   + (f" ocr=tesseract-{tesseract_version()} lang={lang}"
                      if lang is not None else "")),
        metadata=survey.metadata, warnings=warnings)


def capture_data(data: bytes, name: str) -> dict[str, object]:
    """EXIF capture data: device, time taken, GPS position (what the file states)."""
    return _capture(_open(data, name))


def _capture(image: Any) -> dict[str, object]:
    from PIL import ExifTags

    out: dict[str, object] = {"format": (image.format or "").lower(),
                              "pixels": f"{image.size[0]} x {image.size[1]}"}
    try:
        exif = image.getexif()
    except Exception:
        return out
    make = str(exif.get(ExifTags.Base.Make, "") or "").strip("\x00 ")
    model = str(exif.get(ExifTags.Base.Model, "") or "").strip("\x00 ")
    device = model if make and model.startswith(make) else " ".join(x for x in (make, model) if x)
    if device:
        out["device"] = device
    try:
        details = exif.get_ifd(ExifTags.IFD.Exif)
    except Exception:
        details = {}
    taken = details.get(ExifTags.Base.DateTimeOriginal) or exif.get(ExifTags.Base.DateTime)
    if taken:
        out["captured"] = _exif_time(str(taken), details.get(ExifTags.Base.OffsetTimeOriginal))
    try:
        gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    except Exception:
        gps = {}
    position = _gps(gps)
    if position is not None:
        out["gps"] = position
    return out


def _exif_time(value: str, offset: object) -> str:
    """``2021:07:04 10:22:01`` as ISO 8601 (with the offset the camera recorded, if any)."""
    value = value.strip("\x00 ")
    if len(value) >= 19 and value[4] == ":" and value[7] == ":":
        iso = f"{value[:4]}-{value[5:7]}-{value[8:10]}T{value[11:19]}"
        if isinstance(offset, str) and len(offset.strip("\x00")) == 6:
            iso += offset.strip("\x00")
        return iso
    return value


def _gps(gps: Any) -> dict[str, float] | None:
    def degrees(values: Any, ref: Any, negative: str) -> float | None:
        try:
            d, m, s = (float(v) for v in values)
        except (TypeError, ValueError, ZeroDivisionError):
            return None
        sign = -1.0 if str(ref).upper().startswith(negative) else 1.0
        return round(sign * (d + m / 60 + s / 3600), 6)

    if not gps:
        return None
    lat = degrees(gps.get(2), gps.get(1), "S")
    lon = degrees(gps.get(4), gps.get(3), "W")
    if lat is None or lon is None:
        return None
    out = {"latitude": lat, "longitude": lon}
    try:
        alt = float(gps.get(6))
        out["altitude_m"] = round(-alt if gps.get(5) in (1, b"\x01") else alt, 1)
    except (TypeError, ValueError):
        pass
    return out

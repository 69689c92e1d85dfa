"""Images as documents: OCR'd pages, multi-page TIFF, EXIF capture data, the original kept."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app.dossier import Dossier
from app.importers.base import ImportRefused
from app.importers.image import DEFAULT_DPI, image_pdf
from app.importers.ocr import OcrOptions
from app.services import documents, imports
from app.services.integrity import verify
from tests.helpers.scans import LINES, digital_pdf, rasterise

requires_tesseract = pytest.mark.skipif(shutil.which("tesseract") is None,
                                        reason="Tesseract is not installed (make system-deps)")


@pytest.fixture(scope="module")
def page_image(tmp_path_factory: pytest.TempPathFactory) -> object:
    folder = tmp_path_factory.mktemp("images")
    (image,) = rasterise(digital_pdf(folder / "digital.pdf"), 200)
    return image


def _photo_with_exif(path: Path, image: object) -> Path:
    from PIL import ExifTags

    exif = image.getexif()  # type: ignore[attr-defined]
    exif[ExifTags.Base.Make] = "Canon"
    exif[ExifTags.Base.Model] = "Canon EOS 80D"
    exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] = "2021:07:04 10:22:01"
    exif[ExifTags.IFD.GPSInfo] = {1: "N", 2: (6.0, 27.0, 18.0), 3: "E", 4: (3.0, 23.0, 24.0)}
    image.convert("RGB").save(path, "JPEG", quality=92, exif=exif)  # type: ignore[attr-defined]
    return path


@requires_tesseract
def test_a_photographed_page_imports_with_its_text_and_capture_data(
    dossier: Dossier, tmp_path: Path, page_image: object
) -> None:
    path = _photo_with_exif(tmp_path / "payslip.jpg", page_image)
    original = path.read_bytes()
    result = imports.import_file(dossier, path)
    assert result.status == "imported" and result.document is not None
    doc = result.document
    assert doc.kind == "image" and doc.pages == 1
    text = documents.document_text(dossier, doc.id)
    assert "2,450,000" in text and "Meridian Holdings" in text
    meta = doc.metadata
    assert meta["device"] == "Canon EOS 80D"
    assert meta["captured"] == "2021-07-04T10:22:01"
    assert meta["gps"] == {"latitude": 6.455, "longitude": 3.39}
    (page,) = documents.page_geometry(dossier, doc.id)
    # The page is the image at its stated resolution (else DEFAULT_DPI), as the reader shows it.
    from PIL import Image

    dpi = float(Image.open(path).info.get("dpi", (DEFAULT_DPI,))[0])
    assert page.width == pytest.approx(page_image.size[0] * 72 / dpi)  # type: ignore[attr-defined]
    assert page.ocr is not None and page.ocr["engine"] == "tesseract"
    assert dossier.originals.path_for(doc.sha256).read_bytes() == original
    assert path.read_bytes() == original
    assert verify(dossier).ok


@requires_tesseract
def test_a_multi_page_tiff_is_one_document_with_a_page_per_frame(
    dossier: Dossier, tmp_path: Path, page_image: object
) -> None:
    from PIL import ImageOps

    second = ImageOps.invert(ImageOps.invert(page_image))  # type: ignore[arg-type]
    path = tmp_path / "contract.tiff"
    page_image.save(path, "TIFF", save_all=True, append_images=[second],  # type: ignore[attr-defined]
                    dpi=(200, 200), compression="tiff_lzw")
    result = imports.import_file(dossier, path)
    assert result.document is not None and result.document.pages == 2
    pages = documents.page_geometry(dossier, result.document.id)
    assert [p.width for p in pages] == pytest.approx([612.0, 612.0], abs=0.5)
    text = documents.document_text(dossier, result.document.id)
    assert text.count(LINES[3][3].split()[0]) == 2  # "Invoice" on both pages
    # The reader's pages are the same size as the stored ones.
    import pypdfium2 as pdfium

    shown = pdfium.PdfDocument(image_pdf(path.read_bytes()))
    assert [round(shown[i].get_width()) for i in range(len(shown))] == [612, 612]


def test_a_photo_without_ocr_imports_for_region_annotations(
    dossier: Dossier, tmp_path: Path, page_image: object
) -> None:
    path = tmp_path / "stamp.png"
    page_image.save(path)  # type: ignore[attr-defined]
    result = imports.import_file(dossier, path, ocr=OcrOptions("never"))
    assert result.document is not None and result.document.kind == "image"
    assert documents.document_text(dossier, result.document.id) == ""


def test_a_damaged_image_is_refused(dossier: Dossier, tmp_path: Path) -> None:
    path = tmp_path / "broken.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    with pytest.raises(ImportRefused, match="broken.png is a damaged or unreadable image"):
        imports.import_file(dossier, path, ocr=OcrOptions("never"))


@pytest.mark.parametrize("fmt", ["WEBP", "HEIF"])
def test_webp_and_heic_photos_import(
    dossier: Dossier, tmp_path: Path, page_image: object, fmt: str
) -> None:
    import pillow_heif

    pillow_heif.register_heif_opener()
    path = tmp_path / f"photo.{fmt.lower()}"
    small = page_image.convert("RGB").resize((425, 550))  # type: ignore[attr-defined]
    small.save(path, fmt)
    result = imports.import_file(dossier, path, ocr=OcrOptions("never"))
    assert result.document is not None and result.document.kind == "image"
    assert result.document.metadata["pixels"] == "425 x 550"


@requires_tesseract
def test_cancelling_a_multi_page_scan_leaves_no_trace(
    dossier: Dossier, dossier_path: Path, tmp_path: Path, page_image: object
) -> None:
    from app.importers.base import ImportCancelled
    from tests.helpers.snapshot import dossier_state

    path = tmp_path / "bundle.tiff"
    small = page_image.resize((850, 1100))  # type: ignore[attr-defined]
    small.save(path, "TIFF", save_all=True, append_images=[small, small], dpi=(300, 300))
    before = dossier_state(dossier_path)
    seen: list[int] = []
    with pytest.raises(ImportCancelled):
        imports.import_file(dossier, path, progress=lambda done, total: seen.append(done),
                            cancel=lambda: len(seen) >= 1)
    assert seen == [1]  # per-page progress; stopped after the first page
    assert dossier_state(dossier_path) == before


def test_an_image_too_large_to_decode_is_refused_by_its_capped_worker(
    dossier: Dossier, dossier_path: Path, tmp_path: Path
) -> None:
    """A photograph is decoded in a worker process with capped memory, never in Dossier's: an
    image of 190 million pixels (a 0.6 MB PNG that decodes to over 1 GiB) is refused in one
    line, and nothing is written."""
    from tests.helpers import hostile
    from tests.helpers.snapshot import dossier_state

    path = tmp_path / "bomb.png"
    path.write_bytes(hostile.pixel_bomb_png())
    before = dossier_state(dossier_path)
    with pytest.raises(ImportRefused) as refused:
        imports.import_file(dossier, path, ocr=OcrOptions("never"))
    message = str(refused.value)
    assert message.startswith("bomb.png: ") and "MiB of memory" in message, message
    assert "\n" not in message
    assert dossier_state(dossier_path) == before


@requires_tesseract
def test_a_single_photo_is_recognised_in_a_worker_that_can_be_cancelled(
    dossier: Dossier, dossier_path: Path, tmp_path: Path, page_image: object
) -> None:
    """Cancel is heard while the page is being recognised (not only before or after it), and
    progress is reported per page: none, since the page was never finished."""
    from app.importers.base import ImportCancelled
    from tests.helpers.snapshot import dossier_state

    path = tmp_path / "photo.png"
    page_image.save(path)  # type: ignore[attr-defined]
    before = dossier_state(dossier_path)
    seen: list[int] = []
    asked: list[int] = []

    def cancel() -> bool:
        asked.append(1)
        return len(asked) > 2  # a few polls in: the worker is decoding or recognising

    with pytest.raises(ImportCancelled):
        imports.import_file(dossier, path, progress=lambda done, total: seen.append(done),
                            cancel=cancel)
    assert seen == []
    assert dossier_state(dossier_path) == before
    # The next import of the same photo (a fresh worker) is whole.
    done: list[tuple[int, int]] = []
    result = imports.import_file(dossier, path, progress=lambda d, t: done.append((d, t)))
    assert result.document is not None and done == [(1, 1)]
    assert "Meridian Holdings" in documents.document_text(dossier, result.document.id)

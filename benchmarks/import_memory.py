"""Peak memory of the whole process tree (Dossier and its extraction and OCR workers, Tesseract
included) while importing the hostile and the heaviest honest inputs.

Inputs: the hostile files of the long fuzz run (form fan-out, 1 GiB flate bomb, 10 MiB string,
20,000-page PDF, 1M-paragraph HTML, 10 MiB of newlines), a 200,000-annotation JSON-LD set
(``import-set``), a multi-page image-only PDF scan OCR'd page by page, and one large scanned
image (A3 at 600 dpi, 70 million pixels) OCR'd as an image file. The resident memory of the
process and all its descendants is sampled every 50 ms (Linux ``/proc``); the kernel's own
high-water marks (``RUSAGE_SELF`` and ``RUSAGE_CHILDREN``) are printed beside it. Limit: 1.5 GB
for every import.

Usage: python benchmarks/import_memory.py [SCAN_PAGES] [SET_ANNOTATIONS]
       python benchmarks/import_memory.py photos   (only the large photograph and the 190-Mpx
       PNG bomb, with Dossier's own process peak beside the tree's)
"""

from __future__ import annotations

import io
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from fuzz_imports import LIMIT, PeakSampler, inputs  # noqa: E402

from app.dossier import Dossier  # noqa: E402
from app.services.integrity import verify  # noqa: E402
from app.services.sets.merge import import_set  # noqa: E402
from tests.helpers.bulk import word_passages, write_set  # noqa: E402
from tests.helpers.corpus import corpus_dir  # noqa: E402
from tests.helpers.documents import add_text_document  # noqa: E402
from tests.helpers.fuzz import import_one  # noqa: E402


def scan_pdf(pages: int) -> bytes:
    """An image-only PDF: corpus pages rendered at 300 dpi in greyscale, repeated to ``pages``."""
    import pypdfium2 as pdfium

    folder = corpus_dir()
    assert folder is not None, "the corpus is needed for the scan"
    doc = pdfium.PdfDocument(str(folder / "pdf" / "federal-register-2020-17221.pdf"))
    images = []
    for i in range(pages):
        page = doc[i % len(doc)]
        images.append(page.render(scale=300 / 72, grayscale=True).to_pil().convert("L"))
        page.close()
    doc.close()
    out = io.BytesIO()
    images[0].save(out, "PDF", resolution=300.0, save_all=True, append_images=images[1:])
    return out.getvalue()


def large_scan_png() -> bytes:
    """One A3 page at 600 dpi (7016 x 9921 pixels): corpus text drawn large, as a PNG."""
    import pypdfium2 as pdfium
    from PIL import Image

    folder = corpus_dir()
    assert folder is not None
    doc = pdfium.PdfDocument(str(folder / "pdf" / "google-doc-document.pdf"))
    page = doc[0]
    image = page.render(scale=1.0, grayscale=True).to_pil().convert("L")
    page.close()
    doc.close()
    big = image.resize((7016, 9921), Image.Resampling.BILINEAR)
    out = io.BytesIO()
    big.save(out, "PNG", dpi=(600, 600))
    return out.getvalue()


def measure(label: str, run: Callable[[], str]) -> int:
    with PeakSampler() as sampler:
        began = time.perf_counter()
        cpu = time.process_time()
        outcome = run()
        took, cpu = time.perf_counter() - began, time.process_time() - cpu
    flag = "" if sampler.peak < LIMIT else "  OVER 1.5 GB"
    print(f"{label:34} {took:7.1f} s ({cpu:6.1f} s CPU here)  peak {sampler.peak / 1e6:6.0f} MB"
          f"{flag}  {outcome[:80]}", flush=True)
    return sampler.peak


def photos() -> None:
    """The large photograph and a pixel bomb only: each is decoded (and the photograph
    recognised) in a capped worker; Dossier's own peak (RUSAGE_SELF) stays that of a small
    process."""
    from tests.helpers.hostile import pixel_bomb_png

    worst = 0
    with tempfile.TemporaryDirectory(prefix="dossier-bench-memory-") as tmp:
        dossier = Dossier.open(Path(tmp) / "dossier", user="bench")
        for name, make in (("scan-A3-600dpi-70Mpx.png", large_scan_png),
                           ("bomb-190Mpx.png", pixel_bomb_png)):
            data = make()
            worst = max(worst, measure(name, lambda d=data, n=name:  # type: ignore[misc]
                                       import_one(dossier, d, n).status))
            del data
        report = verify(dossier)
        dossier.close()
    mine = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"worst sampled peak of the process tree {worst / 1e6:,.0f} MB; this process's own "
          f"high-water mark {mine:,.0f} MB; verify {'ok' if report.ok else 'FAILED'}")


def main() -> None:
    if sys.argv[1:2] == ["photos"]:
        photos()
        return
    pages = int(sys.argv[1]) if len(sys.argv) > 1 else 24
    annotations = int(sys.argv[2]) if len(sys.argv) > 2 else 200_000
    worst = 0
    with tempfile.TemporaryDirectory(prefix="dossier-bench-memory-") as tmp:
        root = Path(tmp)
        dossier = Dossier.open(root / "dossier", user="bench")
        for name, make in inputs(0, 0):
            data = make()
            worst = max(worst, measure(name, lambda d=data, n=name:  # type: ignore[misc]
                                       import_one(dossier, d, n).status))
        for name, make in ((f"scan-{pages}-pages-300dpi.pdf", lambda: scan_pdf(pages)),
                           ("scan-A3-600dpi-70Mpx.png", large_scan_png)):
            data = make()
            worst = max(worst, measure(name, lambda d=data, n=name:  # type: ignore[misc]
                                       import_one(dossier, d, n).status))
            del data
        text = " ".join(f"passport{i % 97} contract wages{i % 89} agency" for i in range(60_000))
        doc = add_text_document(dossier, text, "Set target")
        path = write_set(root / "set.jsonld", word_passages(doc, text, annotations, 40),
                         author="sender")
        worst = max(worst, measure(f"set-{annotations}.jsonld", lambda: (
            f"{len(import_set(dossier, path).added):,} annotations added")))
        report = verify(dossier)
        dossier.close()
    mine = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"worst sampled peak of the process tree {worst / 1e6:,.0f} MB "
          f"({'under' if worst < LIMIT else 'OVER'} 1.5 GB); kernel high-water marks: "
          f"this process {mine:,.0f} MB, largest child {children:,.0f} MB; verify "
          f"{'ok' if report.ok else 'FAILED: ' + report.problems[0]}")


if __name__ == "__main__":
    main()

"""What reading a single photograph in a capped worker process costs, beside reading it in
Dossier's own process (as before) in the same run.

A small photographed page (a 200-dpi letter page, ~1700 x 2200 pixels, as a JPEG with EXIF) is
extracted ``ROUNDS`` times each way, alternating: ``in-process`` decodes and recognises it here
(:func:`app.importers.image.survey_image`, what the importer did before), ``worker`` through
:func:`app.importers.image.extract_image` (the capped worker). Wall time and this process's CPU
time are printed per way (median), and the texts are checked to be identical.

Usage: python benchmarks/image_worker.py [ROUNDS]
"""

from __future__ import annotations

import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.importers.image import extract_image, survey_image  # noqa: E402
from app.importers.ocr import OcrOptions  # noqa: E402
from tests.helpers.scans import digital_pdf, rasterise  # noqa: E402


def photo() -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        (image,) = rasterise(digital_pdf(Path(tmp) / "page.pdf"), 200)
    out = io.BytesIO()
    image.convert("RGB").save(out, "JPEG", quality=92)
    return out.getvalue()


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    data = photo()
    times: dict[str, list[tuple[float, float]]] = {"in-process": [], "worker": []}
    texts: dict[str, str] = {}
    extract_image(data, "warm.jpg")  # start the worker and Tesseract's caches once
    for _ in range(rounds):
        for way, runs in times.items():
            began, cpu = time.perf_counter(), time.process_time()
            if way == "worker":
                texts[way] = extract_image(data, "photo.jpg", ocr=OcrOptions()).text
            else:
                first = survey_image(data, "photo.jpg", "eng").first
                assert first is not None
                texts[way] = first[0].text
            runs.append((time.perf_counter() - began, time.process_time() - cpu))
    base = statistics.median(t for t, _ in times["in-process"])
    for way, runs in times.items():
        wall = statistics.median(t for t, _ in runs)
        cpu = statistics.median(c for _, c in runs)
        print(f"{way:10}  median {wall * 1000:7.0f} ms wall ({cpu * 1000:6.0f} ms CPU in this "
              f"process)  {wall / base:5.2f}x in-process   over {rounds} rounds")
    print(f"{len(data) / 1024:.0f} KiB JPEG, {len(texts['worker'])} characters; texts identical: "
          f"{texts['worker'] == texts['in-process']}  (shared machine: figures are noisy)")


if __name__ == "__main__":
    main()

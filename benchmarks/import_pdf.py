"""PDF import speed against plain pdfplumber, in the same run.

Measured on ``../shared/corpus/pdf/GeoTopo-komprimiert.pdf`` (117 pages) unless a path is given:

(a) baseline: single-process pdfplumber ``page.extract_text()`` over every page;
(b) Dossier's extraction (``extract_pdf``) with the worker pool, and with workers=1 and 2;
(c) Dossier's full import through the service (extraction + storing text, geometry, search index
    and audit in SQLite) into a fresh dossier.

Acceptance (the issue): the full import takes at most 0.6 x the baseline.
Runs (b) and (c) three times each and reports the first (cold: includes starting the worker
processes' server) and the best.

Usage: python benchmarks/import_pdf.py [PDF]
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGET = 0.6
RUNS = 3
DEFAULT = ROOT.parent / "shared" / "corpus" / "pdf" / "GeoTopo-komprimiert.pdf"


def baseline(path: Path) -> tuple[float, int]:
    import pdfplumber

    start = time.perf_counter()
    chars = 0
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            chars += len(page.extract_text() or "")
    return time.perf_counter() - start, chars


def timed(fn: Callable[[], object], runs: int = RUNS) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def report(label: str, times: list[float], base: float) -> float:
    best = min(times)
    print(
        f"{label:<34} cold {times[0]:6.2f} s   best {best:6.2f} s   "
        f"median {statistics.median(times):6.2f} s   best/baseline {best / base:5.2f}"
    )
    return best


def main() -> int:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    if not path.is_file():
        print(f"{path}: not found (give a PDF path, or put the corpus at ../shared/corpus)")
        return 2
    from app.importers.pdf import extract_pdf

    cores = os.cpu_count() or 1
    print(f"file: {path.name} ({path.stat().st_size / 1e6:.1f} MB), {cores} cores")

    base, chars = baseline(path)
    print(f"{'(a) pdfplumber extract_text':<34} {base:6.2f} s   ({chars} characters)")

    doc = extract_pdf(path)
    print(f"    Dossier text: {len(doc.text)} characters, {len(doc.pages)} pages, "
          f"{len(doc.warnings)} warnings")
    extraction = report("(b) extract_pdf (pool, default)", timed(lambda: extract_pdf(path)), base)
    for workers in (1, 2):

        def extract_with(w: int = workers) -> object:
            return extract_pdf(path, workers=w)

        report(f"    extract_pdf workers={workers}", timed(extract_with), base)

    try:
        from app.dossier import Dossier
        from app.services.imports import import_file
    except ImportError:
        print("full import: service not available yet")
        print(f"extraction alone: {extraction / base:.2f} x baseline "
              f"({'meets' if extraction <= TARGET * base else 'misses'} the {TARGET} target)")
        return 0

    times = []
    with tempfile.TemporaryDirectory(prefix="dossier-bench-") as tmp:
        for run in range(RUNS):
            dossier = Dossier.open(Path(tmp) / f"d{run}", user="bench", create=True)
            try:
                start = time.perf_counter()
                result = import_file(dossier, path)
                times.append(time.perf_counter() - start)
                assert getattr(result, "status", "imported") == "imported", result
            finally:
                dossier.close()
    full = report("(c) full import (service)", times, base)
    ratio = full / base
    verdict = "PASS" if ratio <= TARGET else "FAIL"
    print(f"full import / baseline = {ratio:.2f} (target <= {TARGET}): {verdict}")
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())

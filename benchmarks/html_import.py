"""HTML import of the corpus pages against trafilatura alone with the same options.

Printed in the same run (median of RUNS runs over all ``corpus/html/*.html`` pages):

* baseline — ``trafilatura.bare_extraction`` on each page with Dossier's extraction options;
* extract — Dossier's HTML importer (:func:`app.importers.html.extract_html`) in this process:
  decoding, one trafilatura run, text and structure, metadata;
* import — the whole ``import_bytes`` into a fresh dossier: content detection, the bounded
  extraction worker (already started: its start-up is printed separately), storing the original,
  rows, search index and audit event. Target: at most 1.3x the baseline.

Usage: python benchmarks/html_import.py [RUNS]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import trafilatura  # noqa: E402

from app.dossier import Dossier  # noqa: E402
from app.importers.html import DATE_SETTINGS, EXTRACTION_SETTINGS, extract_html  # noqa: E402
from app.services import imports  # noqa: E402
from tests.helpers.corpus import corpus_dir  # noqa: E402


def pages() -> list[tuple[str, bytes]]:
    folder = corpus_dir()
    if folder is None:
        raise SystemExit("../shared/corpus not found beside the checkout")
    return [(p.name, p.read_bytes()) for p in sorted((folder / "html").glob("*.html"))]


def baseline(corpus: list[tuple[str, bytes]]) -> float:
    t = time.perf_counter()
    for _, data in corpus:
        trafilatura.bare_extraction(data, date_extraction_params=dict(DATE_SETTINGS),
                                    **EXTRACTION_SETTINGS)
    return time.perf_counter() - t


def extract(corpus: list[tuple[str, bytes]]) -> float:
    t = time.perf_counter()
    for name, data in corpus:
        extract_html(data, name=name)
    return time.perf_counter() - t


def import_all(corpus: list[tuple[str, bytes]], folder: Path) -> float:
    dossier = Dossier.open(folder, user="bench")
    try:
        t = time.perf_counter()
        for name, data in corpus:
            result = imports.import_bytes(dossier, data, name, source=name)
            assert result.status == "imported", (name, result)
        return time.perf_counter() - t
    finally:
        dossier.close()


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    corpus = pages()
    with tempfile.TemporaryDirectory(prefix="dossier-bench-html-") as tmp:
        root = Path(tmp)
        t = time.perf_counter()
        import_all(corpus[:1], root / "warm")  # starts the extraction worker (not timed below)
        print(f"extraction worker start-up and first page: {time.perf_counter() - t:.2f} s")
        baseline(corpus)
        extract(corpus)
        base = statistics.median(baseline(corpus) for _ in range(runs))
        ours = statistics.median(extract(corpus) for _ in range(runs))
        whole = statistics.median(import_all(corpus, root / f"run{i}") for i in range(runs))
    print(f"{len(corpus)} corpus pages, median of {runs} runs, same run")
    print(f"baseline trafilatura alone:   {base:.3f} s")
    print(f"extract_html in process:      {ours:.3f} s = {ours / base:.2f}x baseline")
    print(f"import_bytes (whole import):  {whole:.3f} s = {whole / base:.2f}x baseline "
          f"(target <= 1.3x) {'OK' if whole <= 1.3 * base else 'OVER TARGET'}")


if __name__ == "__main__":
    main()

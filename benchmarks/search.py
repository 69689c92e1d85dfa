"""Search and library speed on a big dossier.

Builds a dossier of 2,000 documents (at least 5 million words) from the corpus texts: each document
is a different mix of passages from them, with its own marker words, so no two are identical; one
document in ten gets two annotations with notes. Then, in the same run:

1. 20 varied queries (words, phrases, prefixes, OR, exclusions, filters, tricky input) through the
   search service, median and 95th percentile. Target: p95 under 50 ms. Floor: the raw SQLite FTS5
   query (``MATCH ... ORDER BY rank LIMIT 50`` on the same translated expression, no snippets, no
   titles) on the same database.
2. Opening the main window on that dossier until the library lists every document. Target under
   1 s. The library must not read document texts: every SQL statement run while the window opens
   is checked, and any that selects ``documents.text`` is reported.

Usage: python benchmarks/search.py [N_DOCUMENTS] [REPEATS]   (offscreen unless QT_QPA_PLATFORM set)
"""

from __future__ import annotations

import os
import random
import re
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import QSettings  # noqa: E402
from sqlalchemy import event  # noqa: E402

from app import search_query  # noqa: E402
from app.dossier import Dossier  # noqa: E402
from app.importers.base import ExtractedDocument  # noqa: E402
from app.services import annotations, codebook, imports  # noqa: E402
from app.services import search as search_service  # noqa: E402
from app.services.documents import store_document  # noqa: E402

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
PDFS = ("federal-register-2020-17221.pdf", "scotus-transcript-p1.pdf", "senate-expenditures.pdf",
        "2023-06-20-PV.pdf", "multicolumn.pdf")
WORDS_PER_DOCUMENT = 2_600
QUERIES = [
    "passport", "workers", "wages", '"forced labor"', '"North Korea"', "contract*", "gov*",
    "court OR tribunal", "labour -ministry", "forced-labour", "the", "a OR", "NEAR(", '"',
    "recruit* agency", "overseas workers state", "zusage", "amazon warehouse", "microsoft",
    "docmark1234",
]
FILTERED = [("passport", {"tag": "Retention of identity documents"}),
            ("wages", {"status": "draft"}), ("workers", {"author": "bench"})]


def corpus_words() -> list[str]:
    """Every word of the corpus texts used, in order (text, web pages, a few PDFs)."""
    texts: list[str] = []
    for path in sorted((CORPUS / "text").glob("*.txt")) + sorted((CORPUS / "html").glob("*.html")):
        texts.append(imports.extract(path.read_bytes(), path.name, path=path).text)
    for name in PDFS:
        path = CORPUS / "pdf" / name
        if path.exists():
            texts.append(imports.extract(path.read_bytes(), name, path=path).text)
    words = re.findall(r"\S+", "\n".join(texts))
    if len(words) < 5_000:
        raise SystemExit("the corpus beside the checkout is missing or too small")
    return words


def document_text(words: list[str], index: int, rng: random.Random) -> str:
    """A text of about WORDS_PER_DOCUMENT words, a mix of corpus passages unique to ``index``."""
    paragraphs = []
    total = 0
    while total < WORDS_PER_DOCUMENT:
        size = rng.randint(60, 260)
        start = rng.randrange(0, len(words) - size)
        paragraphs.append(" ".join(words[start:start + size]))
        total += size
    paragraphs.insert(rng.randrange(len(paragraphs)), f"docmark{index} batch{index % 97}")
    return "\n\n".join(paragraphs)


def build(folder: Path | str, count: int) -> tuple[Dossier, int]:
    """The benchmark dossier (a folder, or a team dossier's URL); returns it and its number of
    words."""
    dossier = Dossier.open(folder, user="bench")
    words = corpus_words()
    rng = random.Random(20250314)
    with dossier.read() as session:
        tags = [codebook.resolve_tag(session, name).id
                for name in ("Retention of identity documents", "Deception")]
    total = 0
    started = time.perf_counter()
    for i in range(count):
        text = document_text(words, i, rng)
        total += len(text.split())
        extracted = ExtractedDocument(kind="text", text=text, title=f"Benchmark document {i}: "
                                      + " ".join(text.split()[:8]), extractor="benchmark")
        doc, _ = store_document(dossier, text.encode("utf-8"), extracted, source="benchmark",
                                filename=f"doc{i}.txt")
        if i % 10 == 0:
            for j, tag in enumerate(tags):
                start = rng.randrange(0, len(text) - 200)
                annotations.create_annotation(
                    dossier, doc.id, start, start + 120, [tag],
                    note=f"passport seen by witness {i}-{j}; wages withheld")
        if (i + 1) % 250 == 0:
            print(f"  built {i + 1} documents ({time.perf_counter() - started:.0f} s)",
                  file=sys.stderr, flush=True)
    return dossier, total


def percentile(values: list[float], share: float) -> float:
    """The ``share`` (0-1) percentile, nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def time_queries(dossier: Dossier, db_path: Path, repeats: int) -> tuple[list[float], list[float]]:
    """Milliseconds per query through the service, and for the raw FTS5 floor."""
    service_ms: list[float] = []
    raw_ms: list[float] = []
    raw = sqlite3.connect(db_path)
    try:
        runs: list[tuple[str, dict[str, Any]]] = [(q, {}) for q in QUERIES[:17]] + FILTERED
        assert len(runs) == 20
        for _ in range(repeats):
            for query, filters in runs:
                started = time.perf_counter()
                search_service.search(dossier, query, **filters)
                service_ms.append((time.perf_counter() - started) * 1000)
                fts = search_query.to_fts(query)
                started = time.perf_counter()
                if fts:
                    raw.execute("SELECT rowid, rank FROM search_index WHERE search_index MATCH ? "
                                "ORDER BY rank LIMIT 50", (fts,)).fetchall()
                raw_ms.append((time.perf_counter() - started) * 1000)
    finally:
        raw.close()
    return service_ms, raw_ms


def time_window(dossier: Dossier, folder: Path, count: int) -> tuple[float, list[str]]:
    """Seconds to open the main window until the library lists every document; and any SQL
    that read document texts meanwhile."""
    from ui.application import create_application
    from ui.main_window import MainWindow
    from ui.settings import Settings

    app = create_application()
    reads: list[str] = []

    def watch(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if re.search(r"documents\.text\b(?!_)", statement):
            reads.append(statement.split("\n", maxsplit=1)[0][:120])

    event.listen(dossier.engine, "before_cursor_execute", watch)
    settings = Settings(QSettings(str(folder / "bench-settings.ini"), QSettings.Format.IniFormat))
    started = time.perf_counter()
    window = MainWindow(dossier, settings=settings)
    window.show()
    dock = window.documents_dock
    while not (dock.isVisible() and window.documents_model.rowCount() == count):
        app.processEvents()
    app.processEvents()
    elapsed = time.perf_counter() - started
    event.remove(dossier.engine, "before_cursor_execute", watch)
    window.close()
    return elapsed, reads


def main() -> int:
    """Build, measure, print."""
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    with tempfile.TemporaryDirectory(prefix="dossier-search-bench-") as tmp:
        folder = Path(tmp) / "dossier"
        started = time.perf_counter()
        dossier, words = build(folder, count)
        print(f"dossier: {count} documents, {words:,} words, built in "
              f"{time.perf_counter() - started:.0f} s")
        service_ms, raw_ms = time_queries(dossier, folder / "dossier.sqlite", repeats)
        print(f"search service, 20 queries x {repeats}: median {statistics.median(service_ms):.1f}"
              f" ms, p95 {percentile(service_ms, 0.95):.1f} ms (target p95 < 50 ms)")
        print(f"raw FTS5 floor, same queries: median {statistics.median(raw_ms):.1f} ms, "
              f"p95 {percentile(raw_ms, 0.95):.1f} ms")
        seconds, reads = time_window(dossier, folder, count)
        print(f"main window to library listing {count} documents: {seconds * 1000:.0f} ms "
              f"(target < 1000 ms); statements reading document texts: {len(reads)}")
        for statement in reads[:3]:
            print(f"  {statement}")
        dossier.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Article-body quality of the HTML importer, beside trafilatura alone, in the same run.

Scored per passage (see ``tests/helpers/article_quality.py``): every page lists passages its
article text must contain and boilerplate it must not; precision, recall and F1 count passages.
Three extractors on the same pages:

* dossier — :func:`app.importers.html.extract_html`, the text a user gets in the dossier;
* trafilatura (Dossier's options) — ``trafilatura.bare_extraction`` with the importer's
  ``EXTRACTION_SETTINGS`` alone, its ``.text`` (what the importer would give without its own rules);
* trafilatura (defaults) — ``trafilatura.extract`` with its evaluation's options (tables in,
  comments out).

Sets: always the corpus pages (``../shared/corpus/html``, ground truth from trafilatura's
evaluation set). With ``--eval DIR``, also a folder laid out like trafilatura's evaluation set
(``evaldata.json`` plus ``cache/`` and ``eval/``; not shipped with the project): pages the rules
were not written on, to check they generalise. Target: dossier F1 >= 0.97.

Usage: python benchmarks/article_quality.py [--eval DIR] [--limit N] [--show N]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import trafilatura  # noqa: E402

from app.importers.base import ImportRefused  # noqa: E402
from app.importers.html import DATE_SETTINGS, EXTRACTION_SETTINGS, extract_html  # noqa: E402
from tests.helpers.article_quality import (  # noqa: E402
    TARGET_F1,
    Page,
    Score,
    corpus_pages,
    evaluation_pages,
    score,
)
from tests.helpers.corpus import corpus_dir  # noqa: E402


def dossier(page: Page) -> str | None:
    try:
        return extract_html(page.path.read_bytes(), name=page.name).text
    except ImportRefused:
        return None


def trafilatura_dossier_options(page: Page) -> str | None:
    try:
        document = trafilatura.bare_extraction(
            page.path.read_bytes(), date_extraction_params=dict(DATE_SETTINGS),
            **EXTRACTION_SETTINGS)
    except Exception:  # a library failure on one page costs its recall, as for any extractor
        return None
    return getattr(document, "text", None) if document is not None else None


def trafilatura_defaults(page: Page) -> str | None:
    try:
        result: str | None = trafilatura.extract(
            page.path.read_bytes(), include_comments=False, include_tables=True)
    except Exception:
        return None
    return result


RUNNERS: list[tuple[str, Callable[[Page], str | None]]] = [
    ("dossier", dossier),
    ("trafilatura (Dossier's options)", trafilatura_dossier_options),
    ("trafilatura (defaults)", trafilatura_defaults),
]


def scored(pages: list[Page], found: dict[str, str | None]) -> Score:
    """Score texts already extracted (page name to text)."""
    return score(pages, lambda page: found[page.name])


def run_set(label: str, pages: list[Page], show: int) -> dict[str, Score]:
    print(f"== {label}: {len(pages)} pages, "
          f"{sum(len(p.with_) for p in pages)} article passages, "
          f"{sum(len(p.without) for p in pages)} boilerplate passages")
    results: dict[str, Score] = {}
    texts: dict[str, dict[str, str | None]] = {}
    for name, runner in RUNNERS:
        wall, cpu = time.perf_counter(), time.process_time()
        texts[name] = {p.name: runner(p) for p in pages}
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        results[name] = scored(pages, texts[name])
        print(results[name].line(name) + f"  [{wall:.1f} s wall, {cpu:.1f} s CPU]")
    groups = sorted({p.group for p in pages})
    if len(groups) > 1:
        for group in groups:
            part = [p for p in pages if p.group == group]
            print(f"  -- {group}/: {len(part)} pages")
            for name, _ in RUNNERS:
                print("  " + scored(part, texts[name]).line(name))
    ours = results["dossier"]
    verdict = "OK" if ours.f1 >= TARGET_F1 else "BELOW TARGET"
    print(f"dossier F1 {ours.f1:.3f} (target >= {TARGET_F1}) {verdict}")
    for page, passage in ours.misses[:show]:
        print(f"  missing   {page}: {passage[:70]!r}")
    for page, passage in ours.leaks[:show]:
        print(f"  boilerplate {page}: {passage[:70]!r}")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--eval", type=Path, help="a folder laid out like trafilatura's "
                        "evaluation set (evaldata.json, cache/, eval/)")
    parser.add_argument("--limit", type=int, default=0, help="only the first N pages of --eval")
    parser.add_argument("--show", type=int, default=10, help="list up to N misses and leaks")
    args = parser.parse_args()
    folder = corpus_dir()
    if folder is None:
        raise SystemExit("../shared/corpus not found beside the checkout")
    print(f"trafilatura {trafilatura.__version__}; passage-level scores; shared 2-core machine")
    run_set("corpus pages (../shared/corpus/html)", corpus_pages(folder / "html"), args.show)
    if args.eval:
        pages = evaluation_pages(args.eval)
        corpus_names = {p.name for p in corpus_pages(folder / "html")}
        pages = [p for p in pages if p.name not in corpus_names]  # held out: not the corpus's
        if args.limit:
            pages = pages[: args.limit]
        run_set(f"evaluation set {args.eval.name} (corpus pages left out)", pages, args.show)


if __name__ == "__main__":
    main()

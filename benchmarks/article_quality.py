"""Article-body quality of the HTML importer, beside trafilatura alone, in the same run.

Scored per passage (see ``tests/helpers/article_quality.py``): every page lists passages its
article text must contain and boilerplate it must not; precision, recall and F1 count passages.
Three extractors on the same pages:

* dossier — :func:`app.importers.html.extract_html`, the text a user gets in the dossier;
* trafilatura (Dossier's options) — ``trafilatura.bare_extraction`` with the importer's
  ``EXTRACTION_SETTINGS`` alone, its body laid out as the importer lays it out (what the importer
  would give without its own rules; its ``.text`` would carry the links' addresses, as the
  importer asks for links to measure link density);
* trafilatura (defaults) — ``trafilatura.extract`` with its evaluation's options (tables in,
  comments out).

Sets: always the corpus pages (``../shared/corpus/html``, ground truth from trafilatura's
evaluation set). With ``--eval DIR``, also a folder laid out like trafilatura's evaluation set
(``evaldata.json`` plus ``cache/`` and ``eval/``; not shipped with the project): pages the rules
were not written on, to check they generalise. Target: dossier F1 >= 0.97.

With ``--articles DIR``, also a folder laid out like Zyte's public article-extraction benchmark
(not shipped with the project): ``ground-truth.json`` maps a page id to ``{"url": ...,
"articleBody": ...}`` and each page is ``html/<id>.html.gz`` (gzipped) or ``html/<id>.html``.
These are scored the way that benchmark scores them: shingles of four word tokens, true and false
positives and negatives normalised per page, precision and recall averaged over pages, F1 of the
two averages. The pages are split into two fixed halves by a hash of the page id: rules are
developed looking at ``dev`` pages only; ``test`` pages are held out to report how they generalise.
Only dev pages' errors are listed unless ``--show-test`` is given.

With ``--cost``, the time Dossier adds to trafilatura per corpus page instead: the whole import
(``extract_html``), the part spent in trafilatura, the rest (decoding, parsing, the body rules,
metadata), and each body rule alone; medians over pages of each page's median over repeats, wall
and CPU time.

Usage: python benchmarks/article_quality.py [--eval DIR] [--articles DIR] [--limit N] [--show N]
       python benchmarks/article_quality.py --cost [--repeat N]
"""

from __future__ import annotations

import argparse
import functools
import gzip
import hashlib
import json
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import trafilatura  # noqa: E402

import app.importers.html as html_importer  # noqa: E402
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


def dossier(data: bytes, name: str) -> str | None:
    try:
        return extract_html(data, name=name).text
    except ImportRefused:
        return None


def trafilatura_dossier_options(data: bytes, name: str) -> str | None:
    try:
        document = trafilatura.bare_extraction(
            data, date_extraction_params=dict(DATE_SETTINGS), **EXTRACTION_SETTINGS)
    except Exception:  # a library failure on one page costs its recall, as for any extractor
        return None
    body = getattr(document, "body", None)
    if body is None:
        return None
    text, _ = html_importer._assemble(html_importer._blocks_from_body(body))
    return text


def trafilatura_defaults(data: bytes, name: str) -> str | None:
    try:
        result: str | None = trafilatura.extract(
            data, include_comments=False, include_tables=True)
    except Exception:
        return None
    return result


RUNNERS: list[tuple[str, Callable[[bytes, str], str | None]]] = [
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
        texts[name] = {p.name: runner(p.path.read_bytes(), p.name) for p in pages}
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


# --- pages with a whole article body as ground truth (Zyte's benchmark layout) ----------------

_TOKEN = re.compile(r"\w+")
SHINGLE_WORDS = 4


@dataclass(frozen=True)
class ArticlePage:
    """One saved page and the article body a person marked on it."""

    name: str
    path: Path
    url: str
    body: str

    def read(self) -> bytes:
        data = self.path.read_bytes()
        return gzip.decompress(data) if self.path.suffix == ".gz" else data

    @property
    def half(self) -> str:
        """``dev`` or ``test``, fixed by a hash of the page id (about half each)."""
        return "dev" if hashlib.sha256(self.name.encode()).digest()[0] % 2 == 0 else "test"


def article_pages(folder: Path) -> list[ArticlePage]:
    """``ground-truth.json`` (id to url and articleBody) and ``html/<id>.html[.gz]``."""
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for name, entry in sorted(truth.items()):
        for candidate in (folder / "html" / f"{name}.html.gz", folder / "html" / f"{name}.html"):
            if candidate.is_file():
                pages.append(ArticlePage(name, candidate, entry.get("url", ""),
                                         entry.get("articleBody") or ""))
                break
    return pages


def _shingles(text: str) -> Counter[tuple[str, ...]]:
    tokens = _TOKEN.findall(text)
    count = max(1, len(tokens) - SHINGLE_WORDS + 1)
    return Counter(tuple(tokens[i:i + SHINGLE_WORDS]) for i in range(count) if tokens[i:])


def shingle_counts(truth: str, found: str) -> tuple[float, float, float]:
    """True positive, false positive and false negative shingles, as shares of their sum."""
    expected, got = _shingles(truth), _shingles(found)
    tp = sum((expected & got).values())
    fp = sum((got - expected).values())
    fn = sum((expected - got).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


@dataclass
class BodyScore:
    """Per-page shingle counts; precision and recall are means over pages, as the benchmark's."""

    counts: list[tuple[float, float, float]]

    @property
    def precision(self) -> float:
        values = [1.0 if fp == fn == 0 else tp / (tp + fp)
                  for tp, fp, fn in self.counts if tp + fp > 0]
        return statistics.mean(values) if values else 0.0

    @property
    def recall(self) -> float:
        values = [1.0 if fp == fn == 0 else tp / (tp + fn)
                  for tp, fp, fn in self.counts if tp + fn > 0]
        return statistics.mean(values) if values else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def line(self, label: str) -> str:
        return (f"{label:<34} precision {self.precision:.3f}  recall {self.recall:.3f}  "
                f"F1 {self.f1:.3f}  ({len(self.counts)} pages)")


def run_articles(folder: Path, show: int, show_test: bool) -> None:
    pages = article_pages(folder)
    halves = {"dev": [p for p in pages if p.half == "dev"],
              "test": [p for p in pages if p.half == "test"]}
    print(f"== article bodies ({folder.name}): {len(pages)} pages, "
          f"dev {len(halves['dev'])}, test {len(halves['test'])}; shingle scores")
    counts: dict[str, dict[str, tuple[float, float, float]]] = {}
    for name, runner in RUNNERS:
        wall, cpu = time.perf_counter(), time.process_time()
        counts[name] = {p.name: shingle_counts(p.body, runner(p.read(), p.name) or "")
                        for p in pages}
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        print(BodyScore(list(counts[name].values())).line(name + " all")
              + f"  [{wall:.1f} s wall, {cpu:.1f} s CPU]")
        for half, part in halves.items():
            print("  " + BodyScore([counts[name][p.name] for p in part]).line(f"{name} {half}"))
    ours = counts["dossier"]
    listed = [p for p in pages if show_test or p.half == "dev"]
    worst = sorted(listed, key=lambda p: -(ours[p.name][1] + ours[p.name][2]))[:show]
    for p in worst:
        tp, fp, fn = ours[p.name]
        print(f"  {p.half} {p.name[:12]} fp {fp:.3f} fn {fn:.3f}  {p.url[:80]}")


# --- cost of Dossier's own work per page ---------------------------------------------------------

#: The importer's steps timed on their own when present (older checkouts lack some).
TIMED_STEPS = ("_run_trafilatura", "prepare_tree", "_drop_navigation_edges", "_page_titles",
               "drop_headline", "drop_boilerplate")
RULES = TIMED_STEPS[1:]


def run_cost(pages: list[Page], repeat: int) -> None:
    """Print medians per page: the import, trafilatura inside it, the rest, the body rules."""
    spent: dict[str, list[tuple[float, float]]] = {}

    def timed(name: str, function: Callable[..., object]) -> Callable[..., object]:
        @functools.wraps(function)
        def wrapper(*args: object, **kwargs: object) -> object:
            wall, cpu = time.perf_counter(), time.thread_time()
            try:
                return function(*args, **kwargs)
            finally:
                spent.setdefault(name, []).append(
                    (time.perf_counter() - wall, time.thread_time() - cpu))
        return wrapper

    originals = {name: getattr(html_importer, name) for name in TIMED_STEPS
                 if hasattr(html_importer, name)}
    for name, function in originals.items():
        setattr(html_importer, name, timed(name, function))
    per_page: dict[str, list[tuple[float, float]]] = {}
    try:
        for page in pages:
            data = page.path.read_bytes()
            runs: dict[str, list[tuple[float, float]]] = {}
            for _ in range(repeat):
                spent.clear()
                wall, cpu = time.perf_counter(), time.thread_time()
                dossier(data, page.name)
                total = (time.perf_counter() - wall, time.thread_time() - cpu)
                steps = {name: (sum(w for w, _ in v), sum(c for _, c in v))
                         for name, v in spent.items()}
                library = steps.get("_run_trafilatura", (0.0, 0.0))
                rules = [steps.get(name, (0.0, 0.0)) for name in RULES]
                rows = {"import (extract_html)": total, "  in trafilatura": library,
                        "  Dossier's own work": (total[0] - library[0], total[1] - library[1]),
                        "    body rules": (sum(w for w, _ in rules), sum(c for _, c in rules)),
                        **{f"      {name}": steps[name] for name in RULES if name in steps}}
                for label, value in rows.items():
                    runs.setdefault(label, []).append(value)
            for label, values in runs.items():
                per_page.setdefault(label, []).append((statistics.median(w for w, _ in values),
                                                       statistics.median(c for _, c in values)))
    finally:
        for name, function in originals.items():
            setattr(html_importer, name, function)
    print(f"== cost per page: {len(pages)} corpus pages, median of {repeat} runs each, "
          "then the median over pages (shared machine)")
    for label, values in per_page.items():
        wall = statistics.median(w for w, _ in values) * 1000
        cpu = statistics.median(c for _, c in values) * 1000
        print(f"{label:<34} {wall:8.2f} ms wall  {cpu:8.2f} ms CPU")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--eval", type=Path, help="a folder laid out like trafilatura's "
                        "evaluation set (evaldata.json, cache/, eval/)")
    parser.add_argument("--articles", type=Path, help="a folder laid out like Zyte's "
                        "article-extraction benchmark (ground-truth.json, html/<id>.html.gz)")
    parser.add_argument("--show-test", action="store_true",
                        help="also list the test half's worst pages (keep it held out)")
    parser.add_argument("--cost", action="store_true",
                        help="time Dossier's own work per corpus page instead of scoring")
    parser.add_argument("--repeat", type=int, default=15, help="runs per page for --cost")
    parser.add_argument("--limit", type=int, default=0, help="only the first N pages of --eval")
    parser.add_argument("--show", type=int, default=10, help="list up to N misses and leaks")
    args = parser.parse_args()
    folder = corpus_dir()
    if folder is None:
        raise SystemExit("../shared/corpus not found beside the checkout")
    if args.cost:
        run_cost(corpus_pages(folder / "html"), args.repeat)
        return
    print(f"trafilatura {trafilatura.__version__}; passage-level scores; shared 2-core machine")
    run_set("corpus pages (../shared/corpus/html)", corpus_pages(folder / "html"), args.show)
    if args.eval:
        pages = evaluation_pages(args.eval)
        corpus_names = {p.name for p in corpus_pages(folder / "html")}
        pages = [p for p in pages if p.name not in corpus_names]  # held out: not the corpus's
        if args.limit:
            pages = pages[: args.limit]
        run_set(f"evaluation set {args.eval.name} (corpus pages left out)", pages, args.show)
    if args.articles:
        run_articles(args.articles, args.show, args.show_test)


if __name__ == "__main__":
    main()

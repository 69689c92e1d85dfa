"""Months of work in one dossier: every view and command at 200 and at 2,000 documents.

Builds (once; cached in the temp folder, keyed by this script's BUILD_VERSION and the schema
revision) two dossiers through Dossier's own services: the 117-page GeoTopo PDF imported by the
PDF importer with 5,000 annotations, plus text documents stored by the document service and
annotations merged by the set import's merge (the services' bulk path, given the sets as its
reader hands them over) —
200 documents / 10,000 annotations, and 2,000 documents / 100,000 annotations. Then prints each
figure beside its baseline measured in the same run, for both sizes, and how it grows:

1. open the 5,000-annotation PDF in the main window until page 1 is painted (target < 300 ms;
   baseline: pypdfium2 alone opening the file and rendering page 1 at the same scale);
2. one scroll step repainted with its highlights (target < 16 ms and <= 3x the same steps with
   no highlights);
3. ``dossier annotations --doc PDF --json`` for its 5,000, in process (target <= 2x a raw
   sqlite3 query of the same rows and tags plus json);
4. the main window with the library shown (target < 1 s; baseline: a bare list view of the
   titles read with sqlite3);
5. ``dossier --help`` (target <= 3x a bare ``python -c pass``; Dossier's bytecode cached first,
   as an installed Dossier has it);
6. ``dossier search`` end to end, a new process (target < 0.3 s; beside a bare Python start);
7. ``dossier verify`` (target <= 1.3x a plain hashlib + sqlite3 walk of the same things verify
   checks: the chain with its row states, the originals and every current audited row against
   the state the chain records for it; the first baseline, the chain and originals alone, is
   printed beside it for reference);
8. importing the corpus's HTML pages (target <= 1.3x trafilatura alone with the same options),
   into a copy of the dossier's database.

Usage: python benchmarks/scale.py [REPEATS] [--rebuild] [--only FIGURES]
(offscreen unless QT_QPA_PLATFORM set). ``--only`` takes a comma-separated list of
gui, cli, verify, html: ``--only html 7`` measures just the HTML import, seven times per size.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import random
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

CORPUS = REPO.parent / "shared" / "corpus"
PDF = CORPUS / "pdf" / "GeoTopo-komprimiert.pdf"
#: Bump when what is built changes; a cached dossier of another version is rebuilt.
BUILD_VERSION = 3
SIZES = ((200, 10_000), (2_000, 100_000))
PDF_ANNOTATIONS = 5_000
SET_CHUNK = 10_000
WORDS = ("passport", "contract", "wages", "account", "state", "worker", "manager", "overseas",
         "dispatch", "agency", "salary", "deposit", "loyalty", "fund", "construction", "quota",
         "site", "dormitory", "escort", "debt", "recruitment", "permit", "visa", "shipyard",
         "logging", "seafood", "remittance", "broker", "overtime", "confiscated")
SEARCH = "remittance broker"


# -- building ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Built:
    folder: Path
    documents: int
    annotations: int
    pdf_id: str
    seconds: float


@dataclass(frozen=True)
class _Doc:
    id: str
    sha256: str
    title: str
    kind: str


def _article(i: int, rng: random.Random) -> str:
    paragraphs = []
    for p in range(6 + i % 5):
        words = [rng.choice(WORDS) for _ in range(60 + (i * 7 + p) % 60)]
        paragraphs.append(" ".join(words).capitalize() + ".")
    return f"Report {i} on overseas labour.\n\n" + "\n\n".join(paragraphs)


def _cache_folder(documents: int) -> Path:
    from db.migrate import LATEST

    return Path(tempfile.gettempdir()) / f"dossier-scale-v{BUILD_VERSION}-{LATEST}-{documents}"


def build(documents: int, annotations: int, rebuild: bool) -> Built:
    """The dossier of this size, built through the services (or reused from the cache)."""
    folder = _cache_folder(documents)
    marker = folder / "built.json"
    if marker.is_file() and not rebuild:
        info = json.loads(marker.read_text(encoding="utf-8"))
        return Built(folder, documents, annotations, info["pdf"], info["seconds"])
    shutil.rmtree(folder, ignore_errors=True)
    started = time.perf_counter()
    pdf_id = _build(folder, documents, annotations)
    seconds = time.perf_counter() - started
    marker.write_text(json.dumps({"pdf": pdf_id, "seconds": seconds}), encoding="utf-8")
    return Built(folder, documents, annotations, pdf_id, seconds)


def _build(folder: Path, documents: int, annotations: int) -> str:
    from app.dossier import Dossier
    from app.importers.base import ExtractedDocument
    from app.originals import sha256_bytes
    from app.services import codebook
    from app.services import documents as document_service
    from app.services.imports import import_file
    from app.services.sets.merge import merge_set
    from app.textmodel import normalise
    from tests.helpers.bulk import Passage, incoming_set

    rng = random.Random(documents)
    dossier = Dossier.open(folder, user="bench")
    result = import_file(dossier, PDF)
    assert result.document is not None, result.message
    pdf = result.document
    pdf_text = document_service.document_text(dossier, pdf.id)
    texts: list[tuple[_Doc, str]] = []
    for first in range(0, documents - 1, 100):  # 100 documents per transaction
        batch = []
        for i in range(first, min(first + 100, documents - 1)):
            text = normalise(_article(i, rng))
            data = text.encode("utf-8")
            batch.append((data, sha256_bytes(data), ExtractedDocument(
                kind="text", text=text, title=f"Report {i}", extractor="bench")))
        with ExitStack() as stack:
            for data, digest, _ in batch:
                stack.enter_context(document_service.keep_original(dossier, data, digest))
            with dossier.write() as session:
                for data, digest, extracted in batch:
                    doc = document_service.insert_document(
                        session, dossier, digest, len(data), extracted, source="bench",
                        filename=f"{extracted.title}.txt")
                    texts.append((_Doc(doc.id, digest, doc.title, "text"), extracted.text))
    with dossier.read() as session:
        tags = [t.id for t in codebook.list_tags(session) if t.is_codable]
    passages: list[Passage] = []
    step = (len(pdf_text) - 200) // PDF_ANNOTATIONS
    pdf_doc = _Doc(pdf.id, pdf.sha256, pdf.title, "pdf")
    for k in range(PDF_ANNOTATIONS):
        start = 100 + k * step + rng.randrange(step)
        passages.append((pdf_doc, pdf_text, start, start + 12 + rng.randrange(70)))
    per_doc, extra = divmod(annotations - PDF_ANNOTATIONS, len(texts))
    for n, (stored, text) in enumerate(texts):
        for _ in range(per_doc + (n < extra)):
            start = rng.randrange(len(text) - 60)
            passages.append((stored, text, start, start + 8 + rng.randrange(50)))
    rng.shuffle(passages)
    picks = [rng.sample(tags, 1 + (i % 3 == 0)) for i in range(len(passages))]
    for n, first in enumerate(range(0, len(passages), SET_CHUNK)):
        chunk = passages[first:first + SET_CHUNK]
        # The set import's own merge (matching, one transaction, audit events), given the set
        # as its reader would hand it over: parsing JSON is not what this dossier is built for.
        def tags_of(i: int, first: int = first) -> list[str]:
            return picks[first + i]

        summary = merge_set(dossier, incoming_set(
            f"set-{n}.jsonld", chunk, author=f"analyst{n % 4}", tags_of=tags_of))
        assert len(summary.added) == len(chunk), summary.warnings[:3]
        print(f"  built {first + len(chunk):,} of {len(passages):,} annotations",
              file=sys.stderr, flush=True)
    dossier.close()
    return pdf.id


# -- measuring -----------------------------------------------------------------------------------

def median_of(repeats: int, run: Callable[[], float]) -> float:
    return statistics.median(run() for _ in range(repeats))


def timed(work: Callable[[], Any]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def wait_until(app: Any, done: Callable[[], bool], timeout: float = 60.0) -> None:
    """Run the event loop until ``done()``: sleeping between events, not spinning, so the
    worker threads being timed get the interpreter (a heartbeat timer bounds each wait)."""
    from PySide6.QtCore import QEventLoop, QTimer

    heartbeat = QTimer()
    heartbeat.start(20)
    limit = time.perf_counter() + timeout
    try:
        while not done():
            if time.perf_counter() > limit:
                raise TimeoutError("the window did not get there in time")
            app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)
    finally:
        heartbeat.stop()


@contextlib.contextmanager
def stdout_to_null() -> Iterator[None]:
    with open(os.devnull, "w", encoding="utf-8") as null, contextlib.redirect_stdout(null):
        yield


def run_process(*argv: str, cpu: list[float] | None = None) -> float:
    """Wall time of a new Python process running ``argv``; its CPU time appended to ``cpu``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([sys.executable, *argv], check=True, cwd=REPO, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if cpu is not None:
        cpu.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return seconds


Figures = dict[str, tuple[float, float]]  # name -> (figure, baseline) in seconds
#: name -> CPU seconds (all threads of this process) of the figure's work: on a busy shared
#: machine it tells the work from the wait for a core.
CPU: dict[str, float] = {}
#: name -> CPU seconds of the baseline, where it is measured.
CPU_BASELINE: dict[str, float] = {}
#: name -> median of the ratios of runs made one after the other (figure, then its baseline):
#: on a busy machine steadier than the ratio of the medians, as both runs of a pair see about
#: the same load.
PAIRED: dict[str, float] = {}


def gui_figures(app: Any, built: Built, repeats: int) -> Figures:
    import pypdfium2 as pdfium
    from PySide6.QtCore import QSettings, QStringListModel
    from PySide6.QtGui import QImage
    from PySide6.QtWidgets import QListView

    from app.dossier import Dossier
    from ui.main_window import MainWindow
    from ui.operations import Operations
    from ui.settings import Settings
    from ui.views.pdf_view import PdfPageView

    out: Figures = {}
    dossier = Dossier.open(built.folder, user="bench")
    with tempfile.TemporaryDirectory(prefix="dossier-scale-ui-") as tmp:
        def new_window() -> MainWindow:
            store = QSettings(str(Path(tmp) / "settings.ini"), QSettings.Format.IniFormat)
            store.clear()
            window = MainWindow(dossier, settings=Settings(store),
                                operations=Operations(dossier))
            window.resize(1400, 950)
            window.show()
            app.processEvents()
            window.documents_dock.list.viewport().repaint()
            return window

        times = []
        for _ in range(repeats):
            started = time.perf_counter()
            window = new_window()
            times.append(time.perf_counter() - started)
            assert window.documents_model.rowCount() == built.documents
            window.close()
            window.deleteLater()
            app.processEvents()

        def bare_list() -> float:
            started = time.perf_counter()
            with sqlite3.connect(built.folder / "dossier.sqlite") as con:
                titles = [t for (t,) in con.execute(
                    "SELECT title FROM documents WHERE is_current ORDER BY imported_at, id")]
            view = QListView()
            view.setModel(QStringListModel(titles, view))
            view.resize(350, 900)
            view.show()
            app.processEvents()
            view.viewport().repaint()
            seconds = time.perf_counter() - started
            view.close()
            view.deleteLater()
            app.processEvents()
            return seconds

        out["main window, library shown"] = (statistics.median(times),
                                             median_of(repeats, bare_list))

        window = new_window()
        other = window.documents_model.document(1).id
        opened, cpu = [], []
        for _ in range(repeats):
            window.open_document(other)
            wait_until(app, lambda: window.document_id == other and not window.ops.busy)
            started, processor = time.perf_counter(), time.process_time()
            window.open_document(built.pdf_id)
            wait_until(app, lambda: isinstance(window.view, PdfPageView)
                       and 1 in window.view.canvas.shown_pages()
                       and window.annotation_model.rowCount() == PDF_ANNOTATIONS
                       and 1 in window.view.highlighted_pages())
            opened.append(time.perf_counter() - started)
            cpu.append(time.process_time() - processor)
        CPU["open the 5,000-annotation PDF, page 1 painted"] = statistics.median(cpu)
        view = window.view
        assert isinstance(view, PdfPageView)
        assert len(view.annotations()) == PDF_ANNOTATIONS
        scale = view.canvas.render_scale()

        def render_alone() -> float:
            started = time.perf_counter()
            pdf = pdfium.PdfDocument(str(PDF))
            page = pdf[0]
            bitmap = page.render(scale=scale, prefer_bgrx=True)
            QImage(bitmap.buffer, bitmap.width, bitmap.height, bitmap.stride,
                   QImage.Format.Format_RGB32).copy()
            page.close()
            pdf.close()
            return time.perf_counter() - started

        out["open the 5,000-annotation PDF, page 1 painted"] = (
            statistics.median(opened), median_of(repeats, render_alone))

        def scroll_steps() -> list[float]:
            bar = view.canvas.verticalScrollBar()
            view.go_to_page(40)
            top = bar.value()
            steps = [top + 60 * k for k in range(12)]
            for value in steps:  # render the pages these steps show before timing them
                bar.setValue(value)
                wait_until(app, lambda: set(range(view.canvas.visible_pages().start + 1,
                                                  view.canvas.visible_pages().stop + 1))
                           <= view.canvas.shown_pages())
            times = []
            for value in steps * 2:
                bar.setValue(value)
                started = time.perf_counter()
                view.canvas.viewport().repaint()
                times.append(time.perf_counter() - started)
            return times

        with_marks = scroll_steps()
        view.set_annotations([])
        without = scroll_steps()
        out["scroll step repaint (highlights vs none)"] = (statistics.median(with_marks),
                                                           statistics.median(without))
        window.close()
        window.deleteLater()
        app.processEvents()
    dossier.close()
    return out


def compile_bytecode() -> None:
    """Cache Dossier's bytecode, as installing it does (pip compiles every module; a checkout
    caches each on first import). Where ``PYTHONDONTWRITEBYTECODE`` is set nothing is cached
    and every new process would compile Dossier's sources again, which no user's does."""
    import compileall

    for package in ("app", "db", "ui", "launch"):
        compileall.compile_dir(REPO / package, quiet=1)


def cli_figures(built: Built, repeats: int) -> Figures:
    from launch import main

    compile_bytecode()
    out: Figures = {}
    base = ["--dossier", str(built.folder), "--user", "bench"]

    def listing() -> float:
        with stdout_to_null():
            return timed(lambda: main([*base, "annotations", "--doc", built.pdf_id, "--json"]))

    listing()  # the first run imports the command's modules
    out["annotations --doc PDF --json (5,000)"] = (median_of(repeats, listing),
                                                   median_of(repeats, lambda: raw_listing(built)))
    bare = median_of(repeats, lambda: run_process("-c", "pass"))
    helped: list[float] = []
    out["dossier --help"] = (
        median_of(repeats, lambda: run_process("-m", "launch", "--help", cpu=helped)), bare)
    CPU["dossier --help"] = statistics.median(helped)
    searched: list[float] = []
    out["dossier search, new process"] = (
        median_of(repeats, lambda: run_process("-m", "launch", *base, "search", SEARCH,
                                               "--limit", "20", cpu=searched)), bare)
    CPU["dossier search, new process"] = statistics.median(searched)
    return out


def raw_listing(built: Built) -> float:
    """sqlite3 and json alone: the PDF's annotations with author and tag paths, as JSON."""
    started = time.perf_counter()
    con = sqlite3.connect(built.folder / "dossier.sqlite")
    tags = {i: (p, n) for i, p, n in con.execute("SELECT id, parent_id, name FROM tags")}

    def path(tag_id: str) -> str:
        parent, name = tags[tag_id]
        return f"{path(parent)}/{name}" if parent else name

    links: dict[str, list[str]] = {}
    for ann_id, tag_id in con.execute(
            "SELECT t.annotation_id, t.tag_id FROM annotation_tags t JOIN annotations a "
            "ON a.id = t.annotation_id WHERE a.document_id = ?", (built.pdf_id,)):
        links.setdefault(ann_id, []).append(tag_id)
    cur = con.execute(
        "SELECT a.*, u.name FROM annotations a JOIN users u ON u.id = a.author_id "
        "WHERE a.document_id = ? ORDER BY a.start, a.end", (built.pdf_id,))
    names = [d[0] for d in cur.description]
    rows = []
    for row in cur:
        item = dict(zip(names, row, strict=True))
        ids = links.get(item["id"], [])
        item["tags"] = sorted(path(t) for t in ids)
        item["tag_ids"] = ids
        rows.append(item)
    con.close()
    text = json.dumps(rows, ensure_ascii=False, indent=2)
    with open(os.devnull, "w", encoding="utf-8") as null:
        null.write(text)
    assert len(rows) == PDF_ANNOTATIONS
    return time.perf_counter() - started


def verify_figures(built: Built, repeats: int) -> Figures:
    from app.services import integrity

    ours_cpu: list[float] = []

    def ours() -> float:
        started, processor = time.perf_counter(), time.process_time()
        folder_check = getattr(integrity, "verify_folder", None)
        if folder_check is not None:
            report = folder_check(built.folder, built.folder / "originals")
        else:  # before the read-only verify: through an open dossier
            from app.dossier import Dossier

            dossier = Dossier.open(built.folder, user="bench")
            report = integrity.verify(dossier)
            dossier.close()
        assert report.ok, report.problems[:3]
        ours_cpu.append(time.process_time() - processor)
        return time.perf_counter() - started

    figure = median_of(repeats, ours)
    CPU["dossier verify"] = CPU["dossier verify (beside the chain-only walk)"] = \
        statistics.median(ours_cpu)
    return {"dossier verify": (figure, median_of(repeats, lambda: plain_walk(built))),
            "dossier verify (beside the chain-only walk)": (
                figure, median_of(repeats, lambda: plain_chain_walk(built)))}


def _hash_originals(built: Built) -> None:
    for path in (built.folder / "originals").rglob("*"):
        if path.is_file():
            digest = hashlib.sha256()
            with path.open("rb") as fh:
                while chunk := fh.read(1 << 20):
                    digest.update(chunk)


def plain_walk(built: Built) -> float:
    """hashlib, json and sqlite3 written plainly, checking what ``verify`` checks: every event's
    hash and link (its row states included, as the chain hashes them), every original, and every
    current row of the tables :mod:`app.state` registers against the newest state the chain
    records for it (the row's text is the same SQL ``verify`` reads; the rest is a dict of lists,
    a sort and a join per row)."""
    from app import state as row_states

    started = time.perf_counter()
    con = sqlite3.connect(f"file:{built.folder / 'dossier.sqlite'}?mode=ro", uri=True)
    previous = "0" * 64
    recorded: dict[str, str] = {}
    broken = 0
    for seq, at, actor, action, otype, oid, payload, prev_hash, digest, state in con.execute(
            "SELECT seq, at, actor, action, object_type, object_id, payload, prev_hash, hash, "
            "state FROM audit_events ORDER BY seq"):
        event = {"seq": seq, "at": at, "actor": actor, "action": action, "object_type": otype,
                 "object_id": oid, "payload": payload}
        if state is not None:
            event["state"] = state
        broken += prev_hash != previous
        previous = hashlib.sha256((previous + json.dumps(
            event, sort_keys=True, separators=(",", ":"), ensure_ascii=False)).encode("utf-8")
        ).hexdigest()
        broken += previous != digest
        if state is not None:
            for token in state.split("\n"):
                key, _, value = token.rpartition("=")
                recorded[key] = value
    differ = 0
    for spec in row_states.REGISTRY.values():
        if not con.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (spec.table,)).fetchall():
            continue
        children: dict[tuple[str, str], list[str]] = {}
        for child in spec.children:
            columns = " || ',' || ".join(f'quote("{c}")' for c in child.columns)
            for owner, text in con.execute(
                    f'SELECT "{child.fk}", {columns} FROM "{child.table}"'):
                children.setdefault((child.table, str(owner)), []).append(text)
        tables = sorted(child.table for child in spec.children)
        present = {r[1] for r in con.execute(f'PRAGMA table_info("{spec.table}")')}
        expr, params = row_states._row_sql(spec, [  # the columns added later, if there
            (name, default) for name, default in spec.optional.items()
            if name not in spec.columns and name in present])
        for key, text in con.execute(f'SELECT "{spec.key}", {expr} FROM "{spec.table}"',
                                     params):
            parts = [spec.object_type, text]
            for table in tables:
                rows = children.get((table, str(key)))
                if rows:
                    parts.append(table + ":" + "\x1e".join(sorted(rows)))
            row_hash = hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass"))
            differ += recorded.get(f"{spec.object_type}:{key}") != row_hash.hexdigest()
    con.close()
    assert not broken and not differ, (broken, differ)  # it checked what verify checks
    _hash_originals(built)
    return time.perf_counter() - started


def plain_chain_walk(built: Built) -> float:
    """The first baseline: the chain's hashes without its row states, and the originals; not the
    rows (less than ``verify`` checks), shown for reference."""
    started = time.perf_counter()
    con = sqlite3.connect(f"file:{built.folder / 'dossier.sqlite'}?mode=ro", uri=True)
    previous = "0" * 64
    for row in con.execute("SELECT seq, at, actor, action, object_type, object_id, payload, "
                           "prev_hash, hash FROM audit_events ORDER BY seq"):
        entry = json.dumps({"seq": row[0], "at": row[1], "actor": row[2], "action": row[3],
                            "object_type": row[4], "object_id": row[5],
                            "payload": row[6]}, sort_keys=True, separators=(",", ":"))
        previous = hashlib.sha256((previous + entry).encode("utf-8")).hexdigest()
    con.close()
    _hash_originals(built)
    return time.perf_counter() - started


def _worker_cpu() -> float:
    """CPU seconds used so far by Dossier's extraction workers (they are not our children:
    the forkserver forks them, so ``RUSAGE_CHILDREN`` never counts them)."""
    from app.importers import sandbox

    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for worker in list(sandbox._workers.values()):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = Path(f"/proc/{worker.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


#: An untimed first import into the opened copy (not one of the corpus pages): what a session
#: does once — SQLAlchemy compiles the import's statements for this dossier's engine, SQLite
#: reads its schema on the connections — is then outside the timed pages, as trafilatura's own
#: first-call set-up is outside the baseline's.
WARM_UP_PAGE = (b"<html><head><title>Warm-up</title></head><body><article>"
                + b"<p>Wages were paid into accounts the workers could not reach.</p>" * 20
                + b"</article></body></html>")


def html_figures(built: Built, repeats: int) -> Figures:
    """The corpus pages imported as one batch into a copy of the dossier, beside trafilatura
    alone on the same pages with the same options.

    The headline figure imports the ten pages in one :func:`~app.services.imports.import_many`
    call, as ``dossier import a.html b.html …`` (and a folder) does: users bring pages in as a
    batch through this path, and in a batch the worker extracts the next page while the one
    before is stored. Importing them one by one with ``import_file`` (nothing to overlap) is
    printed for reference, warm as well.

    Both sides are timed warm. The extraction worker is started and trafilatura imported in it
    by an untimed import first (a session does that once; the baseline imports and warms
    trafilatura in this process the same way), and each copy of the dossier gets one untimed
    import (:data:`WARM_UP_PAGE`) after it is opened. The first ten imports after opening (one
    by one) are printed as well, for reference ("cold"). CPU time counts this process and the
    worker. Each copy of the dossier is flushed to disk before the imports are timed, and its
    removal before the next measurement: the kernel writing back hundreds of megabytes of a
    fresh copy while either side is timed is no part of importing (and slowed the originals'
    fsyncs).
    """
    import trafilatura

    from app.dossier import Dossier
    from app.importers.html import DATE_SETTINGS, EXTRACTION_SETTINGS
    from app.services.imports import import_bytes, import_file, import_many

    pages = sorted((CORPUS / "html").glob("*.html"))
    name = f"HTML import of {len(pages)} corpus pages"
    single_name = f"{name}, one by one (reference)"
    cold_name = f"{name}, first after opening (reference)"

    def copy_of(tmp: str) -> Dossier:
        copy = Path(tmp) / "dossier"
        copy.mkdir()
        with sqlite3.connect(built.folder / "dossier.sqlite") as con, \
                sqlite3.connect(copy / "dossier.sqlite") as target:
            con.backup(target)
        return Dossier.open(copy, user="bench")

    cpu: dict[str, list[float]] = {name: [], single_name: [], cold_name: []}

    def ours(which: str, then: Callable[[], float] | None = None) -> tuple[float, float]:
        """Seconds of the ten imports into a fresh copy (``which`` figure), and of ``then()``
        run right after them, before the copy is removed."""
        warm = which != cold_name
        after = 0.0
        with tempfile.TemporaryDirectory(prefix="dossier-scale-html-") as tmp:
            dossier = copy_of(tmp)
            if warm:
                import_bytes(dossier, WARM_UP_PAGE, "warm-up.html", source="warm-up")
            os.sync()  # the copy (283 MB at 2,000 documents) is written out before, not during
            processor, worker = time.process_time(), _worker_cpu()
            started = time.perf_counter()
            if which == name:
                results = import_many(dossier, [str(page) for page in pages])
            else:
                results = [import_file(dossier, page) for page in pages]
            seconds = time.perf_counter() - started
            assert [r.status for r in results] == ["imported"] * len(pages), results
            cpu[which].append(time.process_time() - processor + _worker_cpu() - worker)
            dossier.close()
            if then is not None:
                after = then()
        os.sync()  # and its removal is done before whatever is timed next
        return seconds, after

    alone_cpu: list[float] = []

    def alone() -> float:
        processor = time.process_time()
        started = time.perf_counter()
        for page in pages:
            trafilatura.bare_extraction(page.read_bytes().decode("utf-8", "replace"),
                                        date_extraction_params=dict(DATE_SETTINGS),
                                        **EXTRACTION_SETTINGS)
        seconds = time.perf_counter() - started
        alone_cpu.append(time.process_time() - processor)
        return seconds

    with tempfile.TemporaryDirectory(prefix="dossier-scale-html-") as tmp:  # once a session
        dossier = copy_of(tmp)
        import_bytes(dossier, WARM_UP_PAGE, "warm-up.html", source="warm-up")
        dossier.close()
    alone()
    alone_cpu.clear()
    timed: dict[str, list[float]] = {name: [], single_name: [], cold_name: []}
    baseline = []
    for _ in range(repeats):  # interleaved, so a burst of load on the machine hits all four
        # the baseline runs right after the imports, while their copy still exists: removing a
        # copy of 283 MB keeps the kernel busy for a while after the file is gone
        seconds, after = ours(name, alone)
        timed[name].append(seconds)
        baseline.append(after)
        timed[single_name].append(ours(single_name)[0])
        timed[cold_name].append(ours(cold_name)[0])
    base = statistics.median(baseline)
    figures: Figures = {}
    for which, seconds_list in timed.items():
        CPU[which] = statistics.median(cpu[which])
        PAIRED[which] = statistics.median(
            f / b for f, b in zip(seconds_list, baseline, strict=True))
        CPU_BASELINE[which] = statistics.median(alone_cpu)
        figures[which] = (statistics.median(seconds_list), base)
    return figures


# -- report --------------------------------------------------------------------------------------

#: name -> (target text, check(figure, baseline), does the work grow with the dossier?)
TARGETS: dict[str, tuple[str, Callable[[float, float], bool] | None, str]] = {
    "open the 5,000-annotation PDF, page 1 painted": (
        "< 300 ms", lambda f, b: f < 0.3, "no"),
    "scroll step repaint (highlights vs none)": (
        "< 16 ms, <= 3x none", lambda f, b: f < 0.016 and f <= 3 * b, "no"),
    "annotations --doc PDF --json (5,000)": ("<= 2x raw", lambda f, b: f <= 2 * b, "no"),
    "main window, library shown": ("< 1 s", lambda f, b: f < 1.0, "titles only"),
    "dossier --help": ("<= 3x bare Python", lambda f, b: f <= 3 * b, "no"),
    "dossier search, new process": ("< 0.3 s", lambda f, b: f < 0.3, "index lookup"),
    "dossier verify": ("<= 1.3x plain walk", lambda f, b: f <= 1.3 * b, "yes"),
    "dossier verify (beside the chain-only walk)": ("(reference)", None, "yes"),
    "HTML import of 10 corpus pages, first after opening (reference)": (
        "(reference)", None, "no (a fresh import)"),
    "HTML import of 10 corpus pages, one by one (reference)": (
        "(reference)", None, "no (a fresh import)"),
}


GROUPS = ("gui", "cli", "verify", "html")


def _options(argv: list[str]) -> tuple[int, bool, set[str]]:
    """(repeats, rebuild, figure groups) from the command line."""
    only: set[str] = set(GROUPS)
    args: list[str] = []
    rest = iter(argv)
    for arg in rest:
        if arg == "--only" or arg.startswith("--only="):
            value = arg.partition("=")[2] or next(rest, "")
            only = {g.strip() for g in value.split(",") if g.strip()}
            unknown = only - set(GROUPS)
            if unknown or not only:
                sys.exit(f"--only takes some of {', '.join(GROUPS)} (got {value!r})")
        elif not arg.startswith("--"):
            args.append(arg)
    return (int(args[0]) if args else 3), "--rebuild" in argv, only


def main() -> None:
    repeats, rebuild, only = _options(sys.argv[1:])
    if not PDF.exists():
        sys.exit(f"{PDF} not found: the benchmark reads ../shared/corpus beside the checkout")
    app: Any = None
    if "gui" in only:
        from PySide6.QtCore import QtMsgType, qInstallMessageHandler
        from PySide6.QtWidgets import QApplication

        def quiet(_mode: QtMsgType, _context: object, message: str) -> None:
            if "does not support propagateSizeHints" not in message:
                print(message, file=sys.stderr)

        qInstallMessageHandler(quiet)
        app = QApplication.instance() or QApplication([])
    print(f"load average at start: {' '.join(f'{v:.2f}' for v in os.getloadavg())}", flush=True)
    results: list[tuple[Built, Figures]] = []
    for documents, how_many in SIZES:
        built = build(documents, how_many, rebuild)
        print(f"== {documents:,} documents, {how_many:,} annotations (built through the "
              f"services in {built.seconds:.0f} s; cached in {built.folder})", flush=True)
        figures: Figures = {}
        if "gui" in only:
            figures.update(gui_figures(app, built, repeats))
        if "cli" in only:
            figures.update(cli_figures(built, repeats))
        if "verify" in only:
            figures.update(verify_figures(built, repeats))
        if "html" in only:
            figures.update(html_figures(built, repeats))
        for name, (figure, baseline) in figures.items():
            target, check, _ = TARGETS.get(name, ("<= 1.3x alone", lambda f, b: f <= 1.3 * b,
                                                  "no"))
            verdict = ("shown for reference" if check is None
                       else "ok" if check(figure, baseline) else "MISSES")
            cpu = f"   (cpu {CPU[name] * 1000:.0f} ms" if name in CPU else ""
            if name in CPU_BASELINE:
                cpu += f", baseline cpu {CPU_BASELINE[name] * 1000:.0f} ms"
            if name in PAIRED:
                cpu += f"; paired ratio {PAIRED[name]:.2f}x"
            print(f"  {name:48s} {figure * 1000:9.1f} ms   baseline {baseline * 1000:8.1f} ms"
                  f"   ratio {figure / baseline:5.2f}x   target {target}: {verdict}"
                  f"{cpu + ')' if cpu else ''}", flush=True)
        print(f"  load average: {' '.join(f'{v:.2f}' for v in os.getloadavg())}", flush=True)
        results.append((built, figures))
    (small, before), (large, after) = results
    print(f"== growth from {small.documents:,} to {large.documents:,} documents "
          f"({large.documents // small.documents}x the documents, "
          f"{large.annotations // small.annotations}x the annotations)")
    for name, (figure, _) in after.items():
        grows = TARGETS.get(name, ("", None, "no (a fresh import)"))[2]
        print(f"  {name:48s} {before[name][0] * 1000:9.1f} ms -> {figure * 1000:9.1f} ms"
              f"   x{figure / before[name][0]:5.2f}   work grows with the dossier: {grows}")
    print("(figures from a shared machine: medians of "
          f"{repeats}; rerun for steadier numbers)")


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        main()

"""How fast the reader shows documents and paints a new highlight.

1. First page: from creating the page view of the 117-page GeoTopo PDF (imported beforehand;
   import not timed) until page 1 has been painted from its rendered image. Target < 0.5 s.
   Baseline: pypdfium2 alone opening the file and rendering page 1 at the same scale.
2. Big text: creating the text view of a 1,000,000-character text, giving it 5,000 highlights and
   painting it. Target < 1.5 s. Baseline: a bare QPlainTextEdit showing the same text.
   (The 5,000 annotations are built in memory: the figure is the view's cost, not the database's.)
3. Tag key: in the real main window, with a passage selected, from pressing a tag's key until the
   annotation is stored and its highlight painted, in the page view and in the text view.
   Target < 100 ms. Baseline: create_annotation + view.update_annotation + repaint, no window.

Usage: python benchmarks/reader.py [REPEATS]   (runs offscreen unless QT_QPA_PLATFORM is set)
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pypdfium2 as pdfium  # noqa: E402
from PySide6.QtCore import QSettings, QtMsgType, qInstallMessageHandler  # noqa: E402
from PySide6.QtGui import QImage  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication, QPlainTextEdit  # noqa: E402

from app.dossier import Dossier  # noqa: E402
from app.services import annotations, codebook  # noqa: E402
from app.services.annotations import AnnotationView, TagRef  # noqa: E402
from app.services.imports import import_file  # noqa: E402
from tests.helpers.documents import add_text_document  # noqa: E402
from ui.views import make_view  # noqa: E402
from ui.views.pdf_view import PdfPageView  # noqa: E402
from ui.views.text_view import TextView  # noqa: E402

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "pdf"
GEOTOPO = CORPUS / "GeoTopo-komprimiert.pdf"
FEDERAL = CORPUS / "federal-register-2020-17221.pdf"
WORDS = ["passport", "contract", "wages", "account", "state", "worker", "manager", "overseas",
         "dispatch", "agency", "salary", "deposit", "loyalty", "fund", "工资", "construction",
         "quota", "😀", "الأجور", "site"]


def wait_until(app: QApplication, done: Callable[[], bool], timeout: float = 30.0) -> None:
    """Process events until ``done()``; fail loudly after ``timeout`` seconds."""
    limit = time.perf_counter() + timeout
    while not done():
        if time.perf_counter() > limit:
            raise TimeoutError("the reader did not get there in time")
        app.processEvents()


def first_page(app: QApplication, dossier: Dossier, repeats: int) -> tuple[float, float]:
    doc = import_file(dossier, GEOTOPO).document
    assert doc is not None and doc.pages == 117
    times, scale = [], 1.0
    for _ in range(repeats):
        started = time.perf_counter()
        view = make_view(dossier, doc)
        assert isinstance(view, PdfPageView)
        view.resize(1000, 1200)
        view.show()
        wait_until(app, lambda v=view: 1 in v.canvas.shown_pages())
        times.append(time.perf_counter() - started)
        scale = view.canvas.render_scale()
        view.release()
        view.close()
        view.deleteLater()
        app.processEvents()
    baseline = []
    for _ in range(repeats):
        started = time.perf_counter()
        pdf = pdfium.PdfDocument(str(GEOTOPO))
        page = pdf[0]
        bitmap = page.render(scale=scale, prefer_bgrx=True)
        QImage(bitmap.buffer, bitmap.width, bitmap.height, bitmap.stride,
               QImage.Format.Format_RGB32).copy()
        page.close()
        pdf.close()
        baseline.append(time.perf_counter() - started)
    return statistics.median(times), statistics.median(baseline)


def big_text() -> str:
    paragraphs = []
    size, i = 0, 0
    while size < 1_000_000:
        words = [WORDS[(i * 7 + k * 3) % len(WORDS)] for k in range(40 + i % 90)]
        paragraphs.append(" ".join(words).capitalize() + ".")
        size += len(paragraphs[-1]) + 2
        i += 1
    return "\n\n".join(paragraphs)[:1_000_000]


def million(app: QApplication, dossier: Dossier, repeats: int) -> tuple[float, float]:
    text = big_text()
    doc = add_text_document(dossier, text, "A million characters")
    tags = (TagRef("t1", "Abuses/Deception", "#d35400"), TagRef("t2", "Funding", "#27ae60"),
            TagRef("t3", "Contracts/Terms", "#3498db"))
    highlights = [
        AnnotationView(f"a{i}", doc.id, i * 197, i * 197 + 40 + i % 120, "", "", "", None, None,
                       "", "", None, None, "draft", "exact", 1.0, "bench", "", "",
                       (tags[i % 3],))
        for i in range(5000)
    ]
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        view = make_view(dossier, doc)
        assert isinstance(view, TextView)
        view.resize(1000, 900)
        view.set_annotations(highlights)
        view.show()
        app.processEvents()
        view.editor.viewport().repaint()
        times.append(time.perf_counter() - started)
        view.close()
        view.deleteLater()
        app.processEvents()
    baseline = []
    for _ in range(repeats):
        started = time.perf_counter()
        plain = QPlainTextEdit()
        plain.setPlainText(text)
        plain.resize(1000, 900)
        plain.show()
        app.processEvents()
        plain.viewport().repaint()
        baseline.append(time.perf_counter() - started)
        plain.close()
        plain.deleteLater()
        app.processEvents()
    return statistics.median(times), statistics.median(baseline)


def tag_key(app: QApplication, dossier: Dossier, folder: Path, repeats: int
            ) -> dict[str, tuple[float, float, float]]:
    """Median and worst time of tag key → stored and painted, and the no-window baseline."""
    from ui.main_window import MainWindow
    from ui.settings import Settings
    from ui.tasks import TaskRunner

    pdf = import_file(dossier, FEDERAL).document
    text_doc = add_text_document(dossier, big_text()[:200_000], "Article")
    assert pdf is not None
    with dossier.read() as session:
        tag = next(t for t in codebook.list_tags(session) if t.is_codable and t.shortcut)
    store = QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(dossier, settings=Settings(store), runner=TaskRunner(synchronous=True))
    window.show()
    window.activateWindow()
    wait_until(app, window.isActiveWindow)
    results = {}
    for label, doc in (("page view", pdf), ("text view", text_doc)):
        window.open_document(doc.id)
        view = window.view
        assert view is not None
        wait_until(app, lambda v=view: not isinstance(v, PdfPageView)
                   or 1 in v.canvas.shown_pages())
        text = view.text
        starts = [text.find(" ", 2000 + 700 * i) + 1 for i in range(repeats)]
        times = []
        for start in starts:
            view.select_range(start, start + 120)  # type: ignore[attr-defined]
            view.reveal(start, start + 120, flash=False)
            app.processEvents()
            before = {a.id for a in view.annotations()}
            target = window.focusWidget() or window
            started = time.perf_counter()
            QTest.keyClick(target, tag.shortcut)
            wait_until(app, lambda v=view, b=before: len(v.annotations()) > len(b))
            surface = view.canvas.viewport() if isinstance(view, PdfPageView) \
                else view.editor.viewport()  # type: ignore[attr-defined]
            surface.repaint()
            times.append(time.perf_counter() - started)
            made = next(a for a in view.annotations() if a.id not in before)
            assert annotations.get_annotation(dossier, made.id).tags[0].id == tag.id
        baseline = []
        for start in starts:
            started = time.perf_counter()
            made = annotations.create_annotation(dossier, doc.id, start + 200, start + 300,
                                                 [tag.id])
            view.update_annotation(made)
            surface.repaint()
            baseline.append(time.perf_counter() - started)
        results[label] = (statistics.median(times), max(times), statistics.median(baseline))
    window.close()
    window.deleteLater()
    app.processEvents()
    del store
    return results


def quiet_offscreen(mode: QtMsgType, _context: object, message: str) -> None:
    """Drop the offscreen platform's notice about window size hints; print everything else."""
    if "does not support propagateSizeHints" not in message:
        print(message, file=sys.stderr)


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    if not GEOTOPO.exists():
        sys.exit(f"{GEOTOPO} not found: the benchmark reads ../shared/corpus beside the checkout")
    qInstallMessageHandler(quiet_offscreen)
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    with tempfile.TemporaryDirectory(prefix="dossier-bench-") as tmp:
        dossier = Dossier.open(Path(tmp) / "dossier", user="bench")
        shown, rendered = first_page(app, dossier, repeats)
        print(f"first page of 117-page PDF: {shown * 1000:7.1f} ms   (target < 500 ms; "
              f"pypdfium2 alone: {rendered * 1000:.1f} ms, ratio {shown / rendered:.1f}x)")
        opened, plain = million(app, dossier, repeats)
        print(f"1M chars + 5,000 highlights: {opened * 1000:7.1f} ms   (target < 1500 ms; "
              f"bare QPlainTextEdit: {plain * 1000:.1f} ms, ratio {opened / plain:.1f}x)")
        for label, (median, worst, direct) in tag_key(app, dossier, Path(tmp), repeats).items():
            print(f"tag key → stored + painted, {label}: {median * 1000:6.1f} ms median, "
                  f"{worst * 1000:.1f} ms worst   (target < 100 ms; service + view without "
                  f"the window: {direct * 1000:.1f} ms)")
        dossier.close()


if __name__ == "__main__":
    main()

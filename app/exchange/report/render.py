"""Evidence report: the chosen annotations as a readable HTML or PDF document.

Annotations are grouped by claim family (the top-level category of a tag) and then by tag, in
codebook order; an annotation with several tags appears under each (its other tags are named).
Every entry shows the exact quote, the document's title, page, source URL and author, the grade
("B2" and its meaning), the review status and latest decision, attribution, note and who made it.
A document index lists each original's SHA-256; the header gives the audit chain head and export
time. Everything taken from documents or users is escaped: quotes come from hostile pages.

The HTML comes from ``resources/report/report.html`` (``string.Template``). The PDF is the same
HTML laid out by Qt's ``QTextDocument`` and printed with ``QPdfWriter`` (QtGui only, no widgets).
"""

from __future__ import annotations

import base64
import html
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from string import Template
from typing import TYPE_CHECKING, Any

from app import __version__
from app.exchange.report.evidence import ReportExtras, report_extras

#: ``(annotation id, PNG bytes) -> img src``: a data URI in HTML, a resource name in the PDF.
ImageSource = Callable[[str, bytes], str]

if TYPE_CHECKING:
    from app.dossier import Dossier
    from app.exchange.filters import ReviewRecord, Selection
    from app.services.annotations import AnnotationView
    from app.services.documents import DocumentView

RELIABILITY = {
    "A": "completely reliable", "B": "usually reliable", "C": "fairly reliable",
    "D": "not usually reliable", "E": "unreliable", "F": "reliability cannot be judged",
}
CREDIBILITY = {
    1: "confirmed by other sources", 2: "probably true", 3: "possibly true", 4: "doubtful",
    5: "improbable", 6: "truth cannot be judged",
}
UNTAGGED = "Untagged"
#: Vertical space before a heading (Qt's rich text ignores heading margins after a block).
GAP = '<p class="gap">&nbsp;</p>'
_KEEP_QT: list[Any] = []  # the QGuiApplication made for printing, kept alive


def esc(value: object) -> str:
    """HTML-escaped text (quotes included)."""
    return html.escape(str(value), quote=True)


def grade_text(ann: AnnotationView) -> str:
    """``B2 (usually reliable; probably true)``, or "not graded"."""
    if not ann.grade:
        return "not graded"
    words = [RELIABILITY[ann.reliability]] if ann.reliability else []
    if ann.credibility:
        words.append(CREDIBILITY[ann.credibility])
    return f"{ann.grade} ({'; '.join(words)})"


def _stamp(value: str) -> str:
    return value[:16].replace("T", " ") + " UTC" if value else ""


def _link(url: str | None) -> str:
    if not url:
        return ""
    if url.lower().startswith(("http://", "https://")):
        return f'<a href="{esc(url)}">{esc(url)}</a>'
    return esc(url)


def _pages(ann: AnnotationView) -> str:
    if ann.page_start is None:
        return ""
    if ann.page_end and ann.page_end != ann.page_start:
        return f"pp. {ann.page_start}–{ann.page_end}"
    return f"p. {ann.page_start}"


@dataclass
class _Group:
    family: str
    tags: dict[str, list[AnnotationView]] = field(default_factory=dict)


class ReportBuilder:
    """Builds the report's HTML for one selection."""

    def __init__(self, selection: Selection, title: str = "Evidence report",
                 extras: ReportExtras | None = None, image_src: ImageSource | None = None
                 ) -> None:
        self.selection = selection
        self.title = title
        #: Region crops and OCR doubts (:mod:`app.exchange.report.evidence`).
        self.extras = extras or ReportExtras()
        self.image_src = image_src or _data_uri
        self.documents = selection.documents_by_id()
        self.order = {t.path: i for i, t in enumerate(selection.tags)}

    def groups(self) -> list[_Group]:
        """Families in codebook order, each with its tags in codebook order."""
        families: dict[str, _Group] = {}
        for ann in self.selection.annotations:
            paths = [t.path for t in ann.tags] or [UNTAGGED]
            for path in paths:
                family = path.split("/", 1)[0]
                group = families.setdefault(family, _Group(family))
                group.tags.setdefault(path, []).append(ann)
        big = len(self.order)

        def rank(path: str) -> tuple[int, str]:
            return (self.order.get(path, big + (path == UNTAGGED)), path)

        ordered = sorted(families.values(), key=lambda g: rank(g.family))
        for group in ordered:
            group.tags = dict(sorted(group.tags.items(), key=lambda item: rank(item[0])))
        return ordered

    def entry(self, ann: AnnotationView, under: str) -> str:
        """One annotation as an HTML block."""
        doc = self.documents.get(ann.document_id)
        where = [f"<b>{esc(doc.title if doc else ann.document_id)}</b>"]
        if _pages(ann):
            where.append(esc(_pages(ann)))
        if doc is not None and doc.url:
            where.append(_link(doc.url))
        if doc is not None and doc.author:
            where.append(f"document author: {esc(doc.author)}")
        review = f"Review: <b>{esc(ann.status.replace('_', ' '))}</b>"
        latest = self._latest_review(ann.id)
        if latest is not None:
            review += (f" — {esc(latest.decision.replace('_', ' '))} by {esc(latest.reviewer)}, "
                       f"{esc(_stamp(latest.created))}")
            if latest.reason.strip():
                review += f" (“{esc(latest.reason.strip())}”)"
        judged = [f"Grade: <b>{esc(grade_text(ann))}</b>", review]
        if ann.attribution.strip():
            judged.append(f"Attributed to: {esc(ann.attribution.strip())}")
        others = [t.path for t in ann.tags if t.path != under]
        made = [f"Annotated by {esc(ann.author)}, {esc(_stamp(ann.created))}",
                f"id {esc(ann.id[:8])}"]
        if others:
            made.append("also under: " + esc("; ".join(others)))
        crop = self.extras.crops.get(ann.id)
        parts = ['<div class="entry">']
        if ann.region is not None:
            parts.append(f'<p class="region">Region on page {ann.region.page} '
                         f"({esc(ann.region.media_fragment())} points)</p>")
        if crop is not None:
            parts.append(f'<p class="crop"><img src="{self.image_src(ann.id, crop)}" '
                         f'alt="region of page {ann.region.page if ann.region else ""}" '
                         f'width="{min(460, round(ann.region.w * 1.5)) if ann.region else 0}"></p>')
        if ann.quote or ann.region is None:
            parts.append(f"<blockquote>{esc(ann.quote)}</blockquote>")
        parts += [
            f'<p class="facts">{" · ".join(where)}<br>{" · ".join(judged)}<br>'
            f'{" · ".join(made)}</p>',
        ]
        doubtful = self.extras.doubtful.get(ann.id)
        if doubtful:
            parts.append(f'<p class="note warn">OCR: {doubtful} word(s) of this quote were '
                         "recognised with low confidence; check it against the page image.</p>")
        if ann.anchor != "exact":
            parts.append(f'<p class="note warn">Anchor {esc(ann.anchor)}: check this quote '
                         "against the document.</p>")
        if ann.note.strip():
            note = esc(ann.note.strip()).replace("\n", "<br>")
            parts.append(f'<p class="note"><b>Note:</b> {note}</p>')
        parts.append("</div>")
        return "\n".join(parts)

    def _latest_review(self, annotation_id: str) -> ReviewRecord | None:
        reviews = self.selection.reviews.get(annotation_id) or []
        return reviews[-1] if reviews else None

    def families_html(self) -> str:
        """The grouped annotations."""
        groups = self.groups()
        if not groups:
            return "<h2>Annotations</h2>\n<p>No annotations match this selection.</p>"
        out: list[str] = []
        colours = {t.path: t.colour for t in self.selection.tags}
        for group in groups:
            total = len({a.id for anns in group.tags.values() for a in anns})
            out.append(f'{GAP}<h2>{esc(group.family)} <small>({total})</small></h2>')
            for path, anns in group.tags.items():
                label = path.split("/", 1)[1] if "/" in path else path
                chip = colours.get(path)
                mark = (f'<span class="chip" style="color:{esc(chip)}">&#9632;</span> '
                        if chip else "")
                if path != UNTAGGED:
                    out.append(f"{GAP}<h3>{mark}{esc(label)} <small>({len(anns)})</small></h3>")
                out.extend(self.entry(a, path) for a in anns)
        return "\n".join(out)

    def documents_html(self) -> str:
        """The document index: title, source, import and SHA-256 of every selected document."""
        counts: dict[str, int] = {}
        for ann in self.selection.annotations:
            counts[ann.document_id] = counts.get(ann.document_id, 0) + 1
        rows = ['<table class="index" cellspacing="0" cellpadding="3" border="1" width="100%">',
                "<tr><th>Document</th><th>Source</th><th>Original SHA-256</th></tr>"]
        for doc in self.selection.documents:
            rows.append(self._document_row(doc, counts.get(doc.id, 0)))
        rows.append("</table>")
        return "\n".join(rows)

    @staticmethod
    def _document_row(doc: DocumentView, annotations: int) -> str:
        about = [f"<b>{esc(doc.title)}</b>", f"{esc(doc.kind.upper())}"
                 + (f", {doc.pages} pages" if doc.pages else ""),
                 f"{annotations} annotation(s)"]
        if doc.author:
            about.append(f"author: {esc(doc.author)}")
        if doc.published:
            about.append(f"published: {esc(doc.published)}")
        source = [_link(doc.url) if doc.url else esc(doc.filename),
                  f"imported {esc(_stamp(doc.imported_at))} by {esc(doc.imported_by)}"]
        if doc.version > 1:
            source.append(f"version {doc.version}")
        return (f"<tr><td>{'<br>'.join(about)}</td><td>{'<br>'.join(source)}</td>"
                f'<td><span class="hash">{esc(doc.sha256)}</span></td></tr>')

    def summary(self) -> str:
        """One line: how many annotations from how many documents."""
        sel = self.selection
        docs = len({a.document_id for a in sel.annotations})
        return (f"{len(sel.annotations)} annotation(s) from {docs} document(s); "
                f"{len(sel.documents)} document(s) in the index.")

    def filter_text(self) -> str:
        """The export filter in words."""
        flt = self.selection.filter.to_json()
        words = [f"{key.replace('_', ' ')}: {', '.join(v) if isinstance(v, list) else v}"
                 for key, v in flt.items() if v]
        return esc("; ".join(words) if words else "all annotations")

    def render(self) -> str:
        """The whole report as an HTML document."""
        template = Template(resources.files("resources.report").joinpath("report.html")
                            .read_text(encoding="utf-8"))
        sel = self.selection
        return template.substitute(
            title=esc(self.title), summary=esc(self.summary()), exported_at=esc(sel.exported_at),
            exported_by=esc(sel.exported_by), chain_head=esc(sel.chain_head),
            chain_seq=esc(sel.chain_seq), filter=self.filter_text(),
            families=self.families_html(), documents=self.documents_html(),
            generator=esc(f"Dossier {__version__}"),
        )


def report_html(selection: Selection, title: str = "Evidence report",
                extras: ReportExtras | None = None, image_src: ImageSource | None = None) -> str:
    """The evidence report for ``selection`` as HTML."""
    return ReportBuilder(selection, title, extras, image_src).render()


def _data_uri(_key: str, png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def render_report_html(dossier: Dossier, selection: Selection) -> str:
    """The evidence report as HTML (the form the export registry and bundles call)."""
    return report_html(selection, extras=report_extras(dossier, selection))


def write_report_html(dossier: Dossier, selection: Selection, out: Path | str) -> list[str]:
    """Export writer for ``report-html``: the HTML evidence report at ``out``."""
    Path(out).write_bytes(render_report_html(dossier, selection).encode("utf-8"))
    return []


def _gui_application() -> None:
    """Make sure a Qt GUI application exists (offscreen when there is no display)."""
    from PySide6.QtGui import QGuiApplication

    if QGuiApplication.instance() is not None:
        return
    headless = sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    if headless and not os.environ.get("QT_QPA_PLATFORM"):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    _KEEP_QT.append(QGuiApplication(["dossier"]))


def report_pdf(selection: Selection, title: str = "Evidence report",
               extras: ReportExtras | None = None) -> bytes:
    """The evidence report as PDF bytes (A4, page numbers at the foot of each page)."""
    _gui_application()
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QUrl
    from PySide6.QtGui import QFont, QImage, QPageLayout, QPageSize, QPdfWriter, QTextDocument

    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    writer.setPageMargins(QMarginsF(16, 16, 16, 16), QPageLayout.Unit.Millimeter)
    writer.setTitle(title)
    writer.setCreator(f"Dossier {__version__}")
    document = QTextDocument()
    document.setDefaultFont(QFont("DejaVu Serif", 10))
    for key, png in (extras.crops.items() if extras else ()):
        image = QImage()
        image.loadFromData(png)
        document.addResource(QTextDocument.ResourceType.ImageResource, QUrl(f"region:{key}"),
                             image)
    document.setHtml(report_html(selection, title, extras, lambda key, _png: f"region:{key}"))
    document.print_(writer)
    del writer
    buffer.close()
    return bytes(data.data())


def write_report_pdf(dossier: Dossier, selection: Selection, out: Path | str) -> list[str]:
    """Export writer for ``report-pdf``: the PDF evidence report at ``out``."""
    Path(out).write_bytes(report_pdf(selection, extras=report_extras(dossier, selection)))
    return []

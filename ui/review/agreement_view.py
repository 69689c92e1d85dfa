"""Agreement side by side: each annotator's reading of one document for one tag, with figures.

A column per annotator shows the document text; characters this annotator coded with the tag
are green where every annotator of the document coded them too, orange where not everyone did;
characters others coded and this annotator did not are underlined in red. Above: Cohen's kappa
per pair and Krippendorff's alpha, over character-level units.
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.services.agreement import AgreementResult
from ui.operations import Operations
from ui.review import calls

AGREE = "#bfe8b5"
PARTIAL = "#f9cf9f"
MISSED = "#c0392b"


def segments(length: int, ranges: dict[str, list[tuple[int, int]]]
             ) -> list[tuple[int, int, frozenset[str]]]:
    """Cut ``[0, length)`` where any range starts or ends; each piece with who coded it."""
    cuts = {0, length}
    for spans in ranges.values():
        for s, e in spans:
            cuts.update((s, e))
    points = sorted(c for c in cuts if 0 <= c <= length)
    out = []
    for s, e in zip(points, points[1:], strict=False):
        who = frozenset(n for n, spans in ranges.items() if any(a <= s and e <= b
                                                                for a, b in spans))
        out.append((s, e, who))
    return out


def column_html(text: str, name: str, ranges: dict[str, list[tuple[int, int]]]) -> str:
    """One annotator's column as HTML."""
    everyone = frozenset(ranges)
    parts = []
    for s, e, who in segments(len(text), ranges):
        piece = html.escape(text[s:e]).replace("\n", "<br>")
        if name in who:
            colour = AGREE if who == everyone else PARTIAL
            parts.append(f"<span style='background:{colour}'>{piece}</span>")
        elif who:
            parts.append(f"<span style='text-decoration:underline;color:{MISSED}'>{piece}</span>")
        else:
            parts.append(piece)
    return "<div style='font-size:10pt'>" + "".join(parts) + "</div>"


class AgreementView(QDialog):
    """Per-tag agreement of the annotators of one document, side by side."""

    def __init__(self, ops: Operations, document_id: str | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Annotator Agreement")
        self.setObjectName("agreement_view")
        self.ops = ops
        self.document_id = document_id
        self.data: dict[str, Any] | None = None
        self.tag = QComboBox(self)
        self.tag.currentIndexChanged.connect(self._show_tag)
        self.figures = QLabel(self)
        self.figures.setWordWrap(True)
        self.columns = QHBoxLayout()
        self.browsers: list[QTextBrowser] = []
        top = QHBoxLayout()
        top.addWidget(QLabel("Tag", self))
        top.addWidget(self.tag, 1)
        legend = QLabel(f"<span style='background:{AGREE}'>&nbsp;all agree&nbsp;</span> "
                        f"<span style='background:{PARTIAL}'>&nbsp;not everyone&nbsp;</span> "
                        f"<span style='color:{MISSED};text-decoration:underline'>coded by "
                        "others only</span>", self)
        top.addWidget(legend)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.figures)
        layout.addLayout(self.columns, 1)
        self.resize(1200, 700)
        self.load(document_id)

    def load(self, document_id: str | None) -> None:
        """Compute agreement for a document (the one open in the reader)."""
        self.document_id = document_id
        if document_id is None:
            self.figures.setText("Open a document that two or more annotators tagged.")
            return
        calls.load_agreement(self.ops, document_id, self._loaded)

    def _loaded(self, data: dict[str, Any]) -> None:
        self.data = data
        result: AgreementResult = data["result"]
        self.tag.blockSignals(True)
        self.tag.clear()
        for t in result.tags:
            self.tag.addItem(t.path, t.tag_id)
        self.tag.blockSignals(False)
        if not result.tags:
            self.figures.setText("Only one annotator tagged this document: nothing to compare.")
            return
        self._show_tag()

    def _show_tag(self) -> None:
        if self.data is None or self.tag.currentIndex() < 0:
            return
        result: AgreementResult = self.data["result"]
        tag = result.tags[self.tag.currentIndex()]
        ranges: dict[str, list[tuple[int, int]]] = self.data["ranges"][tag.tag_id]
        names = sorted(ranges)

        def fmt(value: float | None) -> str:
            return "undefined" if value is None else f"{value:.3f}"

        pairs = "; ".join(f"{p.first}/{p.second} κ = {fmt(p.kappa)}" for p in tag.pairs)
        self.figures.setText(
            f"<b>{html.escape(tag.path)}</b>: Krippendorff's α = {fmt(tag.alpha)}; Cohen's "
            f"{pairs}. <span style='color:#555'>Units: each character of the document "
            "(character-level units).</span>")
        while len(self.browsers) < len(names):
            box = QVBoxLayout()
            label = QLabel(self)
            browser = QTextBrowser(self)
            box.addWidget(label)
            box.addWidget(browser, 1)
            self.columns.addLayout(box)
            self.browsers.append(browser)
            browser.setProperty("title_label", label)
        for n, browser in enumerate(self.browsers):
            label = browser.property("title_label")
            visible = n < len(names)
            browser.setVisible(visible)
            label.setVisible(visible)
            if visible:
                label.setText(f"<b>{html.escape(names[n])}</b>")
                browser.setHtml(column_html(self.data["text"], names[n], ranges))

"""What the evidence report shows, as plain values for its template (no markup here).

Annotations are grouped by claim family (the top-level category of a tag) and then by tag, in
codebook order; an annotation with several tags appears under each (its other tags are named).
Every entry carries the exact quote, the document's title, page, source URL and author, the grade
("B2" and its meaning), the review status and latest decision, attribution, note and who made it.
The document index lists each original's SHA-256. Escaping is the template's job (autoescape).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from app import __version__

if TYPE_CHECKING:
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
#: Characters of one text run in the template: a long note is cut into runs at spaces so that a
#: layout engine never measures megabytes of text for one line (the page looks the same).
RUN_CHARS = 2000


def grade_text(ann: AnnotationView) -> str:
    """``B2 (usually reliable; probably true)``, or "not graded"."""
    if not ann.grade:
        return "not graded"
    words = [RELIABILITY[ann.reliability]] if ann.reliability else []
    if ann.credibility:
        words.append(CREDIBILITY[ann.credibility])
    return f"{ann.grade} ({'; '.join(words)})"


def stamp(value: str) -> str:
    """``2026-01-03 11:30 UTC`` from a stored ISO time."""
    return value[:16].replace("T", " ") + " UTC" if value else ""


def is_web_link(url: str | None) -> bool:
    """True for http(s) addresses, the only ones the report makes clickable."""
    return bool(url) and str(url).lower().startswith(("http://", "https://"))


def pages_text(ann: AnnotationView) -> str:
    """``p. 3`` or ``pp. 3–4``; empty for unpaged documents."""
    if ann.page_start is None:
        return ""
    if ann.page_end and ann.page_end != ann.page_start:
        return f"pp. {ann.page_start}–{ann.page_end}"
    return f"p. {ann.page_start}"


def runs(text: str, size: int = RUN_CHARS) -> Iterator[str]:
    """``text`` in pieces of about ``size`` characters, cut after a space where there is one."""
    start = 0
    while start < len(text):
        end = start + size
        if end < len(text):
            space = text.find(" ", end, end + size)
            end = space + 1 if space >= 0 else end
        yield text[start:end]
        start = end


def short_id(annotation_id: str) -> str:
    """The id as the report prints it (and as its check looks for it)."""
    return annotation_id[:8]


@dataclass
class Entry:
    """One annotation under one tag."""

    ann: AnnotationView
    doc: DocumentView | None
    others: list[str]
    latest: ReviewRecord | None

    @property
    def short_id(self) -> str:
        return short_id(self.ann.id)

    @property
    def note_paragraphs(self) -> list[str]:
        return self.ann.note.strip().split("\n") if self.ann.note.strip() else []


@dataclass
class TagGroup:
    path: str
    label: str
    colour: str | None
    entries: list[Entry] = field(default_factory=list)


@dataclass
class Family:
    name: str
    tags: list[TagGroup] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len({e.ann.id for t in self.tags for e in t.entries})


@dataclass
class IndexRow:
    doc: DocumentView
    annotations: int


@dataclass
class Report:
    """Everything the template shows."""

    title: str
    selection: Selection
    families: list[Family]
    index: list[IndexRow]
    generator: str = f"Dossier {__version__}"

    @property
    def summary(self) -> str:
        sel = self.selection
        docs = len({a.document_id for a in sel.annotations})
        return (f"{len(sel.annotations)} annotation(s) from {docs} document(s); "
                f"{len(sel.documents)} document(s) in the index.")

    @property
    def filter_text(self) -> str:
        flt = self.selection.filter.to_json()
        words = [f"{key.replace('_', ' ')}: {', '.join(v) if isinstance(v, list) else v}"
                 for key, v in flt.items() if v]
        return "; ".join(words) if words else "all annotations"

    def entries(self) -> Iterator[Entry]:
        """Every entry in the order the report prints them."""
        for family in self.families:
            for tag in family.tags:
                yield from tag.entries


def build_report(selection: Selection, title: str = "Evidence report") -> Report:
    """The report's content for ``selection``."""
    documents = selection.documents_by_id()
    order = {t.path: i for i, t in enumerate(selection.tags)}
    colours = {t.path: t.colour for t in selection.tags}
    big = len(order)

    def rank(path: str) -> tuple[int, str]:
        return (order.get(path, big + (path == UNTAGGED)), path)

    grouped: dict[str, dict[str, list[AnnotationView]]] = {}
    for ann in selection.annotations:
        for path in [t.path for t in ann.tags] or [UNTAGGED]:
            top = path.split("/", 1)[0]
            grouped.setdefault(top, {}).setdefault(path, []).append(ann)

    families: list[Family] = []
    for name in sorted(grouped, key=rank):
        family = Family(name)
        for path in sorted(grouped[name], key=rank):
            label = path.split("/", 1)[1] if "/" in path else path
            group = TagGroup(path, label, colours.get(path))
            for ann in grouped[name][path]:
                reviews = selection.reviews.get(ann.id) or []
                group.entries.append(Entry(
                    ann, documents.get(ann.document_id),
                    [t.path for t in ann.tags if t.path != path],
                    reviews[-1] if reviews else None))
            family.tags.append(group)
        families.append(family)

    counts: dict[str, int] = {}
    for ann in selection.annotations:
        counts[ann.document_id] = counts.get(ann.document_id, 0) + 1
    index = [IndexRow(doc, counts.get(doc.id, 0)) for doc in selection.documents]
    return Report(title, selection, families, index)

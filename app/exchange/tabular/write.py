"""Spreadsheets: CSV (UTF-8, RFC 4180) and XLSX, one row per annotation and tag.

Columns follow FORMATS.md §4, then Dossier's own: ``tag_id`` (the tag's stable id), the
attribution and the two Admiralty grades. An untagged annotation gets one row with empty tag
cells. ``page`` is the 1-based page the passage starts on; ``start``/``end``
are code points with an exclusive end; times are ISO 8601 UTC. ``reviewer`` is whoever made the
latest review decision.

Text cells that begin with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return get a leading
apostrophe, so that a spreadsheet never runs a quote as a formula (CSV injection). The JSON-LD
export keeps such text unchanged.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.errors import BadInput
from app.exchange.filters import Selection
from app.exchange.jsonld.write import source_iri
from app.progress import checkpoint

if TYPE_CHECKING:
    from app.dossier import Dossier

COLUMNS = (
    "annotation_id", "document_id", "document_title", "source_uri", "page", "start", "end",
    "exact", "prefix", "suffix", "tag", "tag_path", "comment", "creator", "created", "modified",
    "review_status", "reviewer", "text_sha256",
)
EXTRA_COLUMNS = ("tag_id", "attribution", "reliability", "credibility")
HEADER = COLUMNS + EXTRA_COLUMNS
_RISKY = ("=", "+", "-", "@", "\t", "\r")
#: Excel keeps at most this many characters in a cell.
XLSX_CELL_LIMIT = 32_767
XLSX_ROW_LIMIT = 1_048_576


def neutralise(value: str) -> str:
    """``value`` with a leading apostrophe when a spreadsheet could read it as a formula."""
    return "'" + value if value.startswith(_RISKY) else value


def iter_rows(selection: Selection) -> Iterator[list[Any]]:
    """The data rows (no header): one per annotation and tag, text cells neutralised."""
    docs = {d.id: (neutralise(d.title), neutralise(source_iri(d)), d.text_sha256)
            for d in selection.documents}
    for ann in selection.annotations:
        title, uri, text_sha = docs[ann.document_id]
        decisions = selection.reviews.get(ann.id)
        head = [ann.id, ann.document_id, title, uri, ann.page_start or "", ann.start, ann.end,
                neutralise(ann.quote), neutralise(ann.prefix), neutralise(ann.suffix)]
        tail = [neutralise(ann.note), neutralise(ann.author), ann.created, ann.modified,
                ann.status, neutralise(decisions[-1].reviewer) if decisions else "", text_sha]
        grades = [neutralise(ann.attribution), ann.reliability or "", ann.credibility or ""]
        tags = [(neutralise(t.path.rsplit("/", 1)[-1]), neutralise(t.path), t.id)
                for t in ann.tags] or [("", "", "")]
        for name, path, tag_id in tags:
            yield [*head, name, path, *tail, tag_id, *grades]


def csv_field(value: str) -> str:
    """One neutralised RFC 4180 field: quoted when it holds a comma, a quote or a line break."""
    if value.startswith(_RISKY):
        value = "'" + value
    if '"' in value or "," in value or "\n" in value or "\r" in value:
        return '"' + value.replace('"', '""') + '"'
    return value


def write_csv(dossier: Dossier, selection: Selection, out: Path) -> None:
    """Export writer for ``--format csv``.

    Lines are assembled here rather than by :mod:`csv`: ids, numbers, times and hashes never
    need quoting, and document and tag cells are quoted once, not once per row (the csv module
    takes seconds for 50,000 annotations). Tests read the file back with :mod:`csv` and compare
    it cell by cell with :func:`iter_rows`.
    """
    field = csv_field
    docs = {d.id: (f"{field(d.title)},{field(source_iri(d))}", d.text_sha256)
            for d in selection.documents}
    tags = {t.id: f"{field(t.name)},{field(t.path)}" for t in selection.tags}
    people: dict[str, str] = {}
    reviews = selection.reviews
    with out.open("w", encoding="utf-8", newline="") as fh:
        fh.write(",".join(HEADER) + "\r\n")
        lines: list[str] = []
        for ann in selection.annotations:
            checkpoint()
            described, text_sha = docs[ann.document_id]
            author = people.get(ann.author) or people.setdefault(ann.author, field(ann.author))
            decisions = reviews.get(ann.id)
            reviewer = field(decisions[-1].reviewer) if decisions else ""
            before = (f"{ann.id},{ann.document_id},{described},{ann.page_start or ''},"
                      f"{ann.start},{ann.end},{field(ann.quote)},{field(ann.prefix)},"
                      f"{field(ann.suffix)}")
            after = (f"{field(ann.note)},{author},{ann.created},{ann.modified},{ann.status},"
                     f"{reviewer},{text_sha}")
            grades = (f"{field(ann.attribution)},{ann.reliability or ''},"
                      f"{ann.credibility or ''}\r\n")
            if not ann.tags:
                lines.append(f"{before},,,{after},,{grades}")
            for tag in ann.tags:
                lines.append(f"{before},{tags[tag.id]},{after},{tag.id},{grades}")
            if len(lines) >= 5000:
                fh.write("".join(lines))
                lines.clear()
        fh.write("".join(lines))


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
        if len(value) > XLSX_CELL_LIMIT:
            value = value[:XLSX_CELL_LIMIT - 13] + " [truncated]"
    return value


def write_xlsx(dossier: Dossier, selection: Selection, out: Path) -> list[str]:
    """Export writer for ``--format xlsx`` (openpyxl in write-only mode, so memory stays flat)."""
    from openpyxl import Workbook

    rows = sum(max(1, len(a.tags)) for a in selection.annotations)
    if rows + 1 > XLSX_ROW_LIMIT:
        raise BadInput(f"{rows} rows do not fit in one Excel sheet ({XLSX_ROW_LIMIT - 1} at "
                       "most); export CSV, or fewer annotations with filters")
    notes: list[str] = []
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Annotations")
    sheet.append(list(HEADER))
    truncated = 0
    try:
        for row in iter_rows(selection):
            checkpoint()
            cells = [_cell(v) for v in row]
            truncated += sum(1 for v in row if isinstance(v, str) and len(v) > XLSX_CELL_LIMIT)
            sheet.append(cells)
    except BaseException:
        sheet.close()  # end openpyxl's row stream cleanly; the caller discards the file
        raise
    about = book.create_sheet("Export")
    for key, value in (
        ("exported at", selection.exported_at), ("exported by", selection.exported_by),
        ("annotations", len(selection.annotations)), ("documents", len(selection.documents)),
        ("audit chain head", f"{selection.chain_seq}:{selection.chain_head}"),
        ("filter", str(selection.filter.to_json())),
    ):
        about.append([key, _cell(neutralise(value) if isinstance(value, str) else value)])
    book.save(out)
    if truncated:
        notes.append(f"{truncated} cell(s) longer than Excel's {XLSX_CELL_LIMIT} characters were "
                     "truncated; the CSV and JSON-LD exports keep them whole")
    return notes

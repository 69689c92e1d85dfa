"""Spreadsheets: CSV (UTF-8, RFC 4180) and XLSX, one row per annotation and tag.

Columns follow FORMATS.md §4, then Dossier's own: ``tag_id`` (the tag's stable id), the
attribution and the two Admiralty grades. An untagged annotation gets one row with empty tag
cells. ``page`` is the 1-based page the passage starts on; ``start``/``end``
are code points with an exclusive end; times are ISO 8601 UTC. ``reviewer`` is whoever made the
latest review decision.

**CSV**: text cells that begin with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return get a
leading apostrophe, so that a spreadsheet never runs a quote as a formula (CSV injection): a CSV
cell has no type, so the text itself must be changed. ``--excel`` (format ``csv-excel``) writes
the same with a UTF-8 byte-order mark, which Excel needs to read UTF-8.

**XLSX**: every text cell is stored with the string type, so nothing is ever a formula and the
text is exactly the annotation's (no apostrophe); ``created``/``modified`` are real date cells
in UTC (the header says so), which Excel sorts and filters as dates. The JSON-LD export keeps
all text unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
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


def iter_rows(selection: Selection, *, neutralised: bool = True) -> Iterator[list[Any]]:
    """The data rows (no header): one per annotation and tag; text cells neutralised for CSV
    unless ``neutralised`` is False (XLSX types its cells instead)."""
    safe = neutralise if neutralised else _same
    docs = {d.id: (safe(d.title), safe(source_iri(d)), d.text_sha256)
            for d in selection.documents}
    for ann in selection.annotations:
        title, uri, text_sha = docs[ann.document_id]
        decisions = selection.reviews.get(ann.id)
        head = [ann.id, ann.document_id, title, uri, ann.page_start or "", ann.start, ann.end,
                safe(ann.quote), safe(ann.prefix), safe(ann.suffix)]
        tail = [safe(ann.note), safe(ann.author), ann.created, ann.modified,
                ann.status, safe(decisions[-1].reviewer) if decisions else "", text_sha]
        grades = [safe(ann.attribution), ann.reliability or "", ann.credibility or ""]
        tags = [(safe(t.path.rsplit("/", 1)[-1]), safe(t.path), t.id)
                for t in ann.tags] or [("", "", "")]
        for name, path, tag_id in tags:
            yield [*head, name, path, *tail, tag_id, *grades]


def _same(value: str) -> str:
    return value


def csv_field(value: str) -> str:
    """One neutralised RFC 4180 field: quoted when it holds a comma, a quote or a line break."""
    if value.startswith(_RISKY):
        value = "'" + value
    if '"' in value or "," in value or "\n" in value or "\r" in value:
        return '"' + value.replace('"', '""') + '"'
    return value


def write_csv_excel(dossier: Dossier, selection: Selection, out: Path) -> None:
    """Export writer for ``--format csv --excel``: the CSV with a UTF-8 byte-order mark."""
    write_csv(dossier, selection, out, bom=True)


def write_csv(dossier: Dossier, selection: Selection, out: Path, *, bom: bool = False) -> None:
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
    with out.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as fh:
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


#: Columns of the XLSX sheet that hold date-times (written as real dates, in UTC).
DATE_COLUMNS = ("created", "modified")
XLSX_HEADER = tuple(f"{c} (UTC)" if c in DATE_COLUMNS else c for c in HEADER)
_DATE_FORMAT = "yyyy-mm-dd hh:mm:ss"


def _stamp(value: Any) -> datetime | Any:
    """A Dossier UTC stamp as a naive datetime to the millisecond (Excel has no time zones, the
    header says UTC; it keeps milliseconds at most)."""
    if not isinstance(value, str) or not value:
        return value
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)  # Excel keeps ms


def _cell_maker(sheet: Any) -> Callable[[Any], Any]:
    """``cell(value)`` for a write-only sheet: text always of string type (never a formula),
    dates as date cells. openpyxl types plain text as a string already, except text beginning
    with ``=``, which it would store as a formula: only such text (and dates, for their format)
    gets a cell object of its own, which keeps large exports fast."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    illegal = ILLEGAL_CHARACTERS_RE.search

    def cell(value: Any) -> Any:
        if isinstance(value, str):
            if illegal(value):
                value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
            if len(value) > XLSX_CELL_LIMIT:
                value = value[:XLSX_CELL_LIMIT - 13] + " [truncated]"
            if not value.startswith("="):
                return value
            typed = WriteOnlyCell(sheet, value=value)
            typed.data_type = "s"
            return typed
        if isinstance(value, datetime):
            dated = WriteOnlyCell(sheet, value=value)
            dated.number_format = _DATE_FORMAT
            return dated
        return value

    return cell


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
    cell = _cell_maker(sheet)
    sheet.append([cell(h) for h in XLSX_HEADER])
    dates = {HEADER.index(c) for c in DATE_COLUMNS}
    truncated = 0
    stamps: dict[str, Any] = {}  # an annotation's rows (one per tag) share its two dates
    try:
        for row in iter_rows(selection, neutralised=False):
            checkpoint()
            truncated += sum(1 for v in row if isinstance(v, str) and len(v) > XLSX_CELL_LIMIT)
            for i in dates:
                value = row[i]
                dated = stamps.get(value)
                if dated is None:
                    dated = stamps[value] = cell(_stamp(value))
                row[i] = dated
            sheet.append([v if i in dates else cell(v) for i, v in enumerate(row)])
            if len(stamps) > 10_000:
                stamps.clear()
    except BaseException:
        sheet.close()  # end openpyxl's row stream cleanly; the caller discards the file
        raise
    about = book.create_sheet("Export")
    about_cell = _cell_maker(about)
    for key, value in (
        ("exported at (UTC)", _stamp(selection.exported_at)),
        ("exported by", selection.exported_by),
        ("annotations", len(selection.annotations)), ("documents", len(selection.documents)),
        ("audit chain head", f"{selection.chain_seq}:{selection.chain_head}"),
        ("filter", str(selection.filter.to_json())),
    ):
        about.append([about_cell(key), about_cell(value)])
    book.save(out)
    if truncated:
        notes.append(f"{truncated} cell(s) longer than Excel's {XLSX_CELL_LIMIT} characters were "
                     "truncated; the CSV and JSON-LD exports keep them whole")
    return notes

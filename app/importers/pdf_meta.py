"""Metadata and structure checks of a PDF opened with pdfminer (all failures are tolerated)."""

from __future__ import annotations

import re

from pdfminer.pdftypes import resolve1
from pdfminer.utils import decode_text

from app.importers.pdf_worker import OpenDocument


def info_is_page_tree(opened: OpenDocument) -> bool:
    """Does the trailer's /Info point at a page tree node instead of a metadata dictionary?"""
    try:
        return any(
            isinstance(entry, dict) and ("Kids" in entry or "Parent" in entry)
            for entry in opened.doc.info
        )
    except Exception:
        return False


def page_tree_ok(opened: OpenDocument) -> bool:
    try:
        return isinstance(resolve1(opened.doc.catalog.get("Pages")), dict)
    except Exception:
        return False



_DATE = re.compile(
    r"^D?:?(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?\s*([Zz+\-])?\s*(\d{2})?'?(\d{2})?"
)


def pdf_date(value: str) -> str | None:
    """A PDF date (``D:20230621093027-04'00'``) as ISO 8601, as precise as the source."""
    m = _DATE.match(value.strip())
    if not m:
        return None
    year, month, day, hour, minute, second, tz, tzh, tzm = m.groups()
    out = year
    if month:
        out += f"-{month}"
        if day:
            out += f"-{day}"
            if hour:
                out += f"T{hour}:{minute or '00'}:{second or '00'}"
                if tz in ("Z", "z"):
                    out += "Z" if not tzh or int(tzh) == 0 and int(tzm or 0) == 0 else ""
                if tz in ("+", "-") and tzh:
                    out += f"{tz}{tzh}:{tzm or '00'}"
    return out


def _text(value: object) -> str:
    if isinstance(value, bytes):
        value = decode_text(value)
    if not isinstance(value, str):
        return ""
    return " ".join(value.replace("\x00", "").split())


def read_metadata(opened: OpenDocument) -> dict[str, object]:
    """Title, author, subject, keywords, creator, producer, created, modified (if readable)."""
    info: dict[str, object] = {}
    if info_is_page_tree(opened):
        return {}
    try:
        for entry in opened.doc.info:
            for k, v in dict(entry).items():
                info[str(k)] = resolve1(v)
    except Exception:  # unreadable metadata: import with none
        return {}
    out: dict[str, object] = {}
    for key, field in (("Title", "title"), ("Author", "author"), ("Subject", "subject"),
                       ("Keywords", "keywords"), ("Creator", "creator"), ("Producer", "producer")):
        try:
            value = _text(info.get(key))
        except Exception:
            value = ""
        if value:
            out[field] = value
    for key, field in (("CreationDate", "created"), ("ModDate", "modified")):
        try:
            date = pdf_date(_text(info.get(key)))
        except Exception:
            date = None
        if date:
            out[field] = date
    return out


def page_label(label: object) -> str | None:
    return label if isinstance(label, str) and label else None


def str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) and value else None

"""What kind of file the user chose, decided by its content, never by its name."""

from __future__ import annotations

import re

from app.importers.base import ImportRefused
from app.importers.image import image_format
from app.importers.text import bom_encoding, decode_text, is_plain_text

SUPPORTED = "Dossier imports PDF, HTML and text files and images (PNG, JPEG, TIFF, WebP)"

#: How far into the file the PDF header may sit (Acrobat accepts junk before it up to 1 KiB).
PDF_HEADER_WINDOW = 1024
#: How much of the start is decoded to look for an HTML tag.
HTML_SNIFF_BYTES = 4096

# (magic bytes, offset, what it is): checked before anything is decoded.
_SIGNATURES: tuple[tuple[bytes, int, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", 0, "a PNG image"),
    (b"\xff\xd8\xff", 0, "a JPEG image"),
    (b"GIF87a", 0, "a GIF image"),
    (b"GIF89a", 0, "a GIF image"),
    (b"II*\x00", 0, "a TIFF image"),
    (b"MM\x00*", 0, "a TIFF image"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 0,
     "a Microsoft Office 97-2003 document; save it as PDF and import that"),
    (b"{\\rtf", 0, "an RTF document"),
    (b"\x1f\x8b", 0, "a gzip-compressed file"),
    (b"7z\xbc\xaf\x27\x1c", 0, "a 7-Zip archive"),
    (b"Rar!\x1a\x07", 0, "a RAR archive"),
    (b"SQLite format 3\x00", 0, "an SQLite database"),
    (b"\x7fELF", 0, "a program (ELF executable)"),
    (b"OggS", 0, "an Ogg audio or video file"),
    (b"fLaC", 0, "a FLAC audio file"),
    (b"ID3", 0, "an MP3 audio file"),
    (b"ftyp", 4, "an MP4/QuickTime video or HEIF image"),
    (b"\x1a\x45\xdf\xa3", 0, "a Matroska/WebM video"),
    (b"wOFF", 0, "a web font"),
    (b"wOF2", 0, "a web font"),
)

# The WHATWG MIME-sniffing HTML patterns: the tag name must be followed by a space or ">".
_HTML_START = re.compile(
    r"<(?:!doctype\s+html|html|head|body|article|meta|title|script|iframe|h1|div|font|table|a|"
    r"style|b|br|p|link)(?=[\s>/])",
    re.IGNORECASE,
)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_XML_DECLARATION = re.compile(r"<\?xml[^>]*\?>", re.IGNORECASE)


def detect_format(data: bytes, name: str = "") -> str:
    """Return ``"pdf"``, ``"image"``, ``"html"`` or ``"text"`` for ``data``, judged by content.

    A file named ``.pdf`` that holds HTML is ``"html"``: the caller may import it as the page it
    is (the PDF importer itself would refuse it as not being a PDF). Anything else raises
    :class:`ImportRefused` saying what the file is, when that can be told.
    """
    label = name or "the file"
    if not data:
        raise ImportRefused(f"{label} is empty (0 bytes); choose a file that has content")
    if re.search(rb"%PDF-\d", data[:PDF_HEADER_WINDOW]):
        return "pdf"
    if image_format(data) is not None:
        return "image"
    binary = binary_kind(data)
    if binary is not None:
        kind, _, advice = binary.partition("; ")
        raise ImportRefused(
            f"{label}: not a supported file (it is {kind}); {SUPPORTED}"
            + (f" — {advice}" if advice else "")
        )
    if looks_like_html(data):
        return "html"
    try:
        decoded = decode_text(data, label)
    except ImportRefused:
        decoded = None
    if decoded is not None and is_plain_text(decoded.text):
        return "text"
    raise ImportRefused(
        f"{label}: not a supported file (binary data of an unknown type, not text); {SUPPORTED}"
    )


def binary_kind(data: bytes) -> str | None:
    """What a well-known binary file is (``"a PNG image"``), else ``None``.

    Some descriptions carry advice after ``"; "`` (``"a Word .docx document; save it as PDF"``).
    """
    if data.startswith(b"PK\x03\x04"):
        return _zip_kind(data)
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return "a WebP image"
    if data.startswith(b"RIFF") and data[8:12] in {b"WAVE", b"AVI "}:
        return "an audio or video file (RIFF)"
    if data.startswith(b"MZ") and b"This program cannot be run in DOS mode" in data[:512]:
        return "a Windows program"
    for magic, offset, kind in _SIGNATURES:
        if data[offset : offset + len(magic)] == magic:
            return kind
    return None


def _zip_kind(data: bytes) -> str:
    head = data[:65536]
    if b"word/" in head:
        return "a Word .docx document; save it as PDF and import that"
    if b"xl/" in head:
        return "an Excel .xlsx workbook; save it as PDF and import that"
    if b"ppt/" in head:
        return "a PowerPoint .pptx presentation; save it as PDF and import that"
    if b"application/epub+zip" in head:
        return "an EPUB e-book"
    if b"application/vnd.oasis.opendocument" in head:
        return "an OpenDocument file; save it as PDF and import that"
    return "a ZIP archive; unpack it and import the files inside"


def looks_like_html(data: bytes) -> bool:
    """True when the file starts (after a BOM, white space, comments) with an HTML tag."""
    head = data[:HTML_SNIFF_BYTES]
    found = bom_encoding(head)
    if found is not None:
        encoding, skip = found
        start = head[skip:].decode(encoding, errors="ignore")
    else:
        # Every encoding a page can declare for itself is ASCII-compatible in its tags.
        start = head.decode("latin-1")
    start = start.lstrip("\ufeff \t\r\n\f")
    start = _XML_DECLARATION.sub("", start, count=1).lstrip()
    while start.startswith("<!--"):
        stripped = _COMMENT.sub("", start, count=1).lstrip()
        if stripped == start:
            break  # an unterminated comment: not enough to tell
        start = stripped
    return _HTML_START.match(start) is not None

"""Plain-text and Markdown files: decode, normalise, keep the text exactly as written.

Plain text is kept exactly as written. In Markdown, inline markup (links, emphasis, code spans,
images) is shown as the words it marks (:mod:`app.importers.markdown_inline`; link targets go to
the metadata), so offsets count the text a reader sees; block markup stays, and headings,
paragraphs, list items and quotes are recorded as structure ranges.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass
from pathlib import PurePath

import charset_normalizer

from app.importers.base import ExtractedDocument, ImportRefused
from app.importers.markdown_inline import Link, render_inline
from app.textmodel import normalise

#: Bumped whenever the same bytes could yield a different text or structure.
TEXT_IMPORTER_VERSION = "2"
TITLE_MAX_CHARS = 200
#: Files up to this size are given whole to charset-normalizer; larger ones are sampled.
_DETECT_WHOLE_BYTES = 64 * 1024

# Longest first: the UTF-32-LE BOM starts with the UTF-16-LE one.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# C0 controls other than tab, LF, VT, FF, CR and ESC, plus DEL and the C1 range: a decoded text
# containing them is binary data or a wrong guess of the encoding.
_BINARY_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f-\x9f]")

# charset-normalizer's names of languages written with the windows-1252 repertoire, and the
# single-byte Latin code pages it may wrongly prefer for them.
_WINDOWS_1252_LANGUAGES = frozenset({
    "English", "German", "French", "Dutch", "Italian", "Spanish", "Portuguese", "Swedish",
    "Norwegian", "Danish", "Finnish", "Indonesian",
})
_LATIN_SINGLE_BYTE = frozenset({
    "cp1250", "cp1252", "cp1254", "cp1257", "cp437", "cp850", "cp852", "cp858", "cp775",
    "latin_1", "iso8859_1", "iso8859_2", "iso8859_4", "iso8859_9", "iso8859_13", "iso8859_15",
    "mac_latin2", "mac_roman", "mac_iceland",
})

_MARKDOWN_HINTS = re.compile(
    r"^ {0,3}(#{1,6}[ \t]|>|[-*+][ \t]|\d{1,9}[.)][ \t]|```|~~~)|\[[^\]\n]+\]\([^)\n]*\)",
    re.MULTILINE,
)
_ATX_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT_UNDERLINE = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_LIST_ITEM = re.compile(r"^ {0,3}([-*+]|\d{1,9}[.)])([ \t]+|$)")
_QUOTE = re.compile(r"^ {0,3}>")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")
_FRONT_MATTER_TITLE = re.compile(r"^title:[ \t]*(.+?)[ \t]*$", re.MULTILINE)


@dataclass(frozen=True)
class DecodedText:
    """Bytes turned into a ``str``: the text, the codec used and how it was chosen."""

    text: str
    encoding: str
    method: str  # "bom", "utf-8" or "detected" (HTML adds "http" and "meta")


def bom_encoding(data: bytes) -> tuple[str, int] | None:
    """The codec named by a byte-order mark at the start of ``data`` and the BOM's length."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding, len(bom)
    return None


def has_binary_controls(text: str) -> bool:
    """True when ``text`` holds control characters that never occur in real text."""
    return _BINARY_CONTROLS.search(text) is not None


def decode_text(data: bytes, label: str = "the file") -> DecodedText:
    """Decode ``data``: a BOM wins, then strict UTF-8, then charset-normalizer's best guess.

    Raises :class:`ImportRefused` when no encoding yields text without binary control bytes.
    """
    found = bom_encoding(data)
    if found is not None:
        encoding, skip = found
        try:
            return DecodedText(data[skip:].decode(encoding), encoding, "bom")
        except UnicodeDecodeError as exc:
            raise ImportRefused(
                f"{label}: starts with a {encoding.upper()} byte-order mark but is not valid "
                f"{encoding.upper()} (byte {exc.start + skip}); re-save it as UTF-8"
            ) from exc
    utf8_text: str | None = None
    try:
        utf8_text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        if is_plain_text(utf8_text):
            return DecodedText(utf8_text, "utf-8", "utf-8")
    # Small files are read whole (the default samples 5 x 512 bytes, which misses the few
    # non-ASCII bytes of a short text); this also finds BOM-less UTF-16, valid UTF-8 full of NULs.
    small = len(data) <= _DETECT_WHOLE_BYTES
    best = charset_normalizer.from_bytes(
        data, steps=1 if small else 8, chunk_size=len(data) if small else 4096
    ).best()
    if best is not None and best.encoding:
        encoding = _prefer_windows_1252(data, best.encoding, best.language)
        try:
            text = data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            text = ""
        if text and is_plain_text(text):
            return DecodedText(text, codecs.lookup(encoding).name, "detected")
    if utf8_text is not None:
        return DecodedText(utf8_text, "utf-8", "utf-8")
    raise ImportRefused(
        f"{label}: not a supported file (binary data, not text in any known encoding); "
        "Dossier imports PDF, HTML and text files"
    )


def _prefer_windows_1252(data: bytes, guess: str, language: str) -> str:
    """Windows-1252 instead of another single-byte Latin guess for text in a Western language.

    On short samples charset-normalizer often ranks a Baltic or DOS code page above windows-1252
    while itself recognising French or English; windows-1252 is by far the most common legacy
    encoding of such text (and the WHATWG default), so it wins whenever it decodes cleanly.
    """
    if language not in _WINDOWS_1252_LANGUAGES and not (
        language == "Unknown" and guess.replace("-", "_").lower() in _LATIN_SINGLE_BYTE
    ):
        return guess
    if guess.replace("-", "_").lower() not in _LATIN_SINGLE_BYTE:
        return guess
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return guess
    return "cp1252" if is_plain_text(text) else guess


def extract_text_file(data: bytes, name: str) -> ExtractedDocument:
    """Import a plain-text or Markdown file as Dossier's canonical text, kind ``"text"``."""
    label = name or "the file"
    if not data:
        raise ImportRefused(f"{label} is empty (0 bytes); choose a file with some text in it")
    decoded = decode_text(data, label)
    if has_binary_controls(decoded.text):
        raise ImportRefused(
            f"{label}: not a supported file (it contains binary control bytes, so it is not "
            "plain text); Dossier imports PDF, HTML and text files"
        )
    text = normalise(decoded.text.removeprefix("\ufeff"))
    if not text.strip():
        raise ImportRefused(f"{label} contains only white space; there is no text to import")
    markdown = is_markdown(text, name)
    links: list[Link] = []
    if markdown:
        text, links = render_inline(text)
    metadata: dict[str, object] = {
        "encoding": decoded.encoding,
        "encoding_detection": decoded.method,
        "markup": "markdown" if markdown else "plain",
        "line_endings": _line_endings(decoded.text),
    }
    if links:
        metadata["links"] = [link.to_json() for link in links]
    return ExtractedDocument(
        kind="text",
        text=text,
        title=text_title(text, name, markdown=markdown),
        structure=text_structure(text),
        extractor=(
            f"dossier.text/{TEXT_IMPORTER_VERSION} (decode: BOM, UTF-8, charset-normalizer "
            f"{charset_normalizer.__version__}; NFC; "
            f"{'inline Markdown shown as text' if markdown else 'markup kept'})"
        ),
        metadata=metadata,
    )


def is_markdown(text: str, name: str = "") -> bool:
    """True for ``.md`` files and for text with Markdown headings, lists, quotes or links."""
    if PurePath(name).suffix.lower() in {".md", ".markdown", ".mdown", ".mkd"}:
        return True
    return len(_MARKDOWN_HINTS.findall(text[:200_000])) >= 2


def text_title(text: str, name: str = "", *, markdown: bool = True) -> str:
    """Front-matter title, else the first ``# heading``, else the first line, else the stem."""
    lines = text.split("\n")
    if markdown:
        front = _front_matter_title(text)
        if front:
            return _clip(front)
    first = next((line.strip() for line in lines if line.strip()), "")
    if markdown:
        heading = _ATX_HEADING.match(first)
        if heading is None:
            for line in lines:
                match = _ATX_HEADING.match(line)
                if match and len(match.group(1)) == 1 and match.group(2):
                    heading = match
                    break
        if heading is not None and heading.group(2):
            return _clip(heading.group(2))
    if first:
        return _clip(first)
    return PurePath(name).stem if name else "Untitled text"


def _front_matter_title(text: str) -> str | None:
    if not text.startswith("---\n"):
        return None
    end = text.find("\n---", 4)
    if end < 0:
        return None
    match = _FRONT_MATTER_TITLE.search(text, 4, end)
    return match.group(1).strip("'\"") if match else None


def _clip(title: str) -> str:
    """Collapse white space and cut to :data:`TITLE_MAX_CHARS`, at a word boundary if possible."""
    title = " ".join(title.split())
    if len(title) <= TITLE_MAX_CHARS:
        return title
    cut = title[: TITLE_MAX_CHARS - 1]
    space = cut.rfind(" ")
    if space > TITLE_MAX_CHARS // 2:
        cut = cut[:space]
    return cut.rstrip() + "…"


def text_structure(text: str) -> list[tuple[str, int, int]]:
    """(kind, start, end) ranges for headings, paragraphs, list items and quotes of ``text``.

    Lines are classified the way Markdown does (ATX and setext headings, ``-``/``1.`` items, ``>``
    quotes, fenced code kept as one paragraph); plain text simply yields its paragraphs.
    """
    ranges: list[tuple[str, int, int]] = []
    lines: list[tuple[int, int]] = []  # [start, end) of each line, without its "\n"
    pos = 0
    for line in text.split("\n"):
        lines.append((pos, pos + len(line)))
        pos += len(line) + 1

    block: list[tuple[int, int]] = []  # lines of the paragraph being collected
    block_kind = "paragraph"

    def flush() -> None:
        nonlocal block
        if block:
            ranges.append((block_kind, block[0][0], block[-1][1]))
            block = []

    in_fence = False
    for start, end in lines:
        line = text[start:end]
        if in_fence:
            block.append((start, end))
            if _FENCE.match(line):
                in_fence = False
                flush()
            continue
        if not line.strip():
            flush()
            continue
        if _FENCE.match(line):
            flush()
            block_kind, in_fence = "paragraph", True
            block.append((start, end))
            continue
        if _ATX_HEADING.match(line):
            flush()
            ranges.append(("heading", *_trimmed(text, start, end)))
            continue
        underline = _SETEXT_UNDERLINE.match(line)
        if underline and len(block) == 1 and block_kind == "paragraph" and (
            underline.group(1)[0] == "=" or len(underline.group(1)) >= 2
        ):
            first_start, first_end = block[0]
            block = []
            ranges.append(("heading", *_trimmed(text, first_start, first_end)))
            continue
        if _LIST_ITEM.match(line):
            flush()
            block_kind = "list-item"
            block.append((start, end))
            continue
        if _QUOTE.match(line):
            if block_kind != "quote":
                flush()
            block_kind = "quote"
            block.append((start, end))
            continue
        if not block:
            block_kind = "paragraph"
        # else: a continuation line of the paragraph, item or quote being collected
        block.append((start, end))
    flush()
    return [(kind, s, e) for kind, s, e in ranges if e > s]


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in " \t":
        start += 1
    while end > start and text[end - 1] in " \t":
        end -= 1
    return start, end


def _line_endings(raw: str) -> str:
    crlf = raw.count("\r\n")
    cr = raw.count("\r") - crlf
    lf = raw.count("\n") - crlf
    kinds = [kind for kind, count in (("crlf", crlf), ("cr", cr), ("lf", lf)) if count]
    return kinds[0] if len(kinds) == 1 else ("mixed" if kinds else "none")


def is_plain_text(text: str) -> bool:
    """True when a decoded text has no binary control characters and is not mostly unassigned."""
    if has_binary_controls(text):
        return False
    sample = text[:10_000]
    unassigned = sum(1 for ch in sample if unicodedata.category(ch) in {"Cn", "Co", "Cs"})
    return unassigned <= len(sample) // 100

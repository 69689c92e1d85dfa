"""Decoding a saved or fetched web page to text, reading charset labels as browsers do."""

from __future__ import annotations

import codecs
import re

from app.importers.text import bom_encoding, decode_text, mostly_utf8

_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_:.+-]+)""", re.IGNORECASE
)

# Labels that browsers (WHATWG Encoding) read as a superset of Python's codec of that name.
_WHATWG_LABELS = {
    **dict.fromkeys(("iso-8859-1", "iso8859-1", "latin1", "latin-1", "ascii", "us-ascii"),
                    "cp1252"),
    **dict.fromkeys(("shift_jis", "shift-jis", "sjis", "x-sjis", "ms_kanji"), "cp932"),
    **dict.fromkeys(("gb2312", "gbk", "x-gbk", "gb_2312-80"), "gb18030"),
    "euc-kr": "cp949",
    "big5": "big5hkscs",
    "iso-8859-9": "cp1254",
    "tis-620": "cp874",
}


def decode_html(data: bytes, charset: str | None = None) -> tuple[str, str, str, int]:
    """Decode a page: BOM, then the HTTP charset, then ``<meta charset>``, then detection.

    Returns the text, the codec used, where it came from ("bom", "http", "meta", "utf-8",
    "detected") and how many invalid byte sequences became U+FFFD. Labels are read as browsers
    do: ``iso-8859-1`` and ``ascii`` mean windows-1252. A page declared or detected as UTF-8 stays
    UTF-8 when only a few of its bytes are invalid.
    """
    found = bom_encoding(data)
    if found is not None:
        encoding, skip = found
        body = data[skip:]
        text = body.decode(encoding, errors="replace")
        replaced = text.count("\ufffd") - (body.count(b"\xef\xbf\xbd")
                                          if encoding == "utf-8" else 0)
        return text, encoding, "bom", max(0, replaced)
    for declared, source in ((charset, "http"), (_meta_charset(data), "meta")):
        codec = _codec(declared)
        if codec is None:
            continue
        try:
            return data.decode(codec), codec, source, 0
        except UnicodeDecodeError:
            if codec == "utf-8":
                damaged = mostly_utf8(data)
                if damaged is not None:
                    return damaged[0], codec, source, damaged[1]
            continue  # the declaration is wrong; detection below does better than U+FFFD
    decoded = decode_text(data)
    return decoded.text, decoded.encoding, decoded.method, decoded.replaced


def _meta_charset(data: bytes) -> str | None:
    match = _META_CHARSET.search(data[:4096])
    return match.group(1).decode("ascii") if match else None


def _codec(label: str | None) -> str | None:
    if not label:
        return None
    label = label.strip().strip("'\"").lower()
    label = _WHATWG_LABELS.get(label, label)
    if label.startswith(("utf-16", "utf-32")):
        label = "utf-8"  # a page cannot declare UTF-16 from inside itself (WHATWG)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None

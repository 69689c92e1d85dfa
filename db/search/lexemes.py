"""Words as the PostgreSQL index sees them, and a document's text-search language.

The PostgreSQL index does not feed raw text to the server's parser: its tokens depend on the
server's locale (with some locales a CJK sentence and its punctuation are one "word") and it
keeps numbers such as ``3.5`` whole, which a typed ``3.5`` (read as the words 3 and 5 by
:mod:`app.search_query`, like SQLite's tokenizer) would then never find. Both the indexed
passages and the query words go through :func:`tokens` here instead, so the two always agree,
on any server: letters and digits in runs, lower case, accents and vowel marks removed (as
SQLite's ``remove_diacritics``), and each CJK character a word of its own, so that a word inside
an unspaced Chinese or Japanese sentence is found as a phrase of its characters.
"""

from __future__ import annotations

import json
import re
import unicodedata

#: Combining marks dropped before matching: Latin/Greek/Cyrillic diacritics, Hebrew points,
#: Arabic harakat and Quranic marks (searching without them is how people type).
MARKS = (
    "[\u0300-\u036f\u0483-\u0489\u0591-\u05bd\u05bf\u05c1\u05c2\u05c4\u05c5\u05c7"
    "\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e4\u06e7\u06e8\u06ea-\u06ed"
    "\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_MARKS = re.compile(MARKS)
#: Scripts written without spaces between words (Han, kana, Hangul syllables): one char a word.
_CJK = re.compile("([\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af])")
_RUN = re.compile(r"[^\W_]+")


def tokens(text: str) -> list[str]:
    """The words of ``text`` as indexed and searched on PostgreSQL (see the module docstring)."""
    plain = _MARKS.sub("", unicodedata.normalize("NFD", text))
    plain = unicodedata.normalize("NFC", plain).lower()
    return _RUN.findall(_CJK.sub(r" \1 ", plain))


def form(text: str) -> str:
    """``text`` as the space-separated words the server turns into lexemes."""
    return " ".join(tokens(text))


#: PostgreSQL's built-in text-search configurations by ISO 639-1 and 639-2/3 code (Tesseract
#: names languages by the three-letter codes).
_CONFIGS = {
    "arabic": ("ar", "ara"), "armenian": ("hy", "hye", "arm"), "basque": ("eu", "eus", "baq"),
    "catalan": ("ca", "cat"), "danish": ("da", "dan"), "dutch": ("nl", "nld", "dut"),
    "english": ("en", "eng"), "finnish": ("fi", "fin"), "french": ("fr", "fra", "fre"),
    "german": ("de", "deu", "ger"), "greek": ("el", "ell", "gre"), "hindi": ("hi", "hin"),
    "hungarian": ("hu", "hun"), "indonesian": ("id", "ind"), "irish": ("ga", "gle"),
    "italian": ("it", "ita"), "lithuanian": ("lt", "lit"), "nepali": ("ne", "nep"),
    "norwegian": ("no", "nb", "nn", "nor", "nob", "nno"), "portuguese": ("pt", "por"),
    "romanian": ("ro", "ron", "rum"), "russian": ("ru", "rus"), "serbian": ("sr", "srp"),
    "spanish": ("es", "spa"), "swedish": ("sv", "swe"), "tamil": ("ta", "tam"),
    "turkish": ("tr", "tur"), "yiddish": ("yi", "yid"),
}
_BY_CODE = {code: name for name, codes in _CONFIGS.items() for code in codes}
#: The configuration of text whose language is not known: no stemming, no stop words.
SIMPLE = "simple"


def config_for(language: str | None) -> str:
    """The text-search configuration for a language tag (``en``, ``en-GB``, ``rus``, ``eng+ara``:
    the first known one), else ``simple``."""
    for part in re.split(r"[+,;\s]+", (language or "").strip().lower()):
        code = re.split(r"[-_]", part, maxsplit=1)[0]
        if code in _BY_CODE:
            return _BY_CODE[code]
        if code in _CONFIGS:  # a name such as "english"
            return code
    return SIMPLE


def document_language(metadata_json: str | None, ocr_json: str | None) -> str | None:
    """The language a document declares: its metadata's ``language`` (web pages), else the
    language its pages were recognised in (OCR), else None."""
    for raw, key in ((metadata_json, "language"), (ocr_json, "lang")):
        try:
            value = json.loads(raw) if raw else None
        except ValueError:
            continue
        if isinstance(value, dict) and isinstance(value.get(key), str) and value[key].strip():
            return str(value[key])
    return None

"""Snippets of the PostgreSQL index, marked from the lexemes of the server's own tsquery.

``ts_headline`` re-parses every passage it is given with the server's parser: it costs about
half a millisecond a passage (most of a query's time for 50 hits), and it misses what the index
reads differently (a word inside an unspaced CJK sentence, accents). Here the lexemes of the
query as the server built it (``'forc' <-> 'labour' | 'forced' <-> 'labour'``) become one regular
expression over the passage: a lexeme matches a word equal to it, ignoring case and accents, or
(a stem, or a ``:*`` prefix) a word beginning with it. ``ts_headline`` remains the fallback for
the rare passage this finds nothing in (a stem that is not a prefix of its word).
"""

from __future__ import annotations

import functools
import re
import unicodedata

from db.search.common import MARK_END, MARK_START
from db.search.lexemes import MARKS

#: A lexeme in tsquery text as PostgreSQL prints it: quoted, quotes doubled, maybe ``:*``.
_LEXEME = re.compile(r"'((?:[^']|'')*)'(:[*A-D]+)?")
_CJK = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]")
_WORD_CHAR = rf"(?:[^\W_]|{MARKS})"
_JOINED = re.compile(f"{MARK_END}(\\s*){MARK_START}")
#: Characters shown before the first match, and in all.
BEFORE, WIDTH = 60, 180


def lexemes(tsquery_text: str) -> list[tuple[str, bool]]:
    """The (lexeme, is prefix) pairs of a tsquery's text."""
    return [(m.group(1).replace("''", "'"), "*" in (m.group(2) or ""))
            for m in _LEXEME.finditer(tsquery_text)]


@functools.cache
def _variants() -> dict[str, str]:
    """Each letter with the accented letters that fold to it (Latin, Greek, Cyrillic)."""
    found: dict[str, list[str]] = {}
    for code in (*range(0xC0, 0x250), *range(0x370, 0x530), *range(0x1E00, 0x1F00)):
        char = chr(code)
        parts = unicodedata.normalize("NFD", char)
        if len(parts) > 1 and re.fullmatch(MARKS + "+", parts[1:]) is not None:
            found.setdefault(parts[0].lower(), []).append(char)
    return {base: "".join(chars) for base, chars in found.items()}


def _letter(char: str) -> str:
    more = _variants().get(char, "")
    body = re.escape(char) if not more else "[" + re.escape(char) + re.escape(more) + "]"
    return body + f"{MARKS}*"


def _pattern(lexeme: str, open_end: bool) -> str:
    if _CJK.fullmatch(lexeme):
        return re.escape(lexeme)
    body = "".join(_letter(c) for c in lexeme)
    tail = f"{_WORD_CHAR}*" if open_end else rf"(?!{_WORD_CHAR})"
    return rf"(?<![^\W_]){body}{tail}"


def matcher(pairs: list[tuple[str, bool]], stems: bool) -> re.Pattern[str] | None:
    """One expression finding the words of ``pairs`` (``stems``: a lexeme may be a stem, so a
    longer word beginning with it matches)."""
    parts = sorted({_pattern(lex, prefix or stems) for lex, prefix in pairs if lex},
                   key=len, reverse=True)
    return re.compile("|".join(parts), re.IGNORECASE) if parts else None


def snippet(body: str, found: re.Pattern[str] | None) -> str | None:
    """About :data:`WIDTH` characters around the first match with every match marked ("…"
    where the passage goes on), or None when nothing in ``body`` matches."""
    first = found.search(body) if found is not None else None
    if found is None or first is None:
        return None
    lo = max(0, first.start() - BEFORE)
    hi = min(len(body), max(first.end(), lo + WIDTH))
    if lo > 0:
        space = body.find(" ", lo, first.start())
        lo = space + 1 if space >= 0 else lo
    if hi < len(body):
        space = body.rfind(" ", first.end(), hi)
        hi = space if space >= 0 else hi
    window = body[lo:hi]
    marked = found.sub(lambda m: MARK_START + m.group(0) + MARK_END, window)
    text = _JOINED.sub(r"\1", " ".join(marked.split()))
    return ("…" if lo > 0 else "") + text + ("…" if body[hi:].strip() else "")


def tidy_headline(headline: str, body: str) -> str:
    """``ts_headline``'s fragment with a phrase's words marked as one span, "…" where the
    passage goes on."""
    text = _JOINED.sub(r"\1", headline)
    plain = text.replace(MARK_START, "").replace(MARK_END, "")
    at = body.find(plain)
    if at < 0:
        return text
    return ("…" if at > 0 else "") + text + ("…" if body[at + len(plain):].strip() else "")

"""A fast tokenizer for PDF content streams.

pdfminer's ``PDFContentParser`` reads a content stream byte by byte in Python; on text-heavy
documents that is most of the extraction time. Here one compiled regular expression splits a whole
stream into raw byte tokens in C (``re.findall``); the interpreter converts only the operands it
needs. Streams the fast path cannot split safely (inline images, deeply nested or unbalanced
literal strings) go through a slower, careful scanner.

Tokens are ``bytes``: numbers, names (``/F1``), literal strings (``(...)``), hex strings
(``<...>``), ``[`` ``]`` ``<<`` ``>>``, comments (``%...``) and operators. An inline image becomes
the single token :data:`INLINE_IMAGE`.
"""

from __future__ import annotations

import re

#: Stands for a whole ``BI ... ID <data> EI`` inline image.
INLINE_IMAGE = b"\x00BI"

_REGULAR = rb"[^\x00\t\n\f\r ()<>\[\]{}/%]"
_STRING3 = (
    rb"\((?:[^()\\]|\\.|\((?:[^()\\]|\\.|\((?:[^()\\]|\\.)*\))*\))*\)"  # nesting depth <= 3
)
_ALTERNATIVES = (
    rb"%[^\r\n]*"
    rb"|[-+]?(?:\d+\.?\d*|\.\d+)(?!" + _REGULAR + rb")"
    rb"|/" + _REGULAR + rb"*"
    rb"|" + _STRING3 + rb"|<<|>>"
    rb"|<[0-9A-Fa-f\x00\t\n\f\r ]*>"
    rb"|[\[\]{}]"
    rb"|" + _REGULAR + rb"+"
    rb"|[()<>]"  # unbalanced: handled by the careful scanner
)
_TOKEN = re.compile(_ALTERNATIVES, re.S)
# For findall: white space is skipped possessively inside the match (one step per run, however
# long), and the end of the data matches an empty token, so a stream of megabytes of spaces (a
# flate bomb) is scanned in linear time instead of retrying every alternative at every byte.
_SCAN = re.compile(rb"[\x00\t\n\f\r ]*+(?:(" + _ALTERNATIVES + rb")|\Z)", re.S)
_WHITESPACE = b"\x00\t\n\f\r "
_UNSAFE = {b"(", b")", b"<", b">", b"BI", b"ID"}


def tokenize(data: bytes) -> list[bytes]:
    """Split a content stream into tokens (see the module docstring)."""
    tokens: list[bytes] = _SCAN.findall(data)
    while tokens and not tokens[-1]:
        tokens.pop()  # the empty match(es) at the end of the data
    if b"(" in tokens or b"<" in tokens or b"BI" in tokens or b"ID" in tokens:
        return _tokenize_carefully(data)
    return tokens


def _tokenize_carefully(data: bytes) -> list[bytes]:
    """Token by token, with nested strings and inline image data handled explicitly."""
    out: list[bytes] = []
    pos = 0
    n = len(data)
    match = _TOKEN.match
    while pos < n:
        ch = data[pos]
        if ch in _WHITESPACE:
            pos += 1
            continue
        if ch == 0x28:  # "(": scan to the balancing ")"
            end = _string_end(data, pos)
            out.append(data[pos:end])
            pos = end
            continue
        m = match(data, pos)
        if m is None:  # a stray delimiter
            pos += 1
            continue
        tok = m.group()
        pos = m.end()
        if tok == b"BI":
            pos = _skip_inline_image(data, pos)
            out.append(INLINE_IMAGE)
        elif tok not in (b")", b"<", b">"):
            out.append(tok)
    return out


def _string_end(data: bytes, pos: int) -> int:
    """Index just past the literal string that starts at ``pos`` (or the end of ``data``)."""
    depth = 0
    i = pos
    n = len(data)
    while i < n:
        ch = data[i]
        if ch == 0x5C:  # backslash
            i += 2
            continue
        if ch == 0x28:
            depth += 1
        elif ch == 0x29:
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return n


_ID = re.compile(rb"(?:^|(?<=[\x00\t\n\f\r ]))ID(?=[\x00\t\n\f\r ])")
_EI = re.compile(rb"[\x00\t\n\f\r ]EI(?=[\x00\t\n\f\r ]|$)")


def _skip_inline_image(data: bytes, pos: int) -> int:
    """Index just past the ``EI`` that ends the inline image whose ``BI`` ends at ``pos``."""
    m = _ID.search(data, pos)
    if m is None:
        return len(data)
    start = m.end() + 1
    e = _EI.search(data, start)
    return len(data) if e is None else e.end()


_ESCAPE = re.compile(rb"\\(?:([0-7]{1,3})|(\r\n|\r|\n)|(.))", re.S)
_SIMPLE_ESCAPES = {
    b"n": b"\n",
    b"r": b"\r",
    b"t": b"\t",
    b"b": b"\b",
    b"f": b"\f",
}


def _unescape(m: re.Match[bytes]) -> bytes:
    octal, newline, other = m.groups()
    if octal is not None:
        return bytes((int(octal, 8) & 0xFF,))
    if newline is not None:
        return b""
    return _SIMPLE_ESCAPES.get(other, other)


_NOT_HEX = re.compile(rb"[^0-9A-Fa-f]")


def string_value(tok: bytes) -> bytes:
    """The bytes of a literal ``(...)`` or hex ``<...>`` string token."""
    if tok[:1] == b"(":
        body = tok[1:-1] if tok.endswith(b")") else tok[1:]
        if b"\\" in body:
            body = _ESCAPE.sub(_unescape, body)
        return body
    if tok[:1] == b"<":
        digits = _NOT_HEX.sub(b"", tok)
        if len(digits) % 2:
            digits += b"0"
        return bytes.fromhex(digits.decode("ascii"))
    return b""


def number(tok: object) -> float:
    """The value of a number token; 0 for anything that is not a number."""
    try:
        return float(tok)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 0.0


_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")


def name_value(tok: object) -> str:
    """The name of a ``/Name`` token, ``#xx`` escapes resolved, as pdfminer spells dict keys."""
    if not isinstance(tok, bytes) or tok[:1] != b"/":
        return ""
    raw = tok[1:]
    if b"#" in raw:
        raw = _NAME_ESCAPE.sub(lambda m: bytes((int(m.group(1), 16),)), raw)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")

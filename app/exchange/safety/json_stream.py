"""Streamed, capped reading of JSON annotation sets from other people's machines.

**JSON** (annotation sets): :func:`stream_json` is an incremental reader. It walks the outer
structure itself and decodes one array element at a time, so memory never depends on the file's
size. The limits (:class:`JsonLimits`) and what happens past them:

- a file over 1 GiB is refused from its size alone, before a byte is parsed;
- a set is first streamed only to count its annotations: more than 200,000 are refused while
  counting (a million-row file is refused in under a second with a few MB of memory); only a set
  within the limit is read again and converted;
- one annotation over 1 Mi characters, or the other fields together over 16 Mi characters, are
  refused (a failed decode of a window builds at most that much);
- NaN/Infinity, trailing data, nesting beyond Python's recursion limit and invalid UTF-8 are
  refused with the line and column.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from app.errors import BadInput

KIB = 1024
MIB = 1024 * KIB
GIB = 1024 * MIB


@dataclass(frozen=True)
class JsonLimits:
    """Caps for streamed JSON (sizes in characters, except ``max_file_bytes``)."""

    max_file_bytes: int = 1 * GIB
    max_item_chars: int = 1 * MIB
    max_other_chars: int = 16 * MIB
    max_items: int = 200_000


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


_DECODER = json.JSONDecoder(parse_constant=_reject_constant)
_WS = " \t\r\n"
_CHUNK = 1 * MIB


class _Reader:
    """A window over a text stream, with positions kept for error messages."""

    def __init__(self, stream: IO[str], where: str) -> None:
        self.stream = stream
        self.where = where
        self.buf = ""
        self.pos = 0
        self.eof = False
        self.lines_before = 0  # newlines in text already dropped from the buffer
        self.col_before = 0  # characters since the last dropped newline

    def fill(self, size: int = _CHUNK) -> bool:
        """Read more text; False at the end of the stream."""
        if self.eof:
            return False
        if self.pos > _CHUNK:
            dropped = self.buf[:self.pos]
            newlines = dropped.count("\n")
            if newlines:
                self.lines_before += newlines
                self.col_before = len(dropped) - dropped.rfind("\n") - 1
            else:
                self.col_before += len(dropped)
            self.buf = self.buf[self.pos:]
            self.pos = 0
        try:
            chunk = self.stream.read(size)
        except UnicodeDecodeError as exc:
            raise BadInput(f"{self.where}: not UTF-8 text ({exc.reason}); save it as UTF-8") \
                from exc
        if not chunk:
            self.eof = True
            return False
        self.buf += chunk
        return True

    def where_at(self, index: int) -> str:
        """``line L column C`` of a buffer index."""
        newlines = self.buf.count("\n", 0, index)
        if newlines:
            col = index - self.buf.rfind("\n", 0, index)
            return f"line {self.lines_before + newlines + 1} column {col}"
        return f"line {self.lines_before + 1} column {self.col_before + index + 1}"

    def fail(self, message: str, index: int | None = None) -> BadInput:
        """A refusal naming the place in the file."""
        at = self.where_at(self.pos if index is None else index)
        return BadInput(f"{self.where}: not valid JSON at {at}: {message}; nothing was imported")

    def skip_ws(self) -> None:
        """Advance over whitespace."""
        while True:
            n = len(self.buf)
            while self.pos < n and self.buf[self.pos] in _WS:
                self.pos += 1
            if self.pos < n or not self.fill():
                return

    def peek(self) -> str:
        """The next non-space character, or '' at the end."""
        self.skip_ws()
        return self.buf[self.pos] if self.pos < len(self.buf) else ""

    def expect(self, char: str) -> None:
        """Consume ``char`` (after whitespace) or refuse."""
        found = self.peek()
        if found != char:
            shown = repr(found) if found else "the end of the file"
            raise self.fail(f"expected {char!r} but found {shown}")
        self.pos += 1

    def value(self, limit: int, what: str) -> Any:
        """Decode the next complete value, reading more text as needed, up to ``limit`` chars."""
        self.skip_ws()
        want = _CHUNK
        while True:
            try:
                value, end = _DECODER.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as exc:
                # Only an error at the end of the window (or an unfinished string) may be
                # the window's fault; anything else is a real error, reported at once.
                truncated = exc.pos >= len(self.buf) - 8 or exc.msg.startswith("Unterminated")
                if truncated and not self.eof and len(self.buf) - self.pos <= limit:
                    self.fill(want)
                    want *= 2
                    continue
                if len(self.buf) - self.pos > limit:
                    raise BadInput(f"{self.where}: {what} at {self.where_at(self.pos)} is larger "
                                   f"than {limit} characters; refused") from exc
                raise self.fail(exc.msg, exc.pos) from exc
            except ValueError as exc:  # NaN / Infinity
                raise self.fail(str(exc)) from exc
            except RecursionError as exc:
                raise self.fail("nested too deeply") from exc
            if end >= len(self.buf) and not self.eof:  # a number may continue in the next chunk
                self.fill(want)
                continue
            if end - self.pos > limit:
                raise BadInput(f"{self.where}: {what} at {self.where_at(self.pos)} is larger "
                               f"than {limit} characters; refused")
            self.pos = end
            return value


#: Called with (index, element) for each streamed array element.
ItemHandler = Callable[[int, Any], None]


@dataclass
class _Walk:
    reader: _Reader
    on_item: ItemHandler
    limits: JsonLimits
    count: int = 0
    other_chars: int = 0

    def array(self) -> None:
        r = self.reader
        r.expect("[")
        if r.peek() == "]":
            r.pos += 1
            return
        while True:
            if self.count >= self.limits.max_items:
                raise BadInput(f"{r.where}: holds more than {self.limits.max_items} annotations, "
                               "more than Dossier imports at once; export smaller sets with "
                               "filters (--doc, --tag, --from/--to)")
            item = r.value(self.limits.max_item_chars, f"annotation {self.count + 1}")
            self.on_item(self.count, item)
            self.count += 1
            sep = r.peek()
            r.pos += 1
            if sep == "]":
                return
            if sep != ",":
                r.pos -= 1
                raise r.fail("expected ',' or ']' between annotations")

    def obj(self, depth: int) -> dict[str, Any]:
        r = self.reader
        r.expect("{")
        out: dict[str, Any] = {}
        if r.peek() == "}":
            r.pos += 1
            return out
        while True:
            if r.peek() != '"':
                raise r.fail("expected a quoted key")
            key = r.value(64 * KIB, "a key")
            r.expect(":")
            nxt = r.peek()
            if key == "items" and nxt == "[":
                self.array()
                out.setdefault("items", [])
            elif key == "first" and nxt == "{" and depth == 0:
                out["first"] = self.obj(depth + 1)
            else:
                start = r.pos
                out[key] = r.value(self.limits.max_other_chars, f"the value of {key!r}")
                self.other_chars += r.pos - start
                if self.other_chars > self.limits.max_other_chars:
                    raise BadInput(f"{r.where}: its header fields exceed "
                                   f"{self.limits.max_other_chars} characters; refused")
            sep = r.peek()
            r.pos += 1
            if sep == "}":
                return out
            if sep != ",":
                r.pos -= 1
                raise r.fail("expected ',' or '}' after a value")


def stream_json(stream: IO[str], where: str, on_item: ItemHandler,
                limits: JsonLimits | None = None) -> tuple[Any, int]:
    """Read one JSON document, handing annotation-array elements to ``on_item`` one at a time.

    The elements streamed are those of a top-level array, of an ``items`` array (an
    AnnotationPage) and of ``first.items`` (an AnnotationCollection with its page embedded).
    Returns (everything else: the top-level object with those arrays left empty, or ``[]`` for a
    top-level array; the number of elements streamed).
    """
    walk = _Walk(_Reader(stream, where), on_item, limits or JsonLimits())
    r = walk.reader
    first = r.peek()
    if first == "\ufeff":
        r.pos += 1
        first = r.peek()
    header: Any
    if first == "[":
        walk.array()
        header = []
    elif first == "{":
        header = walk.obj(0)
    else:
        raise r.fail("expected a JSON object or array" if first else "the file is empty")
    if r.peek():
        raise r.fail("unexpected data after the end of the JSON value")
    return header, walk.count


def open_json_file(path: Path, where: str, limits: JsonLimits | None = None) -> IO[str]:
    """Open a JSON file as UTF-8 text after checking its size against the limit."""
    limits = limits or JsonLimits()
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise BadInput(f"{where}: cannot be read ({exc.strerror}); check the path") from exc
    if size > limits.max_file_bytes:
        raise BadInput(f"{where}: {size} bytes is larger than the {limits.max_file_bytes} bytes "
                       "Dossier reads as one set; export smaller sets with filters")
    return path.open("r", encoding="utf-8", newline="")


def text_stream(binary: IO[bytes]) -> IO[str]:
    """A UTF-8 text view of a binary stream (a BOM is kept and skipped by :func:`stream_json`)."""
    return io.TextIOWrapper(binary, encoding="utf-8", newline="")


def iter_json_lines(stream: IO[str], where: str, max_line_chars: int = 4 * MIB,
                    max_lines: int = 10_000_000) -> Iterator[tuple[int, Any]]:
    """(line number, value) for each non-empty line of a JSON Lines stream, with caps."""
    number = 0
    while True:
        try:
            line = stream.readline(max_line_chars + 1)
        except UnicodeDecodeError as exc:
            raise BadInput(f"{where}: not UTF-8 text ({exc.reason})") from exc
        if not line:
            return
        number += 1
        if number > max_lines:
            raise BadInput(f"{where}: more than {max_lines} lines; refused")
        if len(line) > max_line_chars:
            raise BadInput(f"{where}: line {number} is longer than {max_line_chars} characters; "
                           "refused")
        if not line.strip():
            continue
        try:
            yield number, _DECODER.decode(line)
        except (ValueError, RecursionError) as exc:
            raise BadInput(f"{where}: line {number} is not valid JSON ({exc})") from exc

"""Streamed, capped reading of JSON annotation sets from other people's machines.

Parsing is ijson's (the yajl2 C backend where installed): the file is read in small buffers as a
stream of events, so memory never depends on the file's size. A set is read in two passes:

1. :func:`scan_json` walks the events without building any annotation: it counts the
   annotations, measures each one and its nesting, and builds only the other fields (the
   header). The limits (:class:`JsonLimits`) and what happens past them:

   - a file over 1 GiB is refused from its size alone, before a byte is parsed
     (:func:`open_json_file`);
   - more than 200,000 annotations are refused while counting (a million-row file is refused
     in about a second with a few MB of memory);
   - one annotation over about 1 Mi characters, the other fields together over about 16 Mi
     characters, or nesting deeper than 64 levels are refused;
   - NaN/Infinity, numbers too large to hold, trailing data and invalid UTF-8 are refused with
     ijson's reason and the text around the fault.

2. :func:`iter_json_items` then builds the annotations one at a time (in C with yajl2) from the
   places the scan found them, and refuses the file if it yields a different number.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, NoReturn

import ijson

from app.errors import BadInput

KIB = 1024
MIB = 1024 * KIB
GIB = 1024 * MIB
_BOM = b"\xef\xbb\xbf"
_BUF = 64 * KIB


@dataclass(frozen=True)
class JsonLimits:
    """Caps for streamed JSON (sizes in characters of JSON text, except ``max_file_bytes``)."""

    max_file_bytes: int = 1 * GIB
    max_item_chars: int = 1 * MIB
    max_other_chars: int = 16 * MIB
    max_items: int = 200_000
    max_depth: int = 64


@dataclass
class JsonScan:
    """What :func:`scan_json` found: everything but the annotations, and where they are."""

    header: Any  # the top-level object with the annotation arrays left empty, or [] for an array
    count: int = 0
    prefixes: list[str] = field(default_factory=list)  # ijson prefixes of the annotation arrays


class _Source:
    """The byte stream ijson reads: a leading UTF-8 byte order mark is skipped."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.started = False

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        if not self.started and size:
            self.started = True
            while len(data) < len(_BOM) and (more := self.raw.read(size)):
                data += more
            if data.startswith(_BOM):
                data = data[len(_BOM):]
        return data


def _refuse(where: str, exc: Exception, place: str) -> NoReturn:
    """Turn a parser error into one line: what is wrong, where, and the text around it."""
    text = exc.args[0] if exc.args else str(exc)
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    lines = [line.strip() for line in str(text).splitlines() if line.strip()]
    reason = lines[0] if lines else type(exc).__name__
    if isinstance(exc, UnicodeDecodeError) or "UTF8" in reason or "utf-8" in reason:
        raise BadInput(f"{where}: not UTF-8 text ({reason}); save it as UTF-8") from exc
    if "trailing garbage" in reason or "Additional data" in reason:
        reason = "unexpected data after the end of the JSON value"
    elif "overflow" in reason:
        reason = f"a number too large to read ({reason})"
    context = lines[1] if len(lines) > 2 and "(right here)" in lines[2] else ""
    near = f" (near: {context[:60]})" if context else ""
    raise BadInput(f"{where}: not valid JSON in {place}: {reason}{near}; nothing was imported") \
        from exc


_ERRORS = (ijson.JSONError, ValueError, UnicodeDecodeError, OverflowError)
#: Top-level keys of Hypothesis's export and API answer whose arrays hold the annotations.
_ARRAY_KEYS = ("annotations", "rows")
_SIZE_OF_SCALAR = 6
_DEPTH = {"start_map": 1, "start_array": 1, "end_map": -1, "end_array": -1}


class _Scan:
    """The first pass: events in, header and counts out; no annotation is built."""

    def __init__(self, events: Iterator[tuple[str, Any]], where: str, limits: JsonLimits,
                 on_count: Callable[[], None] | None = None) -> None:
        self.events = events
        self.on_count = on_count
        self.where = where
        self.limits = limits
        self.count = 0
        self.other_chars = 0
        self.prefixes: list[str] = []
        self.place = "its first line"

    def next(self) -> tuple[str, Any]:
        try:
            return next(self.events)
        except StopIteration:
            raise BadInput(f"{self.where}: not valid JSON: the file ends early; nothing was "
                           "imported") from None

    def value(self, event: str, value: Any, limit: int, what: str, build: bool) -> tuple[Any, int]:
        """Consume one value that starts with ``(event, value)``; (the value or None, size)."""
        step = _DEPTH.get(event)
        if step is None:  # a scalar
            size = len(value) + 3 if value.__class__ is str else _SIZE_OF_SCALAR
            if size > limit:
                raise BadInput(f"{self.where}: {what} is larger than {limit} characters; refused")
            return value, size
        builder = ijson.ObjectBuilder() if build else None
        if builder is not None:
            builder.event(event, value)
        depth = size = 1
        max_depth = self.limits.max_depth
        for kind, data in self.events:
            step = _DEPTH.get(kind)
            if step is None:
                size += len(data) + 3 if data.__class__ is str else _SIZE_OF_SCALAR
            else:
                depth += step
                size += 1
                if depth > max_depth:
                    raise BadInput(f"{self.where}: {what} is nested too deeply (more than "
                                   f"{max_depth} levels); refused")
            if size > limit:
                raise BadInput(f"{self.where}: {what} is larger than {limit} characters; refused")
            if builder is not None:
                builder.event(kind, data)
            if depth == 0:
                return (builder.value if builder is not None else None), size
        raise BadInput(f"{self.where}: not valid JSON: the file ends early; nothing was imported")

    def array(self, prefix: str) -> None:
        """The elements of an annotation array (its ``start_array`` consumed), counted only."""
        if prefix not in self.prefixes:
            self.prefixes.append(prefix)
        while True:
            event, value = self.next()
            if event == "end_array":
                return
            if self.count >= self.limits.max_items:
                raise BadInput(f"{self.where}: holds more than {self.limits.max_items} "
                               "annotations, more than Dossier imports at once; export smaller "
                               "sets with filters (--doc, --tag, --from/--to)")
            self.place = f"annotation {self.count + 1}"
            self.value(event, value, self.limits.max_item_chars, f"annotation {self.count + 1}",
                       build=False)
            self.count += 1
            self.place = f"the text after annotation {self.count}"
            if self.on_count is not None:
                self.on_count()

    def obj(self, path: str) -> dict[str, Any]:
        """An object whose ``items`` (and, at the top, ``first.items``) hold annotations."""
        out: dict[str, Any] = {}
        while True:
            event, key = self.next()
            if event == "end_map":
                return out
            self.place = f"the value of {key!r}"
            event, value = self.next()
            if event == "start_array" and (key == "items" or (not path and key in _ARRAY_KEYS)):
                self.array(f"{path}{key}.item")
                out.setdefault(key, [])
            elif key == "first" and event == "start_map" and not path:
                out["first"] = self.obj("first.")
            else:
                left = self.limits.max_other_chars - self.other_chars
                out[key], size = self.value(event, value, left, f"the value of {key!r}",
                                            build=True)
                self.other_chars += size

    def run(self) -> JsonScan:
        try:
            event, value = next(self.events)
        except StopIteration:
            raise BadInput(f"{self.where}: the file is empty; nothing was imported") from None
        if event == "start_array":
            self.array("item")
            header: Any = []
        elif event == "start_map":
            header = self.obj("")
        else:
            raise BadInput(f"{self.where}: expected a JSON object or array, found "
                           f"{json.dumps(value)[:40]}; nothing was imported")
        for _ in self.events:  # the parser refuses anything after the value
            pass
        return JsonScan(header, self.count, self.prefixes)


def scan_json(stream: IO[bytes], where: str, limits: JsonLimits | None = None, *,
              on_count: Callable[[], None] | None = None) -> JsonScan:
    """Check a JSON set against the limits and read everything except its annotations.

    ``on_count()`` is called after each annotation counted (a place to honour Cancel).
    Annotations are the elements of a top-level array, of an ``items`` array (an
    AnnotationPage), of ``first.items`` (an AnnotationCollection with its page embedded) and of
    a top-level ``annotations`` or ``rows`` array (Hypothesis's export and API answer).
    """
    scan = _Scan(ijson.basic_parse(_Source(stream), use_float=True, buf_size=_BUF), where,
                 limits or JsonLimits(), on_count)
    try:
        return scan.run()
    except _ERRORS as exc:
        _refuse(where, exc, scan.place)


def iter_json_items(open_stream: Callable[[], IO[bytes]], where: str,
                    scan: JsonScan) -> Iterator[tuple[int, Any]]:
    """(index, annotation) for each annotation :func:`scan_json` counted, built one at a time."""
    index = 0
    try:
        for prefix in scan.prefixes:
            with open_stream() as fh:
                for item in ijson.items(_Source(fh), prefix, use_float=True, buf_size=_BUF):
                    if index >= scan.count:
                        break
                    yield index, item
                    index += 1
                else:
                    continue
                index += 1  # more than were counted
                break
    except _ERRORS as exc:
        _refuse(where, exc, f"annotation {index + 1}")
    if index != scan.count:
        raise BadInput(f"{where}: the annotations changed while being read ({scan.count} "
                       f"counted, {index} read); nothing was imported")


def open_json_file(path: Path, where: str, limits: JsonLimits | None = None) -> IO[bytes]:
    """Open a JSON file for streaming after checking its size against the limit."""
    limits = limits or JsonLimits()
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise BadInput(f"{where}: cannot be read ({exc.strerror}); check the path") from exc
    if size > limits.max_file_bytes:
        raise BadInput(f"{where}: {size} bytes is larger than the {limits.max_file_bytes} bytes "
                       "Dossier reads as one set; export smaller sets with filters")
    return path.open("rb")


def text_stream(binary: IO[bytes]) -> IO[str]:
    """A UTF-8 text view of a binary stream."""
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
            yield number, json.loads(line, parse_constant=_reject_constant)
        except (ValueError, RecursionError) as exc:
            raise BadInput(f"{where}: line {number} is not valid JSON ({exc})") from exc


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")

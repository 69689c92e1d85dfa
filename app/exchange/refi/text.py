"""Text details of REFI-QDA exchange: decoding source files, position maps, GUIDs, descriptions.

Positions in a REFI project count characters of the plain-text file. Dossier's canonical text
differs from such a file in small ways (no BOM, ``\\n`` line ends, NFC), so a
:class:`PositionMap` translates positions counted on the file into canonical offsets.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from app.clock import STAMP_FORMAT
from app.textmodel import normalise

_GUID = re.compile(
    r"^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?$"
)
#: Stable namespace for GUIDs Dossier has to invent (uuid5 over a name).
GUID_NAMESPACE = uuid.UUID("6f1d3c8e-2b4a-5e9d-9c7b-3a2f1e0d4c5b")
_BREAKS = re.compile("\r\n|[\r\u2028\u2029\x85\x00]")
_BREAK_OUT = {"\r\n": "\n", "\r": "\n", "\u2028": "\n", "\u2029": "\n\n", "\x85": "\n", "\x00": ""}


def export_guid(identifier: str) -> str:
    """The REFI GUID for a Dossier id: the id upper-cased when it is a UUID, else a stable uuid5."""
    match = _GUID.match(identifier.strip())
    if match:
        return match.group(1).upper()
    return str(uuid.uuid5(GUID_NAMESPACE, identifier)).upper()


def normalise_guid(value: str | None) -> str | None:
    """A GUID in canonical form (upper case, no braces), or None when ``value`` is not a GUID."""
    if value is None:
        return None
    match = _GUID.match(value.strip())
    return match.group(1).upper() if match else None


def decode_text_file(data: bytes) -> tuple[str, list[str]]:
    """Decode a plain-text source (UTF-8, or UTF-16 with a BOM; BOM stripped): text, warnings."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), []
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), []
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), [
            "not UTF-8; read as Windows-1252 (check accented letters)"
        ]


@dataclass(frozen=True)
class _Piece:
    raw_start: int
    raw_end: int
    out_start: int
    out_end: int


class PositionMap:
    """Maps code-point positions of a source file's text onto Dossier's canonical text.

    Pieces of equal length map one to one; a piece that changed length (``\\r\\n`` becoming
    ``\\n``, a decomposed accent composed by NFC) maps its inside to its start, or to its end for
    selection ends, so a selection never loses a character that it touched.
    """

    def __init__(self, pieces: list[_Piece], raw_length: int) -> None:
        self._pieces = pieces
        self._starts = [p.raw_start for p in pieces]
        self.raw_length = raw_length

    def canonical(self, position: int, *, is_end: bool = False) -> int:
        """The canonical offset for ``position`` (clamped to the text)."""
        position = max(0, min(position, self.raw_length))
        if not self._pieces:
            return 0
        i = max(0, bisect.bisect_right(self._starts, position) - 1)
        piece = self._pieces[i]
        if position >= piece.raw_end:
            return piece.out_end
        inside = position - piece.raw_start
        if piece.raw_end - piece.raw_start == piece.out_end - piece.out_start:
            return piece.out_start + inside
        if inside == 0:
            return piece.out_start
        return piece.out_end if is_end else piece.out_start


def _clusters(run: str) -> list[str]:
    """Split ``run`` before every starter, so NFC can be applied cluster by cluster."""
    out: list[str] = []
    current = ""
    for ch in run:
        if current and unicodedata.combining(ch) == 0 and not 0x1160 <= ord(ch) <= 0x11FF:
            out.append(current)
            current = ""
        current += ch
    if current:
        out.append(current)
    return out


def canonical_text(raw: str) -> tuple[str, PositionMap, bool]:
    """Canonical ``raw``, the map from ``raw`` positions, and False if the map is approximate."""
    pieces: list[_Piece] = []
    parts: list[str] = []
    out_pos = 0

    def add(raw_start: int, raw_end: int, text: str) -> None:
        nonlocal out_pos
        equal = raw_end - raw_start == len(text)
        if pieces and equal:
            last = pieces[-1]
            if last.raw_end - last.raw_start == last.out_end - last.out_start \
                    and last.raw_end == raw_start:
                pieces[-1] = _Piece(last.raw_start, raw_end, last.out_start, out_pos + len(text))
                parts.append(text)
                out_pos += len(text)
                return
        pieces.append(_Piece(raw_start, raw_end, out_pos, out_pos + len(text)))
        parts.append(text)
        out_pos += len(text)

    def add_run(start: int, run: str) -> None:
        if unicodedata.is_normalized("NFC", run):
            add(start, start + len(run), run)
            return
        pos = start
        for cluster in _clusters(run):
            add(pos, pos + len(cluster), unicodedata.normalize("NFC", cluster))
            pos += len(cluster)

    last = 0
    for match in _BREAKS.finditer(raw):
        if match.start() > last:
            add_run(last, raw[last:match.start()])
        if match.group() == "\r\n":  # the CR vanishes; a position between CR and LF is before LF
            add(match.start(), match.start() + 1, "")
            add(match.start() + 1, match.end(), "\n")
        else:
            add(match.start(), match.end(), _BREAK_OUT[match.group()])
        last = match.end()
    if last < len(raw):
        add_run(last, raw[last:])
    text = "".join(parts)
    expected = normalise(raw)
    if text == expected:
        return text, PositionMap(pieces, len(raw)), True
    # A composition across clusters (rare scripts): keep the true text, scale positions.
    scale = len(expected) / max(1, len(raw))
    approx = [_Piece(i, i + 1, int(i * scale), int((i + 1) * scale)) for i in range(len(raw))]
    return expected, PositionMap(approx, len(raw)), False


def iso_utc(value: str | None) -> str:
    """An xsd:dateTime as Dossier's ISO 8601 UTC with ``Z``; empty when missing or unreadable.

    A readable date outside the years every set import accepts raises ValueError.
    """
    from app.exchange.incoming import MAX_YEAR, MIN_YEAR

    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(value.strip().replace("z", "Z"))
    except ValueError:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        utc = moment.astimezone(UTC)
    except OverflowError:  # e.g. 0001-01-01T00:00:00+14:00 falls before year 1
        utc = None
    if utc is None or not MIN_YEAR <= utc.year <= MAX_YEAR:
        raise ValueError(f"{value.strip()!r} is out of range (years {MIN_YEAR}-{MAX_YEAR})")
    return utc.strftime(STAMP_FORMAT)


# -- selection descriptions -------------------------------------------------------------------
#: How the Description of a Dossier-written PDFSelection begins (it draws a text selection).
AREA_OF = "Area of text selection "
#: Keys of the lines Dossier writes into a selection's Description (REFI has no such fields).
GRADE_KEY = "Grade"
STATUS_KEY = "Review status"
ATTRIBUTION_KEY = "Attribution"
_GRADE = re.compile(r"^([A-F])?([1-6])?$")
_STATUS_WORDS = {
    "draft": "draft", "submitted": "submitted", "approved": "approved", "rejected": "rejected",
    "changes requested": "changes_requested", "changes_requested": "changes_requested",
}


@dataclass(frozen=True)
class SelectionFacts:
    """What Dossier keeps in a selection's Description, plus any free text (a memo)."""

    reliability: str | None = None
    credibility: int | None = None
    status: str | None = None
    attribution: str = ""
    memo: str = ""


def describe_selection(reliability: str | None, credibility: int | None, status: str,
                       attribution: str, note: str = "") -> str:
    """The Description text: the note first (QualCoder shows a selection's Description as its
    memo and ignores NoteRefs), then a block of ``Key: value`` lines for the grade, review
    status and attribution."""
    lines = []
    grade = f"{reliability or ''}{credibility or ''}"
    if grade:
        lines.append(f"{GRADE_KEY}: {grade}")
    lines.append(f"{STATUS_KEY}: {status.replace('_', ' ')}")
    if attribution.strip():
        lines.append(f"{ATTRIBUTION_KEY}: {' '.join(attribution.split())}")
    keys = "\n".join(lines)
    return f"{note.strip()}\n\n{keys}" if note.strip() else keys


def _fact(line: str) -> tuple[str, str] | None:
    key, sep, value = line.partition(":")
    key, value = key.strip(), value.strip()
    if not sep:
        return None
    if key == GRADE_KEY and value and _GRADE.match(value):
        return key, value
    if key == STATUS_KEY and value.lower() in _STATUS_WORDS:
        return key, value
    if key == ATTRIBUTION_KEY:
        return key, value
    return None


def parse_selection_description(text: str | None) -> SelectionFacts:
    """Read back :func:`describe_selection`: the trailing block of ``Key: value`` lines gives
    the facts; everything before it is the memo (the note, or another tool's memo)."""
    if not text:
        return SelectionFacts()
    lines = normalise(text).rstrip().split("\n")
    cut = len(lines)
    while cut > 0 and _fact(lines[cut - 1]) is not None:
        cut -= 1
    reliability: str | None = None
    credibility: int | None = None
    status: str | None = None
    attribution = ""
    for line in lines[cut:]:
        fact = _fact(line)
        assert fact is not None
        key, value = fact
        if key == GRADE_KEY:
            grade = _GRADE.match(value)
            assert grade is not None
            reliability = grade.group(1)
            credibility = int(grade.group(2)) if grade.group(2) else None
        elif key == STATUS_KEY:
            status = _STATUS_WORDS[value.lower()]
        else:
            attribution = value
    memo = "\n".join(lines[:cut]).strip()
    return SelectionFacts(reliability, credibility, status, attribution, memo)

"""How a REFI-QDA file counts positions, and which of its passages can be trusted.

The standard says positions count "characters of the plain-text file"; tools disagree on what a
character is (FORMATS.md §3):

- **units**: Python tools (QualCoder, Dossier) count code points; NVivo, ATLAS.ti and MAXQDA
  are Windows/Qt programs that count UTF-16 code units, so every emoji (outside the Basic
  Multilingual Plane) shifts later positions by one;
- **CRLF**: counted as two (the file as stored: NVivo, QualCoder) or as one (ATLAS.ti, MAXQDA);
- **BOM**: normally not counted; a tool that reads the file without stripping it counts it.

A :class:`Convention` is one combination. :func:`decide` picks the convention of a source's
selections: conventions that cannot be told apart on this text are one; among the others the
one under which the most selections land on the text the sender quoted (QualCoder, Dossier and
ATLAS.ti put the selected text, sometimes truncated, into ``PlainTextSelection@name``) wins,
else the one the file's origin implies. Each selection then gets a verdict:

- ``exact``: the landed text equals the sender's quote, or every plausible convention lands it
  on the same words, or the convention was confirmed by quoted selections of the same source;
- ``fuzzy``: the convention is an assumption and another one would put it elsewhere (flagged
  for review, never silently trusted), or the quote does not match where it lands (the caller
  then searches the quote);
- ``invalid``: the positions do not fit the text under the chosen convention.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

Units = Literal["code points", "UTF-16 units"]
Verdict = Literal["exact", "fuzzy", "invalid"]


@dataclass(frozen=True)
class Convention:
    """One way of counting positions in a plain-text file."""

    units: Units = "code points"
    crlf: int = 2  # positions taken by "\r\n": 2 (as stored) or 1
    bom: bool = False  # whether a leading BOM takes a position

    def label(self) -> str:
        """How messages name it, e.g. ``UTF-16 units, CRLF as two, BOM not counted``."""
        crlf = "CRLF as two" if self.crlf == 2 else "CRLF as one"
        bom = "BOM counted" if self.bom else "BOM not counted"
        return f"{self.units}, {crlf}, {bom}"


CONVENTIONS: tuple[Convention, ...] = tuple(
    Convention(units, crlf, bom)
    for units in ("code points", "UTF-16 units") for crlf in (2, 1) for bom in (False, True)
)


def origin_convention(origin: str) -> tuple[Convention, str]:
    """The convention a project's ``origin`` implies, and why (for messages)."""
    name = origin.lower()
    if "nvivo" in name:
        return Convention("UTF-16 units", 2, False), "NVivo counts UTF-16 units of the file"
    if "atlas" in name:
        return Convention("UTF-16 units", 1, False), "ATLAS.ti counts CRLF as one"
    if "maxqda" in name:
        return Convention("UTF-16 units", 1, False), "MAXQDA counts CRLF as one"
    if "qualcoder" in name or "dossier" in name or "taguette" in name:
        tool = origin.split(maxsplit=1)[0]
        return Convention("code points", 2, False), f"{tool} counts code points"
    return Convention(), "the standard counts characters of the file as stored"


class SourceCounter:
    """Converts positions counted under a convention on one source text into raw indices.

    ``raw`` is the decoded file without its BOM (``had_bom`` says whether it had one); the
    result indexes code points of ``raw`` (which the caller then maps to canonical text).
    """

    def __init__(self, raw: str, had_bom: bool) -> None:
        self.raw = raw
        self.had_bom = had_bom
        self._astral = [i for i, ch in enumerate(raw) if ord(ch) > 0xFFFF]
        self._cr = _crlf_starts(raw)

    @property
    def has_astral(self) -> bool:
        """Whether any character lies outside the BMP (two UTF-16 units)."""
        return bool(self._astral)

    @property
    def has_crlf(self) -> bool:
        """Whether the file has CRLF line ends."""
        return bool(self._cr)

    def signature(self, conv: Convention) -> tuple[bool, bool, bool]:
        """Conventions with the same signature count this text identically."""
        return (conv.units == "UTF-16 units" and self.has_astral,
                conv.crlf == 1 and self.has_crlf, conv.bom and self.had_bom)

    def distinct(self, conventions: Sequence[Convention] = CONVENTIONS) -> list[Convention]:
        """One convention per way of counting that makes a difference on this text."""
        seen: dict[tuple[bool, bool, bool], Convention] = {}
        for conv in conventions:
            seen.setdefault(self.signature(conv), conv)
        return list(seen.values())

    def _units_before(self, index: int, conv: Convention) -> int:
        units = index
        if conv.units == "UTF-16 units":
            units += bisect.bisect_left(self._astral, index)
        if conv.crlf == 1:
            units -= bisect.bisect_left(self._cr, index)
        if conv.bom and self.had_bom:
            units += 1
        return units

    def length(self, conv: Convention) -> int:
        """The text's length in the convention's positions."""
        return self._units_before(len(self.raw), conv)

    def to_raw(self, position: int, conv: Convention) -> int | None:
        """The raw index counted as ``position``; None outside the text or inside a character."""
        if position < 0 or position > self.length(conv):
            return None
        low, high = 0, len(self.raw)
        while low < high:  # smallest index whose unit count reaches ``position``
            mid = (low + high) // 2
            if self._units_before(mid, conv) < position:
                low = mid + 1
            else:
                high = mid
        if self._units_before(low, conv) != position:
            return None  # between the two halves of a surrogate pair, or before a counted BOM
        return low


def _crlf_starts(raw: str) -> list[int]:
    out: list[int] = []
    pos = raw.find("\r\n")
    while pos >= 0:
        out.append(pos)
        pos = raw.find("\r\n", pos + 2)
    return out


@dataclass(frozen=True)
class Span:
    """A selection as the file gives it: positions and, when known, the sender's quote."""

    start: int
    end: int
    quote: str | None = None  # from PlainTextSelection@name; may be truncated with "..."


@dataclass(frozen=True)
class Landing:
    """Where one selection lands in the raw text, and how sure that is."""

    start: int  # raw code-point index; -1 when invalid
    end: int
    verdict: Verdict
    reason: str = ""


@dataclass
class Decision:
    """The convention chosen for one source, why, and each selection's landing."""

    convention: Convention
    why: str
    confirmed: bool  # True when quotes (or, decisively, whole words) showed the convention
    landings: list[Landing]

    def counts(self) -> dict[str, int]:
        """How many selections got each verdict."""
        out = {"exact": 0, "fuzzy": 0, "invalid": 0}
        for landing in self.landings:
            out[landing.verdict] += 1
        return out


def _words(text: str) -> str:
    return " ".join(text.split())


def quote_matches(landed: str, quote: str) -> bool:
    """Whether ``landed`` is the text ``quote`` names (whitespace-insensitive; a quote ending in
    ``...`` or ``…`` was truncated by its writer and must match as a prefix)."""
    have, want = _words(landed), _words(quote)
    if not want:
        return False
    if have == want:
        return True
    for tail in ("...", "…"):
        if want.endswith(tail) and len(want) > len(tail) + 3:
            return have.startswith(want[: -len(tail)].rstrip())
    return False


def _land(counter: SourceCounter, span: Span, conv: Convention) -> tuple[int, int] | None:
    start = counter.to_raw(span.start, conv)
    end = counter.to_raw(span.end, conv)
    if start is None or end is None or end <= start:
        return None
    return start, end


def clean(raw: str, start: int, end: int) -> bool:
    """Whether ``raw[start:end]`` begins and ends on whole words (no cut word, no outer space).

    People select whole words; a passage counted under the wrong convention is shifted by a
    character or two per emoji or line end, which almost always cuts a word or takes a space.
    """
    if not 0 <= start < end <= len(raw):
        return False
    first, last = raw[start], raw[end - 1]
    if first.isspace() or last.isspace():
        return False
    if start > 0 and raw[start - 1].isalnum() and first.isalnum():
        return False
    return not (end < len(raw) and last.isalnum() and raw[end].isalnum())


def decide(counter: SourceCounter, spans: Sequence[Span], origin: str) -> Decision:
    """Choose the convention for one source's selections and judge every landing.

    Evidence, strongest first: selections landing on the sender's quote; then positions that
    fit the text at all; then selections landing on whole words; then the file's origin.
    """
    assumed, reason = origin_convention(origin)
    candidates = counter.distinct()
    preferred = next(c for c in candidates
                     if counter.signature(c) == counter.signature(assumed))
    raw = counter.raw

    def score(conv: Convention) -> tuple[int, int, int, int]:
        hits = invalid = whole = 0
        for span in spans:
            landed = _land(counter, span, conv)
            if landed is None:
                invalid += 1
                continue
            if span.quote and quote_matches(raw[landed[0]:landed[1]], span.quote):
                hits += 1
            whole += clean(raw, *landed)
        return hits, -invalid, whole, int(conv == preferred)

    scores = {conv: score(conv) for conv in candidates}
    best = max(candidates, key=lambda c: scores[c])
    hits, invalid, whole, _ = scores[best]
    rivals = [c for c in candidates if c != best]
    confirmed = hits > 0 and all(scores[c][0] < hits for c in rivals)
    valid = len(spans) + invalid
    by_words = (not confirmed and rivals and valid >= 3 and whole >= 0.8 * valid
                and all(scores[c][2] <= whole - max(2, valid / 4) for c in rivals))
    quoted = sum(1 for s in spans if s.quote)
    if confirmed:
        why = f"{best.label()}: {hits} of {quoted} quoted selection(s) land on their quote"
    elif by_words:
        why = (f"{best.label()}: {whole} of {len(spans)} selection(s) land on whole words, "
               "clearly more than under any other way of counting")
    else:
        why = f"{best.label()}: assumed ({reason})"
    landings = [_judge(counter, span, best, rivals, confirmed, bool(by_words)) for span in spans]
    return Decision(best, why, confirmed or bool(by_words), landings)


def _judge(counter: SourceCounter, span: Span, conv: Convention,
           rivals: Sequence[Convention], confirmed: bool, by_words: bool) -> Landing:
    landed = _land(counter, span, conv)
    if landed is None:
        return Landing(-1, -1, "invalid",
                       f"positions {span.start}-{span.end} do not fit the text counted as "
                       f"{conv.label()}")
    start, end = landed
    raw = counter.raw
    if span.quote:
        if quote_matches(raw[start:end], span.quote):
            return Landing(start, end, "exact")
        return Landing(start, end, "fuzzy", "the text at its position is not the text the "
                                            "sender quoted")
    others = {_land(counter, span, c) for c in rivals} - {landed}
    if not others or confirmed:
        return Landing(start, end, "exact")
    if clean(raw, start, end) and (by_words or not any(o and clean(raw, *o) for o in others)):
        return Landing(start, end, "exact")
    return Landing(start, end, "fuzzy",
                   f"positions counted as {conv.label()}; another way of counting would place "
                   "it elsewhere and neither a quote nor word boundaries tell which is meant")

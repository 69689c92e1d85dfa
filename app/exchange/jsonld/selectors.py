"""What a W3C annotation's target says about its passage, whoever wrote it.

Other clients write targets Dossier's own exports never have (FORMATS.md §1-2):

- ``target`` as an array (Hypothesis) or an object, its ``source`` a page URL, an IRI or an
  object with an ``id``;
- selectors of every kind the Recommendation allows, as alternatives and in ``refinedBy``
  chains: ``TextQuoteSelector``, ``TextPositionSelector``, ``FragmentSelector`` (PDF pages per
  RFC 3778, plain-text ``char=`` ranges per RFC 5147), ``RangeSelector`` (W3C's, whose start and
  end are selectors; Hypothesis's XPath flavour is skipped), ``XPathSelector``/``CssSelector``
  refined by text selectors, ``DataPositionSelector``/``SvgSelector`` (nothing Dossier can
  resolve on text), and Hypothesis's ``PageSelector``.

:func:`read_target` gathers the usable facts into a :class:`TargetFacts`; a position is only a
hint that the importer verifies against the quote (Hypothesis counts UTF-16 units, W3C code
points). An annotation without anything usable raises :class:`NotUsable` with the reason, so
the import can report it and go on with the others; a number no honest writer produces (an
offset beyond 2^31, a page number of ten digits) raises :class:`Malformed`, which refuses the set.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

_PAGE = re.compile(r"^page=(\d+)(?:&.*)?$")
_CHAR = re.compile(r"^char=(\d*),(\d*)(?:;.*)?$")
_NUM = r"(\d+(?:\.\d+)?)"
_XYWH = re.compile(rf"^xywh=(?:pixel:)?{_NUM},{_NUM},{_NUM},{_NUM}$")
RFC3778 = "rfc3778"
RFC5147 = "rfc5147"
#: How far a quote range may reach (code points) before it is not believed.
MAX_RANGE = 200_000


class NotUsable(Exception):  # noqa: N818 - it is a verdict, not a failure of the program
    """The annotation marks nothing Dossier can place on text; ``str()`` says why."""


class Malformed(ValueError):
    """A selector holds a value no honest writer produces (a number out of range)."""


#: Largest character offset a set may give (far beyond any document's length).
MAX_OFFSET = 2**31 - 1


@dataclass
class TargetFacts:
    """Everything a target tells about its passage (all optional, checked later)."""

    source: str = ""
    exact: str | None = None
    prefix: str = ""
    suffix: str = ""
    start: int | None = None  # over the whole text
    end: int | None = None
    page: int | None = None  # 1-based
    page_start: int | None = None  # within the page
    page_end: int | None = None
    range_quotes: tuple[str, str] | None = None  # start quote, end quote (end exclusive)
    #: A region on ``page``: x, y, w, h (W3C Media Fragments ``xywh=``, points).
    region: tuple[float, float, float, float] | None = None
    kinds: list[str] = field(default_factory=list)  # selector types seen, for messages
    target: dict[str, Any] = field(default_factory=dict)  # the target object chosen

    @property
    def usable(self) -> bool:
        """Whether anything here can place text."""
        return bool(self.exact or self.start is not None or self.page_start is not None
                    or self.range_quotes or (self.region and self.page))


def as_list(value: Any) -> list[Any]:
    """``value`` as a list (None is empty)."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def types(value: Any) -> list[str]:
    """The type names of a JSON-LD object, prefixes such as ``oa:`` dropped."""
    return [t.rsplit(":", 1)[-1] for t in as_list(value) if isinstance(t, str)]


def source_of(target: Any) -> str:
    """The IRI a target names: its ``source`` (a string or an object's ``id``), or itself."""
    if isinstance(target, str):
        return target.strip()
    if not isinstance(target, dict):
        return ""
    source = target.get("source")
    if isinstance(source, dict):
        source = source.get("id") or source.get("@id")
    if not isinstance(source, str):
        source = target.get("id") if "selector" not in target else None
    return source.strip() if isinstance(source, str) else ""


def _int(value: Any, what: str = "offset") -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | str):
        return None
    if isinstance(value, str) and len(value.strip()) > 12:
        raise Malformed(f"{what} {value.strip()[:12]}… is out of range")
    try:
        number = int(value)
    except ValueError:
        return None
    if number > MAX_OFFSET:
        raise Malformed(f"{what} is out of range (more than {MAX_OFFSET:,})")
    return number if number >= 0 else None


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


class _Reader:
    def __init__(self) -> None:
        self.facts = TargetFacts()

    def quote(self, sel: dict[str, Any]) -> None:
        exact = _text(sel.get("exact"))
        if exact.strip() and self.facts.exact is None:
            self.facts.exact = exact
            self.facts.prefix = _text(sel.get("prefix"))
            self.facts.suffix = _text(sel.get("suffix"))

    def position(self, sel: dict[str, Any], in_page: bool) -> None:
        start = _int(sel.get("start"), "TextPositionSelector start")
        end = _int(sel.get("end"), "TextPositionSelector end")
        if start is None or end is None or end <= start:
            return
        if in_page and self.facts.page_start is None:
            self.facts.page_start, self.facts.page_end = start, end
        elif not in_page and self.facts.start is None:
            self.facts.start, self.facts.end = start, end

    def fragment(self, sel: dict[str, Any], depth: int) -> None:
        value = _text(sel.get("value")).strip().lstrip("#")
        conforms = _text(sel.get("conformsTo"))
        page = _PAGE.match(value)
        if page and len(page.group(1)) > 9:
            raise Malformed(f"FragmentSelector page number {page.group(1)[:12]}… is out of range")
        if page and (RFC3778 in conforms or not conforms) and int(page.group(1)) >= 1:
            self.facts.page = self.facts.page or int(page.group(1))
            self.walk(sel.get("refinedBy"), depth + 1, in_page=True)
            return
        xywh = _XYWH.match(value)
        if xywh and self.facts.page and self.facts.region is None:
            self.facts.region = tuple(float(v) for v in xywh.groups())  # type: ignore[assignment]
        char = _CHAR.match(value)
        if char and (RFC5147 in conforms or not conforms):
            start = _int(char.group(1) or "0", "FragmentSelector char") or 0
            end = _int(char.group(2), "FragmentSelector char")
            if end is not None and end > start and self.facts.start is None:
                self.facts.start, self.facts.end = start, end
        self.walk(sel.get("refinedBy"), depth + 1, in_page=False)

    def range(self, sel: dict[str, Any], depth: int, in_page: bool) -> None:
        first, last = sel.get("startSelector"), sel.get("endSelector")
        if not (isinstance(first, dict) and isinstance(last, dict)):
            return  # Hypothesis's RangeSelector: XPath containers, nothing for text
        kinds = (types(first.get("type")), types(last.get("type")))
        if all("TextPositionSelector" in k for k in kinds):
            start = _int(first.get("start"), "RangeSelector start")
            end = _int(last.get("start"), "RangeSelector end")
            if start is not None and end is not None and end > start:
                if in_page and self.facts.page_start is None:
                    self.facts.page_start, self.facts.page_end = start, end
                elif self.facts.start is None:
                    self.facts.start, self.facts.end = start, end
        elif all("TextQuoteSelector" in k for k in kinds):
            a, b = _text(first.get("exact")), _text(last.get("exact"))
            if a.strip() and b.strip() and self.facts.range_quotes is None:
                self.facts.range_quotes = (a, b)

    def walk(self, selectors: Any, depth: int = 0, *, in_page: bool = False) -> None:
        if depth > 8:
            return
        for sel in as_list(selectors):
            if not isinstance(sel, dict):
                continue
            kind = types(sel.get("type"))
            self.facts.kinds.extend(k for k in kind if k not in self.facts.kinds)
            if "TextQuoteSelector" in kind:
                self.quote(sel)
            elif "TextPositionSelector" in kind:
                self.position(sel, in_page)
            elif "FragmentSelector" in kind:
                self.fragment(sel, depth)
                continue
            elif "RangeSelector" in kind:
                self.range(sel, depth, in_page)
            elif "PageSelector" in kind:  # Hypothesis: 0-based index
                index = _int(sel.get("index"), "PageSelector index")
                if index is not None and self.facts.page is None:
                    self.facts.page = index + 1
            self.walk(sel.get("refinedBy"), depth + 1, in_page=in_page)


def read_target(item: dict[str, Any]) -> TargetFacts:
    """The facts of an annotation's first target that has selectors; NotUsable when none does."""
    targets = as_list(item.get("target"))
    if not targets:
        raise NotUsable("it has no target")
    best: TargetFacts | None = None
    for target in targets:
        reader = _Reader()
        reader.facts.source = source_of(target)
        if isinstance(target, dict):
            reader.facts.target = target
            reader.walk(target.get("selector"))
        if reader.facts.usable:
            return reader.facts
        best = best or reader.facts
    assert best is not None
    if not best.kinds:
        raise NotUsable("it marks the whole page, not a passage (a page note: its target has "
                        "no selector)")
    raise NotUsable(f"none of its selectors ({', '.join(best.kinds)}) marks text Dossier can "
                    "find: it needs a quote, a text position or a range of them")


def resolve_range(text: str, first: str, last: str, hint: int = 0) -> tuple[int, int] | None:
    """``[start of first, start of last)`` for a W3C RangeSelector of two quotes.

    Every occurrence of ``first`` is paired with the nearest following ``last``; the pair
    nearest ``hint`` wins. None when no pair exists within :data:`MAX_RANGE`.
    """
    best: tuple[int, int] | None = None
    pos = text.find(first)
    while pos >= 0:
        end = text.find(last, pos + len(first))
        if end < 0:
            break
        if end - pos <= MAX_RANGE and (best is None or abs(pos - hint) < abs(best[0] - hint)):
            best = (pos, end)
        pos = text.find(first, pos + 1)
    return best

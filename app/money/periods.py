"""Dates and periods as stated, with a machine-readable [start, end] range of ISO days.

"2019" -> 2019-01-01..2019-12-31; "May 2019" -> the month; "mid-2010s" -> 2013-01-01..2016-12-31;
"the 2010s" -> the decade; "2019-2021" -> both years. Full dates are read by ``dateparser``,
which also says how precise a date was (day, month or year).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from app.errors import BadInput

_DECADE = re.compile(r"\b(early|mid|late)?[-\s]?((?:1[89]|20)\d0)s\b", re.IGNORECASE)
_YEARS = re.compile(r"\b((?:1[89]|20)\d\d)\s*(?:-|–|to|until)\s*((?:1[89]|20)\d\d)\b")
_YEAR = re.compile(r"^\s*(?:in\s+)?((?:1[89]|20)\d\d)\s*$", re.IGNORECASE)
_ISO_PART = re.compile(r"^\s*((?:1[89]|20)\d\d)-(\d\d)(?:-(\d\d))?\s*$")
_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
_FIND = re.compile(
    rf"\b(?:(?:\d{{1,2}}\s+)?(?:{_MONTHS})\s+(?:1[89]|20)\d\d"
    r"|(?:early|mid|late)?[-\s]?(?:1[89]|20)\d0s"
    r"|(?:1[89]|20)\d\d(?:\s*(?:-|–|to)\s*(?:1[89]|20)\d\d)?)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Period:
    """A date or period as stated and the range of days it covers."""

    text: str
    start: str
    end: str


def _year_range(y1: int, y2: int) -> tuple[str, str]:
    return date(y1, 1, 1).isoformat(), date(y2, 12, 31).isoformat()


def parse_period(text: str) -> Period:
    """The range of a stated date or period; a clear refusal if it cannot be read."""
    stated = " ".join(text.split())
    if not stated:
        raise BadInput("the date is empty")
    m = _ISO_PART.match(stated)
    if m:
        y, mo = int(m.group(1)), int(m.group(2))
        if not 1 <= mo <= 12:
            raise BadInput(f"{stated!r}: month {mo} does not exist")
        if m.group(3):
            day = date(y, mo, int(m.group(3))).isoformat()
            return Period(stated, day, day)
        last = calendar.monthrange(y, mo)[1]
        return Period(stated, date(y, mo, 1).isoformat(), date(y, mo, last).isoformat())
    m = _YEAR.match(stated)
    if m:
        return Period(stated, *_year_range(int(m.group(1)), int(m.group(1))))
    m = _YEARS.search(stated)
    if m:
        y1, y2 = sorted((int(m.group(1)), int(m.group(2))))
        return Period(stated, *_year_range(y1, y2))
    m = _DECADE.search(stated)
    if m:
        decade = int(m.group(2))
        part = (m.group(1) or "").lower()
        first, last = {"early": (0, 3), "mid": (3, 6), "late": (7, 9)}.get(part, (0, 9))
        return Period(stated, *_year_range(decade + first, decade + last))
    return _by_dateparser(stated)


def _by_dateparser(stated: str) -> Period:
    from dateparser.date import DateDataParser

    data = DateDataParser(languages=["en", "fr", "de", "ru"],
                          settings={"PREFER_DAY_OF_MONTH": "first"}).get_date_data(stated)
    when = data.date_obj
    if when is None:
        raise BadInput(f"cannot read the date {stated!r}; give e.g. 2019, 2019-05, "
                       "3 May 2019, 2016-2018 or mid-2010s")
    if data.period == "year":
        return Period(stated, *_year_range(when.year, when.year))
    if data.period == "month":
        last = calendar.monthrange(when.year, when.month)[1]
        return Period(stated, date(when.year, when.month, 1).isoformat(),
                      date(when.year, when.month, last).isoformat())
    day = when.date().isoformat()
    return Period(stated, day, day)


def period_from_args(when: str | None, start: str | None, end: str | None) -> Period | None:
    """``--date D`` or ``--from D --to D`` as one period; None when no date was given."""
    if when and (start or end):
        raise BadInput("give either --date or --from/--to, not both")
    if when:
        return parse_period(when)
    if start or end:
        first = parse_period(start) if start else None
        last = parse_period(end) if end else None
        text = f"{start or '…'} – {end or '…'}"
        lo = first.start if first else ""
        hi = last.end if last else ""
        if lo and hi and lo > hi:
            raise BadInput(f"the period {text} ends before it starts")
        return Period(text, lo, hi)
    return None


def find_periods(passage: str) -> list[Period]:
    """Every date or period stated in a passage that can be read, in order."""
    out: list[Period] = []
    for m in _FIND.finditer(passage):
        try:
            out.append(parse_period(m.group(0).strip(" -")))
        except BadInput:
            continue
    return out

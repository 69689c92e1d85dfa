"""Properties of re-anchoring on random multilingual texts (emoji, combining marks, CJK, RTL).

Texts are sequences of words from a mixed-script vocabulary separated by spaces, newlines or
commas, so quotes of 12+ code points are mostly distinctive; each property states the
preconditions it needs (with ``assume``) and then asserts its claim in full.
"""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import Levenshtein

from app.anchoring import AnchorResult, anchor, make_selectors, max_errors, project, reanchor_all

pytestmark = pytest.mark.slow  # hundreds of generated cases

VOCABULARY = [
    # Latin, with precomposed and combining diacritics (NFC keeps the latter combining)
    "workers",
    "wages",
    "passport",
    "contract",
    "camp",
    "shift",
    "dollars",
    "account",
    "state",
    "Pyongyang",
    "café",
    "naïve",
    "Señor",
    "über",
    "q\u0307",
    "x\u0301y",
    "n\u0308o",
    "2019",
    # CJK and Korean
    "工人",
    "护照",
    "合同",
    "工资",
    "劳动",
    "노동자",
    "여권",
    # Arabic and Hebrew (right-to-left)
    "العمال",
    "جواز",
    "عقد",
    "رواتب",
    "עובדים",
    "דרכון",
    "חוזה",
    "משכורת",
    # emoji: astral, skin tone, ZWJ sequence, flag
    "😀",
    "💰",
    "👩🏽‍🏭",
    "🇰🇵",
]
assert all(unicodedata.normalize("NFC", word) == word for word in VOCABULARY)

SEPARATORS = [" ", " ", " ", "\n", ", "]
MIN_QUOTE = 12

words = st.sampled_from(VOCABULARY)


@st.composite
def texts(draw: st.DrawFn, min_words: int = 15, max_words: int = 70) -> str:
    """A canonical text: vocabulary words joined by separators."""
    chosen = draw(st.lists(words, min_size=min_words, max_size=max_words))
    seps = draw(st.lists(st.sampled_from(SEPARATORS), min_size=len(chosen), max_size=len(chosen)))
    return "".join(word + sep for word, sep in zip(chosen, seps, strict=True)).strip()


@st.composite
def text_and_range(draw: st.DrawFn, min_length: int = MIN_QUOTE) -> tuple[str, int, int]:
    """A text and a range of at least ``min_length`` code points at any code-point boundary."""
    text = draw(texts())
    assume(len(text) >= min_length + 2)
    start = draw(st.integers(0, len(text) - min_length))
    end = draw(st.integers(start + min_length, min(len(text), start + 60)))
    return text, start, end


def insertion_text(draw: st.DrawFn) -> str:
    """A few vocabulary words with separators, as an editor would insert."""
    chosen = draw(st.lists(words, min_size=1, max_size=3))
    return draw(st.sampled_from(SEPARATORS)).join(chosen) + draw(st.sampled_from(SEPARATORS))


def apply_outside(
    draw: st.DrawFn, text: str, ranges: list[tuple[int, int]], edits: int
) -> tuple[str, list[tuple[int, int]]]:
    """Apply ``edits`` random insertions/deletions/replacements touching no range.

    An edit replaces ``text[a:b]`` where, for every range, ``b <= start`` or ``a >= end``;
    insertions exactly at a range's start or end are allowed (they lie outside it).
    Returns the new text and where each range went.
    """
    for _ in range(edits):
        allowed = [p for p in range(len(text) + 1) if all(not s < p < e for s, e in ranges)]
        a = draw(st.sampled_from(allowed))
        limit = min([s for s, _ in ranges if s >= a] + [len(text)])
        b = draw(st.integers(a, min(limit, a + 12)))
        inserted = insertion_text(draw) if draw(st.booleans()) else ""
        text = text[:a] + inserted + text[b:]
        delta = len(inserted) - (b - a)
        ranges = [(s + delta, e + delta) if s >= b else (s, e) for s, e in ranges]
    return text, ranges


def min_infix_distance(pattern: str, text: str) -> int:
    """Fewest edits turning ``pattern`` into some substring of ``text`` (reference DP)."""
    previous = list(range(len(pattern) + 1))
    best = previous[-1]
    for char in text:
        current = [0]
        for i, pattern_char in enumerate(pattern, 1):
            current.append(
                min(previous[i] + 1, current[i - 1] + 1, previous[i - 1] + (pattern_char != char))
            )
        best = min(best, current[-1])
        previous = current
    return best


def trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    """``[start, end)`` less whitespace at either end (layout is never part of a match)."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


# --- unchanged text ----------------------------------------------------------------------------


@settings(deadline=None, max_examples=200)
@given(text_and_range(min_length=1))
def test_unchanged_text_anchors_exactly_on_the_same_range(case: tuple[str, int, int]) -> None:
    text, start, end = case
    result = anchor(text, make_selectors(text, start, end))
    assert (result.start, result.end, result.status) == (start, end, "exact")


@settings(deadline=None, max_examples=60)
@given(texts(), st.data())
def test_unchanged_text_anchors_every_annotation_in_bulk(text: str, data: st.DataObject) -> None:
    spans = data.draw(
        st.lists(st.tuples(st.integers(0, len(text) - 1), st.integers(1, 40)), max_size=40)
    )
    ranges = [(s, min(len(text), s + n)) for s, n in spans]
    results = reanchor_all(text, [make_selectors(text, s, e) for s, e in ranges])
    assert [(r.start, r.end, r.status) for r in results] == [(s, e, "exact") for s, e in ranges]


# --- edits outside the range ------------------------------------------------------------------


@settings(deadline=None, max_examples=150)
@given(text_and_range(), st.data())
def test_edits_outside_the_range_keep_it_exact_and_shift_it(
    case: tuple[str, int, int], data: st.DataObject
) -> None:
    text, start, end = case
    selectors = make_selectors(text, start, end)
    new, [(new_start, new_end)] = apply_outside(
        data.draw, text, [(start, end)], data.draw(st.integers(1, 4))
    )
    assert new[new_start:new_end] == selectors.exact
    # Precondition: the edits did not add another copy of the quote (nor was there one).
    assume(new.count(selectors.exact) == 1)
    result = anchor(new, selectors)
    assert (result.start, result.end, result.status) == (new_start, new_end, "exact")


@settings(deadline=None, max_examples=60)
@given(texts(min_words=30, max_words=90), st.data())
def test_edits_between_annotations_keep_them_all_exact_in_bulk(
    text: str, data: st.DataObject
) -> None:
    ranges = []
    for _ in range(data.draw(st.integers(2, 6))):
        start = data.draw(st.integers(0, len(text) - MIN_QUOTE))
        end = data.draw(st.integers(start + MIN_QUOTE, min(len(text), start + 40)))
        ranges.append((start, end))
    selectors = [make_selectors(text, s, e) for s, e in ranges]
    new, moved = apply_outside(data.draw, text, ranges, data.draw(st.integers(1, 6)))
    assume(all(new.count(s.exact) == 1 for s in selectors))
    results = reanchor_all(new, selectors)
    assert [(r.start, r.end, r.status) for r in results] == [(s, e, "exact") for s, e in moved]


# --- small edits inside the quote ----------------------------------------------------------------


@settings(deadline=None, max_examples=150)
@given(text_and_range(), st.data())
def test_a_small_edit_inside_the_quote_is_fuzzy_and_covers_the_edited_passage(
    case: tuple[str, int, int], data: st.DataObject
) -> None:
    text = case[0]
    start, end = trimmed(*case)
    assume(end - start >= MIN_QUOTE)  # a selection starts and ends on a visible character
    selectors = make_selectors(text, start, end)
    budget = max_errors(len(project(selectors.exact)))
    assume(budget >= 1)
    # An edit strictly inside: replace text[a:b] (a < b), or insert at start < a < end.
    a = data.draw(st.integers(start, end - 1))
    b = data.draw(st.integers(a, min(end, a + budget)))
    assume(b > a or a > start)
    alphabet = st.sampled_from(sorted(set("".join(VOCABULARY)) | {" ", "#"}))
    inserted = data.draw(st.text(alphabet, max_size=budget))
    new = text[:a] + inserted + text[b:]
    new_end = end - (b - a) + len(inserted)
    # Preconditions: the quote is really gone, even ignoring line breaks and spaces.
    assume(selectors.exact not in new)
    assume(project(selectors.exact) not in project(new))

    result = anchor(new, selectors)
    assert result.status == "fuzzy"
    assert (result.start, result.end) == trimmed(new, start, new_end)


# --- deletion ----------------------------------------------------------------------------------


@settings(deadline=None, max_examples=120)
@given(text_and_range())
def test_a_deleted_passage_is_orphaned(case: tuple[str, int, int]) -> None:
    text, start, end = case
    selectors = make_selectors(text, start, end)
    new = text[:start] + text[end:]
    quote = project(selectors.exact)
    # Precondition: nothing in the new text is within the fuzzy limit of the quote, layout
    # ignored (else a changed copy of it would rightly be a candidate).
    assume(min_infix_distance(quote, project(new)) > max_errors(len(quote)))
    assert anchor(new, selectors) == AnchorResult(-1, -1, "orphaned", 0.0, "none")


# --- any edits: never a highlight on text unlike the quote -------------------------------------


@settings(deadline=None, max_examples=150)
@given(text_and_range(min_length=1), st.data())
def test_any_result_covers_text_within_the_limits_of_its_status(
    case: tuple[str, int, int], data: st.DataObject
) -> None:
    text, start, end = case
    selectors = make_selectors(text, start, end)
    new = text
    for _ in range(data.draw(st.integers(1, 4))):
        a = data.draw(st.integers(0, len(new)))
        b = data.draw(st.integers(a, min(len(new), a + 15)))
        new = new[:a] + (insertion_text(data.draw) if data.draw(st.booleans()) else "") + new[b:]
    result = anchor(new, selectors)
    if result.status == "orphaned":
        assert (result.start, result.end) == (-1, -1)
        return
    assert 0 <= result.start < result.end <= len(new)
    found = new[result.start : result.end]
    if result.method in ("position", "quote"):
        assert found == selectors.exact
    elif result.method == "layout":  # exact, or fuzzy if its place is uncertain
        assert project(found) == project(selectors.exact)
    else:
        assert result.status == "fuzzy"
        quote = project(selectors.exact)
        errors = Levenshtein.distance(quote, project(found))
        if errors > max_errors(len(quote)):
            # Only a passage delimited by the verbatim stored context on both sides may differ
            # more, and then by at most Hypothesis's limit.
            assert errors <= min(256, len(quote) // 2)
            before, after = project(new[: result.start]), project(new[result.end :])
            prefix, suffix = project(selectors.prefix), project(selectors.suffix)
            assert before.endswith(prefix) and (prefix or not before)
            assert after.startswith(suffix) and (suffix or not after)

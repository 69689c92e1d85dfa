"""Code-point <-> UTF-16 offsets (ui/offsets.py) on emoji, CJK, RTL and combining text."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ui.offsets import Utf16Map

# One-unit characters from several scripts, two-unit (astral) ones, and combining marks.
_BMP = list("aZ é中文字日本語한국어עבריתالعربية\u0301\u0308\u200d\u200f\ufeff\n")
_ASTRAL = list("😀👩🏽\U0001f1eb\U0001f1f7𝔘𠀀\U0010ffff\U00010000")
_TEXTS = st.lists(st.sampled_from(_BMP + _ASTRAL), max_size=60).map("".join)


def _utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@settings(deadline=None, max_examples=300)
@given(_TEXTS)
def test_every_code_point_offset_agrees_with_utf16_encoding_and_round_trips(text: str) -> None:
    offsets = Utf16Map(text)
    assert offsets.utf16_length == _utf16_units(text)
    for codepoint in range(len(text) + 1):
        utf16 = offsets.to_utf16(codepoint)
        assert utf16 == _utf16_units(text[:codepoint])
        assert offsets.to_codepoint(utf16) == codepoint
        assert offsets.to_codepoint(utf16, round_up=True) == codepoint


@settings(deadline=None, max_examples=300)
@given(_TEXTS)
def test_every_utf16_offset_maps_to_a_character_boundary(text: str) -> None:
    offsets = Utf16Map(text)
    boundaries = {_utf16_units(text[:i]): i for i in range(len(text) + 1)}
    for utf16 in range(offsets.utf16_length + 1):
        down = offsets.to_codepoint(utf16)
        up = offsets.to_codepoint(utf16, round_up=True)
        if utf16 in boundaries:
            assert down == up == boundaries[utf16]
        else:  # between the two halves of a surrogate pair
            assert up == down + 1
            assert ord(text[down]) > 0xFFFF
            assert offsets.to_utf16(down) == utf16 - 1


def test_inside_a_surrogate_pair_rounds_to_the_start_or_on_request_the_end() -> None:
    offsets = Utf16Map("a😀b")
    assert [offsets.to_utf16(i) for i in range(4)] == [0, 1, 3, 4]
    assert [offsets.to_codepoint(u) for u in range(5)] == [0, 1, 1, 2, 3]
    assert [offsets.to_codepoint(u, round_up=True) for u in range(5)] == [0, 1, 2, 2, 3]
    assert offsets.to_codepoint_range(2, 3) == (1, 2)  # a selection splitting the emoji


def test_rtl_cjk_and_combining_text_is_the_identity() -> None:
    text = "العربية עברית 中文 e\u0301"
    offsets = Utf16Map(text)
    assert offsets.is_identity
    assert [offsets.to_utf16(i) for i in range(len(text) + 1)] == list(range(len(text) + 1))


def test_ranges_and_lengths() -> None:
    text = "👩🏽 said 中文 😀"
    offsets = Utf16Map(text)
    start, end = text.index("said"), text.index("said") + 4
    u_start, u_end = offsets.to_utf16_range(start, end)
    assert text.encode("utf-16-le")[2 * u_start : 2 * u_end].decode("utf-16-le") == "said"
    assert offsets.to_codepoint_range(u_start, u_end) == (start, end)
    assert offsets.codepoint_length == len(text)


@pytest.mark.parametrize("bad", [-1, 4])
def test_offsets_outside_the_text_are_refused(bad: int) -> None:
    offsets = Utf16Map("a😀b")
    with pytest.raises(IndexError):
        offsets.to_utf16(bad)
    with pytest.raises(IndexError):
        offsets.to_codepoint(bad if bad < 0 else 5)


def test_a_million_character_text_round_trips() -> None:
    """How fast: benchmarks/offsets.py."""
    text = ("Workers were sent abroad 😀 and paid in 中文 عربي. " * 21000)[:1_000_000]
    offsets = Utf16Map(text)
    for codepoint in range(0, len(text), 97):
        assert offsets.to_codepoint(offsets.to_utf16(codepoint)) == codepoint
    assert offsets.utf16_length == _utf16_units(text)

"""Position conventions of REFI-QDA files: each hand-made text knows the passages its sender meant.

Every selection must land on the meant words or be flagged (fuzzy/invalid); none may be exact
on other words.
"""

from __future__ import annotations

import pytest

from app.exchange.refi.positions import (
    Convention,
    SourceCounter,
    Span,
    clean,
    decide,
    quote_matches,
)

HUNGARIAN = ("Első sor 😀 itt kezdődik.\r\nA második 🎉🎉 sorban a pénz eltűnt a számláról.\r\n"
             "Harmadik sor 👍: a miniszter aláírta a szerződést.\r\nVége.")
MEANT = ["pénz eltűnt", "a miniszter aláírta", "szerződést", "Vége", "Első sor"]


def units(raw: str, index: int, conv: Convention, bom: bool = False) -> int:
    """Position of raw index ``index`` as a sender using ``conv`` counts it."""
    before = raw[:index]
    n = len(before.encode("utf-16-le")) // 2 if conv.units == "UTF-16 units" else len(before)
    if conv.crlf == 1:
        n -= before.count("\r\n")
    return n + (1 if conv.bom and bom else 0)


def spans_for(raw: str, conv: Convention, *, quoted: bool, bom: bool = False) -> list[Span]:
    out = []
    for words in MEANT:
        i = raw.index(words)
        out.append(Span(units(raw, i, conv, bom), units(raw, i + len(words), conv, bom),
                        words if quoted else None))
    return out


def landed_words(raw: str, decision_landings: list, meant: list[str]) -> None:
    for landing, words in zip(decision_landings, meant, strict=True):
        if landing.verdict == "exact":
            assert raw[landing.start:landing.end] == words
        else:
            assert landing.verdict in ("fuzzy", "invalid")


@pytest.mark.parametrize("conv", [
    Convention("UTF-16 units", 2, False),  # NVivo
    Convention("UTF-16 units", 1, False),  # ATLAS.ti / MAXQDA
    Convention("code points", 2, False),  # QualCoder, Dossier
    Convention("code points", 1, False),
])
@pytest.mark.parametrize("origin", ["NVivo 12.6", "QualCoder 3.5", "ATLAS.ti 9", ""])
def test_unquoted_selections_land_on_meant_words_whatever_the_origin_says(
        conv: Convention, origin: str) -> None:
    counter = SourceCounter(HUNGARIAN, had_bom=False)
    decision = decide(counter, spans_for(HUNGARIAN, conv, quoted=False), origin)
    assert counter.signature(decision.convention) == counter.signature(conv)
    landed_words(HUNGARIAN, decision.landings, MEANT)
    # whole-word evidence makes these verifiable: the wrong counting cuts words
    assert decision.counts()["exact"] == len(MEANT)


def test_quoted_selections_confirm_the_convention() -> None:
    conv = Convention("UTF-16 units", 2, False)
    counter = SourceCounter(HUNGARIAN, had_bom=False)
    decision = decide(counter, spans_for(HUNGARIAN, conv, quoted=True), "")
    assert decision.confirmed
    assert "5 of 5 quoted" in decision.why
    landed_words(HUNGARIAN, decision.landings, MEANT)
    assert decision.counts() == {"exact": 5, "fuzzy": 0, "invalid": 0}


def test_a_counted_bom_is_detected() -> None:
    raw = "Plain text 🙂 with a BOM.\nThe money vanished from the account.\nEnd."
    conv = Convention("code points", 2, True)
    counter = SourceCounter(raw, had_bom=True)
    meant = ["money vanished", "account", "End"]
    spans = []
    for words in meant:
        i = raw.index(words)
        spans.append(Span(units(raw, i, conv, True), units(raw, i + len(words), conv, True)))
    decision = decide(counter, spans, "")
    assert decision.convention.bom
    for landing, words in zip(decision.landings, meant, strict=True):
        assert landing.verdict == "exact"
        assert raw[landing.start:landing.end] == words


def test_ambiguous_selections_without_evidence_are_flagged_not_exact() -> None:
    # One selection that lands on a whole "word" however it is counted: UTF-16 units put it on
    # "a", code points on "!". Without a quote nothing tells them apart.
    raw = "😀 a!b"
    counter = SourceCounter(raw, had_bom=False)
    span = Span(3, 4)
    decision = decide(counter, [span], "")
    (landing,) = decision.landings
    assert landing.verdict == "fuzzy"
    assert "another way of counting" in landing.reason


def test_quote_that_does_not_land_is_fuzzy_and_says_so() -> None:
    raw = "Alpha beta gamma delta."
    counter = SourceCounter(raw, had_bom=False)
    decision = decide(counter, [Span(0, 5, "Alpha"), Span(6, 10, "delta")], "QualCoder")
    assert [landing.verdict for landing in decision.landings] == ["exact", "fuzzy"]
    assert "not the text the sender quoted" in decision.landings[1].reason


def test_positions_inside_an_emoji_or_outside_the_text_are_invalid() -> None:
    raw = "a😀b"
    counter = SourceCounter(raw, had_bom=False)
    utf16 = Convention("UTF-16 units", 2, False)
    assert counter.to_raw(2, utf16) is None  # between the surrogate halves
    assert counter.to_raw(3, utf16) == 2
    assert counter.to_raw(5, utf16) is None
    decision = decide(counter, [Span(0, 40)], "NVivo")
    assert decision.landings[0].verdict == "invalid"


def test_truncated_names_match_as_prefixes() -> None:
    assert quote_matches("favoritos. 2 horas 30 minuto Para la base", "favoritos. 2 horas...")
    assert quote_matches("a  b\nc", "a b c")
    assert not quote_matches("abc", "")
    assert not quote_matches("other words", "favo...")


def test_clean_means_whole_words() -> None:
    assert clean("the money vanished", 4, 9)
    assert not clean("the money vanished", 5, 9)
    assert not clean("the money vanished", 3, 9)

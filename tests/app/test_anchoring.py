"""Re-anchoring annotations on changed texts (app/anchoring): examples an investigator meets."""

from __future__ import annotations

import random

import pytest
from rapidfuzz.distance import Levenshtein

from app.anchoring import (
    CONTEXT_LENGTH,
    AnchorResult,
    Selectors,
    anchor,
    make_selectors,
    max_errors,
    page_span,
    project,
    reanchor_all,
)

ARTICLE = (
    "Thousands of workers were sent to Russia and China under contracts signed by state "
    "trading companies. Former workers told investigators that managers confiscated their "
    "passports on arrival and kept them until the end of the contract.\n\n"
    "Most of the wages were deposited into accounts controlled by the state. One worker said "
    "he received less than a tenth of the 700 dollars his employer paid each month. The rest "
    "was transferred to Pyongyang through a chain of front companies.\n\n"
    "A ministry official signed a contract worth EUR 4.2 million with Acme Ltd in March 2019. "
    "The agreement covered dormitories, meals and the transport of workers to the sites."
)


def select(text: str, quote: str, occurrence: int = 0) -> Selectors:
    """Selectors for the ``occurrence``-th appearance of ``quote`` in ``text``."""
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(quote, start + 1)
    return make_selectors(text, start, start + len(quote))


def covered(text: str, result: AnchorResult) -> str:
    assert result.start >= 0, result
    return text[result.start : result.end]


# --- selectors -------------------------------------------------------------------------------


def test_selectors_keep_32_code_points_of_context_counting_emoji_as_one() -> None:
    text = "😀" * 40 + "QUOTE" + "👩🏽‍🏭" * 20
    s = make_selectors(text, 40, 45)
    assert (s.start, s.end, s.exact) == (40, 45, "QUOTE")
    assert s.prefix == "😀" * CONTEXT_LENGTH
    assert len(s.suffix) == CONTEXT_LENGTH and text.startswith(s.suffix, 45)
    assert (s.page_start, s.page_end) == (None, None)


def test_selectors_near_the_edges_keep_what_context_there_is() -> None:
    s = make_selectors("short text", 0, 5)
    assert (s.prefix, s.exact, s.suffix) == ("", "short", " text")


def test_page_numbers_are_one_based_and_the_separator_belongs_to_no_page() -> None:
    pages = [(0, 10), (12, 20), (22, 30)]  # "\n\n" between pages
    text = "a" * 10 + "\n\n" + "b" * 8 + "\n\n" + "c" * 8
    assert make_selectors(text, 2, 5, pages).page_start == 1
    s = make_selectors(text, 5, 15, pages)
    assert (s.page_start, s.page_end) == (1, 2)
    assert page_span(pages, 10, 12) == (None, None)  # only the separator
    assert page_span(pages, 10, 14) == (2, 2)  # starts in the separator
    assert page_span(pages, 18, 22) == (2, 2)  # ends in the separator
    assert page_span(pages, 25, 30) == (3, 3)


@pytest.mark.parametrize(("start", "end"), [(3, 3), (5, 2), (-1, 4), (0, 99)])
def test_selectors_refuse_empty_or_outside_spans(start: int, end: int) -> None:
    with pytest.raises(ValueError):
        make_selectors("some text", start, end)


# --- exact: verbatim quotes ------------------------------------------------------------------


def test_unchanged_text_anchors_exactly_at_the_stored_position() -> None:
    s = select(ARTICLE, "managers confiscated their passports")
    assert anchor(ARTICLE, s) == AnchorResult(s.start, s.end, "exact", 1.0, "position")


def test_an_insertion_before_the_quote_shifts_it() -> None:
    s = select(ARTICLE, "managers confiscated their passports")
    new = "Update, 4 March: a correction was added below.\n\n" + ARTICLE
    result = anchor(new, s)
    assert result.status == "exact"
    assert covered(new, result) == s.exact
    assert result.start == s.start + new.index(ARTICLE)


def test_a_passage_moved_far_away_is_found_verbatim() -> None:
    paragraphs = ARTICLE.split("\n\n")
    s = select(ARTICLE, "Most of the wages were deposited into accounts controlled by the state")
    filler = "Background material on the sanctions regime follows. " * 200
    new = "\n\n".join([paragraphs[0], paragraphs[2], filler, paragraphs[1]])
    result = anchor(new, s)
    assert result.status == "exact"
    assert covered(new, result) == s.exact
    assert result.start == new.index(s.exact)


def test_repeated_quotes_are_told_apart_by_context() -> None:
    text = (
        "In Russia the workers lived in dormitories next to the site. "
        "The report describes how the contract was extended every year without consent. "
        "In China the workers lived in dormitories next to the factory. "
        "The report describes how the contract was extended every year by the agency."
    )
    s = select(text, "the contract was extended every year", occurrence=1)
    new = "Summary. " + text.replace("In Russia", "In the Russian Far East")
    result = anchor(new, s)
    assert result.status == "exact"
    assert result.start == new.index("the contract was extended every year by")


def test_repeated_quotes_with_the_same_context_are_told_apart_by_position() -> None:
    boilerplate = "Names of witnesses have been withheld for their safety. "
    text = boilerplate + ARTICLE + " " + boilerplate + "Appendix follows."
    s = select(text, "Names of witnesses have been withheld", occurrence=1)
    new = "Corrected version. " + text
    result = anchor(new, s)
    assert result.status == "exact"
    second = new.index("Names of witnesses", new.index("Names of witnesses") + 1)
    assert (result.start, result.end) == (second, second + len(s.exact))


def test_repeated_quotes_equally_far_from_where_it_was_are_fuzzy() -> None:
    block = "xx Names of witnesses have been withheld for their safety. yy "
    text = "filler " * 10 + block + "filler " * 40 + block + "filler " * 10  # same context
    quote = "Names of witnesses have been withheld"
    first, second = text.index(quote), text.rindex(quote)
    middle = (first + second) // 2
    stored = make_selectors(text, first, first + len(quote))
    lost = Selectors(
        middle, middle + len(quote), stored.exact, stored.prefix, stored.suffix, None, None
    )
    result = anchor(text, lost)
    assert result.status == "fuzzy"  # the quote is right; which copy is not certain
    assert result.method == "quote"
    assert covered(text, result) == quote


def test_a_short_quote_needs_its_context_to_stay_exact() -> None:
    s = select(ARTICLE, "Acme Ltd")
    kept = ARTICLE.replace("The agreement covered", "The deal covered")
    assert anchor(kept, s).status == "exact"
    rewritten = kept.replace("EUR 4.2 million with ", "an undisclosed sum with the firm ").replace(
        " in March 2019.", ", according to the minutes."
    )
    result = anchor(rewritten, s)
    assert result.status == "fuzzy"  # "Acme Ltd" is still there, once, but all around changed
    assert covered(rewritten, result) == "Acme Ltd"


# --- fuzzy: changed quotes -------------------------------------------------------------------


def test_a_changed_figure_is_fuzzy_and_covers_the_edited_passage() -> None:
    s = select(ARTICLE, "a contract worth EUR 4.2 million with Acme Ltd")
    new = "Editor's note added.\n\n" + ARTICLE.replace("EUR 4.2 million", "EUR 4.7 million")
    result = anchor(new, s)
    assert result.status == "fuzzy"
    assert result.method == "approximate"
    assert covered(new, result) == "a contract worth EUR 4.7 million with Acme Ltd"
    assert 0.9 < result.score < 1.0


@pytest.mark.parametrize(
    ("old", "edited"),
    [
        ("managers confiscated", "anagers confiscated"),  # first code point deleted
        ("managers confiscated", "Managers confiscated"),  # first code point replaced
        ("their passports on arrival", "their passports at arrival"),  # last word changed
        ("their passports on arrival", "their passport on arrival"),
    ],
)
def test_edits_at_the_edge_of_the_quote_are_placed_by_its_context(old: str, edited: str) -> None:
    quote = "managers confiscated their passports on arrival"
    s = select(ARTICLE, quote)
    new = ARTICLE.replace(old, edited)
    expected = quote.replace(old, edited)
    result = anchor(new, s)
    assert result.status == "fuzzy"
    assert (result.start, result.end) == (new.index(expected), new.index(expected) + len(expected))


def test_a_changed_quote_that_also_moved_far_is_found_with_its_context() -> None:
    paragraphs = ARTICLE.split("\n\n")
    s = select(ARTICLE, "he received less than a tenth of the 700 dollars his employer paid")
    moved = paragraphs[1].replace("700 dollars", "750 dollars")
    filler = "Background material on the sanctions regime follows. " * 200
    new = "\n\n".join([paragraphs[0], paragraphs[2], filler, moved])
    result = anchor(new, s)
    assert result.status == "fuzzy"
    assert covered(new, result) == s.exact.replace("700", "750")


# --- orphaned and unrelated text ---------------------------------------------------------------


def test_a_deleted_passage_is_orphaned_and_carries_no_position() -> None:
    s = select(ARTICLE, "One worker said he received less than a tenth of the 700 dollars")
    new = ARTICLE.replace(s.exact, "")
    assert anchor(new, s) == AnchorResult(-1, -1, "orphaned", 0.0, "none")


def test_similar_statements_elsewhere_are_not_taken_for_a_deleted_one() -> None:
    text = (
        "In 2019 the ministry signed an agreement with Moscow on construction workers. "
        "In 2018 the ministry signed an agreement with Beijing on textile workers. "
        "In 2017 the ministry signed an agreement with Minsk on logging workers."
    )
    s = select(text, "In 2019 the ministry signed an agreement with Moscow")
    new = text.replace("In 2019 the ministry signed an agreement with Moscow on", "Moscow:")
    # "In 2018 ... with Beijing" is within a few edits of the quote, but it is another claim.
    assert Levenshtein.distance(
        project(s.exact), project("In 2018 the ministry signed an agreement with Beijing")
    ) <= max_errors(len(project(s.exact)))
    assert anchor(new, s).status == "orphaned"


def test_a_similar_sentence_in_another_context_is_not_matched() -> None:
    sentence = "the workers were sent to the logging camps in the Amur region in 2016"
    text = "Witness A said that " + sentence + ", and stayed three years."
    s = select(text, sentence)
    other = "the workers were sent to the fishing camps in the Amur region in 2019"
    assert Levenshtein.distance(project(sentence), project(other)) <= max_errors(len(sentence))
    unrelated = (
        "Trade statistics for the year show timber imports rising. Officials said "
        + other
        + " as part of a new quota, the newspaper reported."
    )
    assert anchor(unrelated, s).status == "orphaned"


def test_a_text_of_the_same_kind_but_different_content_orphans_everything() -> None:
    rng = random.Random(5)
    vocabulary = "the workers were sent to camps in Russia and China by state companies under "
    words = (vocabulary + "contracts wages passports managers accounts dollars month year").split()

    def prose(count: int) -> str:
        return " ".join(rng.choice(words) for _ in range(count))

    old, new = prose(3000), prose(3000)
    selectors = []
    for _ in range(200):
        start = rng.randrange(0, len(old) - 60)
        start = old.index(" ", start) + 1
        selectors.append(make_selectors(old, start, old.index(" ", start + 30)))
    results = reanchor_all(new, selectors)
    for s, result in zip(selectors, results, strict=True):
        if result.status != "orphaned":
            # Only a verbatim (or layout-only) occurrence may be matched in an unrelated text.
            assert project(covered(new, result)) == project(s.exact), (s.exact, result)


def test_an_empty_quote_is_orphaned() -> None:
    assert anchor(ARTICLE, Selectors(5, 5, "", "", "", None, None)).status == "orphaned"


# --- layout: line breaks, spaces, hyphenation --------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("forced labour in the camps", "forced\nlabour in the\ncamps"),  # re-broken lines
        ("forced\nlabour in the\ncamps", "forced labour in the camps"),
        ("forced labour in the camps", "forced  labour   in the camps"),  # spaces collapsed
        ("forced labour in the camps", "forcedlabour in thecamps"),  # spaces lost
        ("forced labour in the camps", "f orced lab our in the camps"),  # spaces inserted
        ("forced-\nlabour in the camps", "forced labour in the camps"),  # hyphenation undone
        ("forced-\nlabour in the camps", "forcedlabour in the camps"),
        ("forced labour in the camps", "forced-\nlabour in the camps"),
        ("forced labour in the camps", "for\u00adced la\u00adbour in the camps"),  # soft hyphens
        ("forced labour in the camps", "forced labour in the\u00a0camps"),  # no-break space
    ],
)
def test_layout_differences_anchor_exactly(old: str, new: str) -> None:
    before, after = "Witnesses described years of ", " near the border, the report says."
    s = make_selectors(before + old + after, len(before), len(before) + len(old))
    text = "Re-extracted page 3.\n" + before + new + after
    result = anchor(text, s)
    assert result.status == "exact"
    assert result.method == "layout"
    assert covered(text, result) == new  # from its first to its last visible character


def test_layout_matching_does_not_reach_beyond_the_quote() -> None:
    s = make_selectors("said: forced labour. Then", 6, 19)  # "forced labour"
    text = "said:\n\nforced\n\nlabour\n\n. Then"
    result = anchor(text, s)
    assert result.status == "exact"
    assert covered(text, result) == "forced\n\nlabour"


def test_a_hyphen_between_words_is_kept_so_it_counts_as_a_change() -> None:
    assert project("forced-\nlabour") == project("forced labour") == "forcedlabour"
    assert project("forced-labour") == "forced-labour"
    assert project("fell by -5 %") == "fellby-5%"  # a minus sign is not hyphenation
    s = make_selectors("Evidence of forced labour in camps.", 12, 25)
    text = "Evidence of forced-labour in camps."
    result = anchor(text, s)
    assert result.status == "fuzzy"
    assert covered(text, result) == "forced-labour"
    assert result.score > 0.95


def test_layout_changes_and_an_edit_together_are_fuzzy() -> None:
    s = select(ARTICLE, "managers confiscated their passports on arrival")
    new = ARTICLE.replace(
        "managers confiscated their passports on arrival",
        "managers con-\nfiscated the passports on\narrival",
    )
    result = anchor(new, s)
    assert result.status == "fuzzy"
    assert covered(new, result) == "managers con-\nfiscated the passports on\narrival"


# --- long quotes, large alphabets --------------------------------------------------------------


def _long_text(rng: random.Random, words: list[str], count: int) -> str:
    return " ".join(rng.choice(words) for _ in range(count))


@pytest.mark.parametrize("length", [300, 1200])
def test_quotes_longer_than_any_pattern_limit(length: int) -> None:
    rng = random.Random(length)
    words = [f"w{n}" for n in range(400)] + ["forced", "labour", "camp", "wages", "Pyongyang"]
    text = _long_text(rng, words, 3000)
    start = text.index(" ", 5000) + 1
    s = make_selectors(text, start, start + length)
    assert len(s.exact) == length > 256

    shifted = "Preface. " * 30 + text
    result = anchor(shifted, s)
    assert (result.status, covered(shifted, result)) == ("exact", s.exact)

    edited_quote = list(s.exact)
    for position in range(10, length - 10, length // 6):
        edited_quote[position] = "#"
    edited_quote_text = "".join(edited_quote)
    edited = text[:start] + edited_quote_text + text[start + length :]
    result = anchor(edited, s)
    assert result.status == "fuzzy"
    assert covered(edited, result) == edited_quote_text

    gone = text[:start] + text[start + length :]
    assert anchor(gone, s).status == "orphaned"


def test_a_long_cjk_quote_with_hundreds_of_distinct_characters() -> None:
    rng = random.Random(11)
    alphabet = [chr(code) for code in range(0x4E00, 0x4E00 + 600)]  # CJK ideographs
    text = "".join(rng.choice(alphabet) for _ in range(20000))
    start = 9000
    s = make_selectors(text, start, start + 900)
    assert len(set(s.exact)) > 256 and len(set(text)) > 256

    edited_quote = s.exact[:100] + "工人" + s.exact[102:500] + s.exact[510:]
    edited = text[:start] + edited_quote + text[start + 900 :]
    result = anchor(edited, s)
    assert result.status == "fuzzy"
    assert covered(edited, result) == edited_quote


def test_rtl_and_emoji_text_anchors_by_code_points() -> None:
    text = "قال العامل 👩🏽‍🏭 إن المدير صادر جواز سفره عند الوصول إلى الموقع. עובדים נשלחו לרוסיה."
    s = select(text, "إن المدير صادر جواز سفره")
    new = "🇰🇵 " + text.replace("جواز سفره", "جواز السفر")
    result = anchor(new, s)
    assert result.status == "fuzzy"
    assert covered(new, result) == "إن المدير صادر جواز السفر"


# --- bulk --------------------------------------------------------------------------------------


def test_reanchor_all_returns_results_in_input_order() -> None:
    quotes = [
        "The agreement covered dormitories",  # last in the text, first here
        "Thousands of workers were sent",
        "One worker said he received less than a tenth",
        "managers confiscated their passports",
    ]
    selectors = [select(ARTICLE, quote) for quote in quotes]
    new = "Preface.\n\n" + ARTICLE.replace(
        "One worker said he received less than a tenth of the 700 dollars", ""
    ).replace("managers confiscated their passports", "managers confiscated the passports")
    results = reanchor_all(new, selectors)
    assert [r.status for r in results] == ["exact", "exact", "orphaned", "fuzzy"]
    assert covered(new, results[0]) == quotes[0]
    assert covered(new, results[1]) == quotes[1]
    assert covered(new, results[3]) == "managers confiscated the passports"
    assert reanchor_all(new, []) == []


def test_reanchor_all_agrees_with_anchor_one_by_one() -> None:
    rng = random.Random(3)
    selectors = []
    for _ in range(60):
        start = rng.randrange(0, len(ARTICLE) - 40)
        selectors.append(make_selectors(ARTICLE, start, start + rng.randint(12, 40)))
    new = (
        ARTICLE.replace("Former workers", "Several former workers")
        .replace("700 dollars", "seven hundred dollars")
        .replace("front companies", "shell companies")
    )
    # Bulk re-anchoring may settle an annotation by its predicted position (score 1.0) where a
    # lone call searches for the quote; where it lands and how sure it is are the same.
    bulk = [(r.start, r.end, r.status) for r in reanchor_all(new, selectors)]
    single = [(r.start, r.end, r.status) for r in (anchor(new, s) for s in selectors)]
    assert bulk == single
    assert {status for _, _, status in bulk} == {"exact", "fuzzy"}


def test_page_ranges_are_used_and_the_result_stays_on_its_page() -> None:
    pages_old = ["Page one text about wages. " * 20, ARTICLE, "Page three. " * 30]
    old = "\n\n".join(pages_old)
    ranges_old, position = [], 0
    for page in pages_old:
        ranges_old.append((position, position + len(page)))
        position += len(page) + 2
    start = old.index("managers confiscated")
    s = make_selectors(old, start, start + 40, ranges_old)
    assert (s.page_start, s.page_end) == (2, 2)

    pages_new = [
        "Page one, re-extracted with more text. " * 200,
        pages_old[1].replace("\n\n", "\n"),
        pages_old[2],
    ]
    new = "\n\n".join(pages_new)
    ranges_new, position = [], 0
    for page in pages_new:
        ranges_new.append((position, position + len(page)))
        position += len(page) + 2
    result = anchor(new, s, page_ranges=ranges_new, old_length=len(old))
    assert result.status == "exact"
    assert ranges_new[1][0] <= result.start < result.end <= ranges_new[1][1]


def test_verbatim_copy_on_a_far_page_is_flagged_not_exact() -> None:
    """A repeated boilerplate sentence whose own copy (page 3) is gone from the new text is not
    silently moved to the copy on page 1."""
    from app.anchoring import anchor, make_selectors

    boiler = "You may view this referenced service information at the FAA office."
    pages_old = [f"Intro text one. {boiler} More text on page one.",
                 "Page two has different words entirely, about contracts.",
                 f"Closing page. {boiler} Final words of page three."]
    old = "\n\n".join(pages_old)
    old_ranges, pos = [], 0
    for page in pages_old:
        old_ranges.append((pos, pos + len(page)))
        pos += len(page) + 2
    start = old.rindex(boiler)
    sel = make_selectors(old, start, start + len(boiler), old_ranges)
    assert (sel.page_start, sel.page_end) == (3, 3)
    pages_new = [pages_old[0], pages_old[1], "Closing page. garbled Final words of page three."]
    new = "\n\n".join(pages_new)
    new_ranges, pos = [], 0
    for page in pages_new:
        new_ranges.append((pos, pos + len(page)))
        pos += len(page) + 2
    result = anchor(new, sel, page_ranges=new_ranges, old_length=len(old))
    assert result.status != "exact"

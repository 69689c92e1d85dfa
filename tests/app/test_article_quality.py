"""Article body quality on the corpus pages: the passages of the story in, boilerplate out."""

from __future__ import annotations

from app.importers.base import ImportRefused
from app.importers.html import extract_html
from app.importers.html_boilerplate import drop_boilerplate
from tests.helpers.article_quality import TARGET_F1, Page, corpus_pages, score
from tests.helpers.corpus import corpus_dir, requires_corpus


def _dossier_text(page: Page) -> str | None:
    try:
        return extract_html(page.path.read_bytes(), name=page.name).text
    except ImportRefused:
        return None


@requires_corpus
def test_article_body_f1_meets_the_target_on_the_corpus_pages() -> None:
    folder = corpus_dir()
    assert folder is not None
    pages = corpus_pages(folder / "html")
    assert len(pages) >= 10
    result = score(pages, _dossier_text)
    assert result.f1 >= TARGET_F1, (
        f"article body F1 {result.f1:.3f} < {TARGET_F1} on {len(pages)} corpus pages; "
        f"missing {result.misses}, boilerplate kept {result.leaks}")
    assert result.recall == 1.0, f"story passages missing: {result.misses}"


class _B:
    def __init__(self, text: str, kind: str = "paragraph", link_chars: int = 0) -> None:
        self.kind, self.text, self.link_chars = kind, text, link_chars


def test_teasers_related_lists_credits_and_closing_calls_are_dropped() -> None:
    story = [
        _B("The ministry paid 4.2 million to a shell company in 2019, the records show."),
        _B("Read more: Minister resigns over contract", link_chars=30),
        _B("Foto: dpa / Jane Doe"),
        _B("The company was registered two weeks before the tender closed."),
        _B("Marco Odermatt at the finish. © AFP / MARCO BERTORELLO"),
        _B("Aktualisiert am 17.01.2021."),
        _B("Related stories"),
        _B("Other headline one\nOther headline two", kind="list", link_chars=37),
        _B("Its director declined to comment when reached on Monday."),
        _B("Sign up to our newsletter and never miss a story."),
        _B("Follow us on Twitter for updates."),
    ]
    kept, dropped = drop_boilerplate(story)
    assert [b.text for b in kept] == [story[0].text, story[3].text, story[8].text]
    assert len(dropped) == len(story) - 3


def test_story_paragraphs_that_resemble_boilerplate_are_kept() -> None:
    story = [
        _B("Read more about the case in our report."),  # a sentence, not a label
        _B("Readers who subscribe to the registry can see the owners, the court was told, "
           "and the newsletter of the association published the list in March. " * 5),
        _B("Related parties held 40 per cent of the shares."),
        _B("The last paragraph says who paid: the ministry did."),
    ]
    kept, dropped = drop_boilerplate(story)
    assert kept == story and dropped == []


def test_a_page_of_nothing_but_boilerplate_keeps_what_it_has() -> None:
    only = [_B("Read more: something else", link_chars=14)]
    kept, dropped = drop_boilerplate(only)
    assert kept == only and dropped == []

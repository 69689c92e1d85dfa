"""Article body quality on the corpus pages: the passages of the story in, boilerplate out."""

from __future__ import annotations

from lxml import html as lxml_html

from app.importers.base import ImportRefused
from app.importers.html import extract_html
from app.importers.html_boilerplate import drop_boilerplate
from app.importers.html_page_tree import prepare_tree
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


def test_headline_links_related_boxes_reading_times_and_closing_addresses_are_dropped() -> None:
    story = [
        _B("Reading time: 4 minutes"),
        _B("The ministry paid 4.2 million to a shell company in 2019, the records show."),
        _B("SEE MORE: Minister questioned over second contract", link_chars=40),
        _B("MINISTER'S AIDE QUIT OVER EXPENSES, SOURCES SAY", link_chars=47),
        _B("The company was registered two weeks before the tender closed."),
        _B("Also: our coverage of the tender, in full", link_chars=35),
        _B("DON'T MISS\nPort deal under review\nThe families who paid", link_chars=40),
        _B("Updated at 1:23 p.m."),
        _B("Its director declined to comment when reached on Monday."),
        _B("Explore further"),
        _B("Shell companies: what the registry shows", kind="list", link_chars=40),
        _B("Like this story? Share it with a friend!"),
        _B("If you enjoyed this article, we have an offer for you: become a member."),
        _B("jane.reporter@example.org"),
        _B("twitter.com/janereporter"),
    ]
    kept, dropped = drop_boilerplate(story)
    assert [b.text for b in kept] == [story[1].text, story[4].text, story[8].text]
    assert len(dropped) == len(story) - 3


def test_opening_sign_up_calls_disclosures_and_closing_click_here_calls_are_dropped() -> None:
    story = [
        _B("Start your morning with the Ledger, our briefing on money in politics, read by "
           "thousands of people who follow the money every day. Sign up for the free daily "
           "newsletter."),
        _B("The ministry paid 4.2 million to a shell company in 2019, the records show."),
        _B("If you buy something through a link in this post, we may earn a commission."),
        _B("The company was registered two weeks before the tender closed."),
        _B("Get the Ledger in print every month: twelve issues for 20 euros. Click here to order."),
        _B("We would like to hear what you think about this article: write to the editors."),
    ]
    kept, dropped = drop_boilerplate(story)
    assert [b.text for b in kept] == [story[1].text, story[3].text]
    assert len(dropped) == len(story) - 2


def test_category_labels_also_on_boxes_and_follow_calls_are_dropped() -> None:
    story = [
        _B("Category: Investigations"),
        _B("The ministry paid 4.2 million to a shell company in 2019, the records show."),
        _B("Also on example-news.org"),
        _B("Ten firms that won tenders without bidding", link_chars=42),
        _B("The company was registered two weeks before the tender closed."),
        _B("Follow The Example Ledger on Twitter and Instagram for more investigations."),
    ]
    kept, dropped = drop_boilerplate(story)
    assert [b.text for b in kept] == [story[1].text, story[4].text]
    assert len(dropped) == len(story) - 2


def test_story_text_in_capitals_with_addresses_or_starting_with_also_is_kept() -> None:
    story = [
        _B("THE MINISTRY PAID 4.2 MILLION TO A SHELL COMPANY, THE AUDITOR WROTE."),  # no link
        _B("Also, the company was registered two weeks before the tender closed."),
        _B("Tips can be sent to tips@example.org, the newsroom said in its appeal."),
        _B("jane.reporter@example.org"),  # an address in the story, not at its end
        _B("The registry kept working, the clerk said, as agents continued to sign up new firms."),
        _B("Its director declined to comment when reached on Monday."),
    ]
    kept, dropped = drop_boilerplate(story)
    assert kept == story and dropped == []


def test_a_page_of_nothing_but_boilerplate_keeps_what_it_has() -> None:
    only = [_B("Read more: something else", link_chars=14)]
    kept, dropped = drop_boilerplate(only)
    assert kept == only and dropped == []


# --- rules on whole pages (small hand-written pages) -------------------------------------------

STORY = ("The ministry paid 4.2 million euros to a company registered two weeks before the tender "
         "closed, according to records seen by reporters. ")


def _article(body: str, *, title: str = "Ministry paid shell company | Example News",
             description: str = "", head: str = "") -> bytes:
    meta = f'<meta name="description" content="{description}">' if description else ""
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title>{meta}{head}"
            f"</head><body><nav><a href='/'>Home</a></nav><article>{body}</article>"
            "<footer><p>Example News</p></footer></body></html>").encode()


def test_text_around_comments_inside_a_paragraph_is_kept() -> None:
    # pages rendered by React put <!-- --> between runs of text; the words after it were lost
    body = (f"<p>When<!-- --> the auditors asked, <a href='/a'>the firm</a><!-- --> refused. "
            f"{STORY}</p><p>{STORY * 2}</p>")
    text = extract_html(_article(body), name="comments.html").text
    assert text.startswith("When the auditors asked, the firm refused. The ministry paid")


MICRODATA = ('<div style="display:none" itemscope><h1 itemprop="name">Ministry paid shell '
             'company</h1><div itemprop="datePublished">2019-11-19T08:57:40+01:00</div>'
             '<div itemprop="publisher">ExampleNewsDe</div></div>')


def test_blocks_the_page_hides_are_left_out() -> None:
    body = (f"<p>{STORY * 3}</p><section>{MICRODATA}<p hidden>Share on Facebook</p></section>"
            f"<p>The company's director declined to comment. {STORY}</p>")
    doc = extract_html(_article(body), name="hidden.html")
    assert "2019-11-19T08:57:40" not in doc.text and "ExampleNewsDe" not in doc.text
    assert "Share on Facebook" not in doc.text
    assert doc.text.count("The ministry paid") == 4
    assert "The company's director declined to comment." in doc.text


def test_hidden_panes_of_running_text_and_structured_data_stay_in_the_tree() -> None:
    pane = f'<div class="slide" style="display: none;"><p>Second slide. {STORY * 2}</p></div>'
    script = ('<div hidden><script type="application/ld+json">{"@type": "NewsArticle"}</script>'
              "</div>")
    tree = lxml_html.document_fromstring(
        f"<html><body><p>{STORY}</p>{MICRODATA} after{pane}{script}</body></html>")
    assert prepare_tree(tree) == (1, 0)
    text = tree.text_content()
    assert "ExampleNewsDe" not in text and "after" in text  # the text after it stays
    assert "Second slide." in text and "NewsArticle" in text


def test_headline_and_standfirst_repeated_above_the_story_are_dropped() -> None:
    body = ("<h1>Ministry paid shell company</h1>"
            "<h2>Records show the payment went through two weeks after registration.</h2>"
            f"<p>{STORY * 3}</p><h2>The contracts</h2><p>{STORY * 2}</p>")
    doc = extract_html(_article(body, description="Records show the payment went through two "
                                "weeks after registration."), name="headline.html")
    assert doc.text.startswith("The ministry paid")
    assert "The contracts" in doc.text  # a heading inside the story stays
    assert doc.metadata["dropped_boilerplate"][:2] == [
        "Ministry paid shell company",
        "Records show the payment went through two weeks after registration."]


def test_a_first_paragraph_that_is_also_the_description_stays() -> None:
    lead = "The ministry paid 4.2 million euros to a company registered two weeks earlier."
    body = f"<h1>Ministry paid shell company</h1><p>{lead}</p><p>{STORY * 3}</p>"
    doc = extract_html(_article(body, description=lead), name="lead.html")
    assert doc.text.startswith(lead)


def test_a_heading_that_is_not_the_title_stays() -> None:
    body = f"<h2>Who paid</h2><p>{STORY * 3}</p>"
    doc = extract_html(_article(body), name="heading.html")
    assert doc.text.startswith("Who paid\n\nThe ministry paid")


def test_a_post_quoted_from_a_social_network_is_kept_as_a_quotation() -> None:
    embed = ('<div class="article-widget embed-tweet"><div class="embed-inner">'
             '<blockquote class="twitter-tweet"><p lang="en">We never saw the contract, and we '
             'were never asked.</p>— Dock Workers Union (@dockunion) '
             '<a href="https://twitter.com/dockunion/status/1">November 20, 2019</a></blockquote>'
             '<script async src="https://platform.twitter.com/widgets.js"></script></div></div>')
    body = f"<p>{STORY * 3}</p>{embed}<p>The company's director declined to comment. {STORY}</p>"
    doc = extract_html(_article(body), name="tweet.html")
    quotes = [doc.text[s:e] for kind, s, e in doc.structure if kind == "quote"]
    assert quotes == ["We never saw the contract, and we were never asked.\n\n"
                      "— Dock Workers Union (@dockunion) November 20, 2019"]
    assert "The company's director declined to comment." in doc.text

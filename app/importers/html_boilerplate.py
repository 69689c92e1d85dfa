"""Boilerplate left inside an extracted article body: teasers, related lists, credits, calls.

trafilatura finds the article's container; inside it sites still set blocks that are not the
story: "Read more: <other headline>" teasers between paragraphs, other stories' headlines set as
links in capitals, a "Related" or "Don't miss" label with a list of other headlines, photo credits
("© AFP", "Foto: ..."), reading times, and subscription, sharing or newsletter calls and the
author's address at the end. These rules recognise such blocks by their form (a short block led by
a teaser or credit label, link-heavy runs after a related label, calls to action at the article's
end), in the languages the importer meets most, and never by a site's name. Each dropped block's
text is kept in the import's metadata so nothing disappears silently.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol, TypeVar

#: Blocks longer than this are story text whatever their first words.
TEASER_MAX_CHARS = 220
#: A label alone ("Related", "Schon gelesen?") is at most this long.
LABEL_MAX_CHARS = 60
#: After a related label, following blocks are dropped while at least this share is links.
RELATED_MIN_LINK_SHARE = 0.5
#: Credits and calls to action are at most this long.
CREDIT_MAX_CHARS = 160
CALL_MAX_CHARS = 300
#: A paragraph at least this share links, in capitals, is another story's headline.
HEADLINE_LINK_MIN_SHARE = 0.95

_READ_MORE = (
    # English
    r"read (?:more|also|next)|see also|related(?: (?:story|stories|articles?|content|reading))?"
    r"|more on (?:this|that)(?: story| topic)?|also read|recommended(?: reading)?"
    r"|you (?:may|might) also like"
    # German
    r"|lesen sie (?:auch|hier|mehr|weiter)|auch lesen|mehr (?:dazu|zum thema)|weiterlesen"
    r"|zum weiterlesen|(?:das|dies)(?: \w+)? k[öo]nnte (?:sie|dich|euch) (?:auch )?interessieren"
    r"|auch interessant|schon gelesen|siehe auch|passend dazu|empfohlene (?:beitr[äa]ge|artikel)"
    # French
    r"|[àa] lire aussi|lire aussi|lire la suite|voir aussi|sur le m[êe]me sujet"
    # Spanish and Portuguese
    r"|lea (?:tambi[ée]n|m[áa]s)|vea tambi[ée]n|ver tambi[ée]n|puedes ver"
    r"|le puede interesar|te puede interesar|tambi[ée]n te puede interesar|leia (?:tamb[ée]m|mais)"
    r"|notas relacionadas|contenido relacionado|noticias relacionadas|m[áa]s sobre"
    # Italian, Dutch, Polish
    r"|leggi anche|vedi anche|lees ook|zie ook|czytaj (?:te[żz]|tak[żz]e|wi[ęe]cej)"
    r"|zobacz (?:te[żz]|tak[żz]e)|dowiedz si[ęe] wi[ęe]cej"
)
#: One-word teaser labels, only ever taken with a colon after them ("Mira: ...", "Watch: ...").
_TEASER_WORDS = r"watch|listen|see more|also|lea|mire|mira|lesen sie"
#: "Read more: <headline>", "Lea también: ...", "À lire aussi » ...".
_TEASER = re.compile(
    rf"^\W*(?:{_READ_MORE}|{_TEASER_WORDS})\s*(?::|»|>>|\||–|—|-\s)", re.IGNORECASE
)
#: A label alone: "Related", "Schon gelesen?", "NOTAS RELACIONADAS", "Weitere Artikel zum Thema".
_LABEL = re.compile(
    rf"^\W*(?:(?:{_READ_MORE})\b[^.!]{{0,40}}|more (?:stories|news|from|on)\b.*"
    r"|weitere (?:artikel|beitr[äa]ge|themen"
    r"|meldungen|nachrichten)\b.*|mehr themen|top[- ]themen\b.*|beitr[äa]ge aus dem forum"
    r"|kommentierte artikel|meist(?:-| )(?:gelesen|diskutiert)|most (?:read|popular|viewed)"
    r"|don'?t miss|explore further|(?:\d+ )?(?:comments?|kommentare|commentaires|comentarios)"
    r"|trending(?: now)?|latest (?:news|stories)|popular (?:stories|posts|articles)"
    r"|(?:articles?|posts?|stories) (?:li[ée]s|associ[ée]s|similaires)|related posts?"
    r"|plus d'articles|derni[èe]res? (?:infos|actualit[ée]s|nouvelles)"
    r"|lo m[áa]s le[íi]do|temas|tags?|schlagw[öo]rter|themen"
    r"|(?:also|auch|aussi|tambi[ée]n) (?:on|auf|sur|en) [\w-]+(?:\.[\w-]+)+"
    r"|(?:categor(?:y|ies)|kategorien?|cat[ée]gories?|categor[íi]as?)\s*:.*)[\s:?!»›>…-]*$",
    re.IGNORECASE,
)
#: Photo and image credits: "© AFP", "Foto: dpa", "(Credit: ...)", "Titelbild: ...".
_CREDIT = re.compile(
    r"^\W*(?:©|\(c\)\s|copyright\b|foto(?:s|grafie)?\s*:|fot\.|photo(?:s|graph)?\s*:"
    r"|(?:photo |image |picture )?credits?\s*:|cr[ée]dits? photos?\s*:|bild(?:quelle)?\s*:"
    r"|titelbild\s*:|beitragsbild\s*:|quelle\s*:|source\s*:|image\s*:|imagen\s*:|fuente\s*:)",
    re.IGNORECASE,
)
#: "Sign up" said to the reader (not "the company continued to sign up subscribers"), as a
#: short block's strong call; at the article's end any "sign up" is a closing call.
_SIGN_UP = (r"(?:^|(?<=[.!:]\s))\W*sign(?:ing)? up\b"
            r"|sign(?:ing)? up (?:for|to) (?:our|my|the|a|free)\b"
            r"|sign up (?:here|now|today|below)\b")
#: Calls to subscribe, sign up, follow, support or comment, as sites close their articles.
_CALL = re.compile(
    r"\b(?:subscrib\w*|sign(?:ing)? up|newsletter\w*|abonn\w*|suscr[íi]b\w*"
    r"|follow (?:us|\w+ on|[\w' ]{1,40}? on (?:twitter|facebook|instagram|x|linkedin|tiktok)\b)"
    r"|join (?:us|our \w+)|[úu]nete|download (?:our|the) \w+ app|support (?:our|us)\b"
    r"|unterst[üu]tze\w*"
    r"|donate|spenden|hazte miembro|never miss|nichts (?:mehr )?verpassen|jetzt anmelden"
    r"|all rights reserved|alle rechte vorbehalten|copyrighted property|lust auf mehr"
    r"|leave a reply|eingeloggt|logged in|click here|(?:we'?d|we would) (?:like|love) to hear)",
    re.IGNORECASE,
)
#: Strong calls that are boilerplate wherever they stand when the block is short.
_STRONG_CALL = re.compile(
    rf"\b(?:newsletter\w*|{_SIGN_UP}|subscribe (?:now|today|to)|jetzt (?:abonnieren|anmelden)"
    r"|never miss|nicht (?:mehr )?eingeloggt|view comments|keine kommentare|no comments"
    r"|ver (?:m[áa]s )?comentarios|hazte miembro|^\W*(?:anzeige|werbung|advertisement|sponsored"
    r"|publicidad|publicit[ée])\b|affiliate[- ]links?|may receive (?:a )?compensation"
    r"|provisionslinks?|bezahlschranke|paywall|(?:get|download) the [\w ]{1,30} app\b"
    r"|by clicking here|share (?:it|this(?: story| article)?) with (?:a friend|your friends)"
    r"|if you (?:enjoyed|liked)(?: reading)? (?:this|the) (?:article|story|post)"
    r"|tell us what you think"
    r"|if you (?:buy|purchase) something (?:through|from|via)"
    r"|may (?:get|earn|receive) (?:a )?(?:small )?(?:share|commission|compensation))",
    re.IGNORECASE,
)
#: A block that is only a date, or a date with an update label ("Aktualisiert am 17.01.2021").
_DATE_ONLY = re.compile(
    r"^\W*(?:(?:last )?(?:updated?|modified|changed)(?: on| at)?|aktualisiert(?: am)?"
    r"|letzte (?:änderung|aktualisierung)|ver[öo]ffentlicht(?: am)?|published(?: on)?|stand"
    r"|release date|date|datum|fecha|mis [àa] jour(?: le)?|publi[ée](?: le)?)?\W*"
    r"(?:\d{1,4}[./-]\d{1,2}[./-]\d{1,4}|\d{1,2}\.? \w+ \d{4}|\w+ \d{1,2},? \d{4})?"
    r"(?:,? (?:um |at )?\d{1,2}:\d{2}(?: ?[ap]\.?m\.?| uhr)?)?\W*$",
    re.IGNORECASE,
)
#: A caption's closing credit: "... © AFP / MARCO BERTORELLO", "(Foto: Natacha Pisarenko)".
_CLOSING_CREDIT = re.compile(
    r"(?:©[^©]{1,80}|\((?:foto|photo|credit|imagen|bild|fot\.)\s*:?[^()]{1,80}\)\.?"
    r"|getty images|shutterstock|imago images)\W*$",
    re.IGNORECASE,
)
#: "Reading time: 2 minutes", "3 min read", "Lesezeit: 4 Minuten".
_READING_TIME = re.compile(
    r"^\W*(?:(?:estimated )?read(?:ing)? time|lesezeit|temps de lecture|tiempo de lectura"
    r"|tempo de leitura|czas czytania)\W*\d+\W*\w*\W*$"
    r"|^\W*\d+\W*(?:min(?:ute)?s?|minuten)\.? (?:read|lesezeit|de lecture|de lectura"
    r"|de leitura)\W*$",
    re.IGNORECASE,
)
#: A block that is only an e-mail address, a social-media handle or profile address.
_CONTACT = re.compile(
    r"^\W*(?:[\w.+-]+@[\w-]+(?:\.[\w-]+)+|@\w{2,30}"
    r"|(?:https?://)?(?:www\.)?(?:twitter|x|instagram|facebook)\.com/[\w.]+/?)\W*$",
    re.IGNORECASE,
)


class BlockLike(Protocol):
    """What the rules read of a block of the extracted body."""

    kind: str
    text: str
    link_chars: int


B = TypeVar("B", bound=BlockLike)


def drop_boilerplate(blocks: Sequence[B]) -> tuple[list[B], list[str]]:
    """Blocks of the story, and the texts of those dropped as boilerplate (in page order)."""
    reasons = classify(blocks)
    kept = [b for b, r in zip(blocks, reasons, strict=True) if r is None]
    if not kept:  # never drop a whole page: what is left is what the page has
        return list(blocks), []
    return kept, [b.text for b, r in zip(blocks, reasons, strict=True) if r is not None]


def classify(blocks: Sequence[BlockLike]) -> list[str | None]:
    """For each block, the rule that finds it boilerplate, or ``None`` for story text."""
    keep: list[str | None] = [None] * len(blocks)
    after_label = False
    for i, block in enumerate(blocks):
        text = block.text.strip()
        size = len(text)
        if after_label:
            if block.kind in ("heading", "list") or _link_share(block) >= RELATED_MIN_LINK_SHARE:
                keep[i] = "related"
                continue
            after_label = False
        if size <= LABEL_MAX_CHARS and _LABEL.match(text):
            keep[i] = "label"
            after_label = True
        elif size <= TEASER_MAX_CHARS and _TEASER.match(text):
            keep[i] = "teaser"
        elif size <= CREDIT_MAX_CHARS and block.kind != "heading" and (
                _CREDIT.match(text) or _CLOSING_CREDIT.search(text)):
            keep[i] = "credit"
        elif size <= CREDIT_MAX_CHARS and _STRONG_CALL.search(text):
            keep[i] = "call"
        elif size <= LABEL_MAX_CHARS and block.kind != "heading" and _DATE_ONLY.match(text):
            keep[i] = "date"
        elif block.kind == "paragraph" and "\n" in text and _labelled_links(block):
            keep[i] = "related"
        elif size <= TEASER_MAX_CHARS and block.kind == "paragraph" and _headline_link(block):
            keep[i] = "headline link"
        elif size <= LABEL_MAX_CHARS and block.kind != "heading" and _READING_TIME.match(text):
            keep[i] = "reading time"
    # A sign-up or newsletter call may also open the article, longer there than between paragraphs.
    for i, block in enumerate(blocks):
        if keep[i] is None:
            if not (len(block.text) <= CALL_MAX_CHARS and _STRONG_CALL.search(block.text)):
                break
            keep[i] = "opening call"
    # Calls to action and the author's address close an article: drop them (and what was dropped
    # among them) from the end.
    end = len(blocks)
    while end > 0:
        block = blocks[end - 1]
        if keep[end - 1] is None:
            if not (len(block.text) <= CALL_MAX_CHARS and _CALL.search(block.text)
                    or len(block.text) <= LABEL_MAX_CHARS and _CONTACT.match(block.text)):
                break
            keep[end - 1] = "closing call"
        end -= 1
    return keep


def boilerplate_settings() -> list[float]:
    """The rules' thresholds, recorded with every import's extractor description."""
    return [TEASER_MAX_CHARS, LABEL_MAX_CHARS, CREDIT_MAX_CHARS, CALL_MAX_CHARS,
            RELATED_MIN_LINK_SHARE, HEADLINE_LINK_MIN_SHARE]


def _labelled_links(block: BlockLike) -> bool:
    """A label line ("Don't miss") over lines that are mostly links: a related-stories box."""
    first, rest = block.text.split("\n", 1)
    return (len(first) <= LABEL_MAX_CHARS and bool(_LABEL.match(first.strip()))
            and block.link_chars >= RELATED_MIN_LINK_SHARE * len(rest))


def _headline_link(block: BlockLike) -> bool:
    """A paragraph that is only a link, set in capitals like a headline: another story's teaser
    set between the paragraphs."""
    text = block.text
    if block.link_chars < HEADLINE_LINK_MIN_SHARE * len(text) or len(text.split()) < 3:
        return False
    return not any(c.islower() for c in text)


def _link_share(block: BlockLike) -> float:
    return block.link_chars / len(block.text) if block.text else 0.0


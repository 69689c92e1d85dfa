"""Saved or fetched web pages: the article body extracted by trafilatura, plus its metadata.

The canonical text is built here from trafilatura's XML body, not taken from its text output, so
that Dossier controls it exactly: paragraphs and headings are blocks separated by a blank line,
list items and table rows sit on their own lines, runs of white space inside a paragraph collapse
to one space (what a reader sees), and every block's range is kept as structure.
"""

from __future__ import annotations

import copy
import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

import trafilatura
from lxml import etree
from lxml import html as lxml_html

from app.importers.base import ExtractedDocument, ImportRefused
from app.importers.html_boilerplate import boilerplate_settings, drop_boilerplate
from app.importers.html_decode import decode_html
from app.importers.html_embedded import MIN_WORD_SHARE, embedded_article_blocks
from app.importers.html_headline import drop_headline
from app.importers.html_jsonld import iso_date, json_ld_name, structured_data
from app.importers.html_large import MAX_TRAFILATURA_BLOCKS, count_blocks, large_page_blocks
from app.importers.html_page_tree import prepare_tree
from app.importers.text import decoding_warnings
from app.textmodel import normalise

#: Bumped whenever the same bytes could yield a different text, structure or metadata.
HTML_IMPORTER_VERSION = "4"

#: Passed to :func:`trafilatura.bare_extraction`. Balanced focus (neither precision nor recall):
#: on the test corpus precision drops article credits ("Additional reporting by ...") and recall
#: adds nothing that is missing. Inline formatting is not asked for: the text keeps none of it, and
#: without it trafilatura keeps more of the story (benchmarks/article_quality.py, 980 held-out
#: pages: recall 0.944 against 0.941). Comments are not article text. ``deduplicate`` stays off: its
#: cache is process-wide, so a second import of the same page would come back empty.
EXTRACTION_SETTINGS: dict[str, Any] = {
    "favor_precision": False,
    "favor_recall": False,
    "include_comments": False,
    "include_tables": True,
    "include_images": False,
    "include_links": True,  # kept in the tree only to measure link density; not in the text
    "include_formatting": False,
    "deduplicate": False,
    "with_metadata": True,
}
#: htmldate: only dates the page states in its markup, not guesses from free text.
DATE_SETTINGS: dict[str, Any] = {"original_date": True, "extensive_search": False}

#: Leading and trailing blocks at most this long whose text is at least this share links are
#: navigation ("Submit your letter via this form", "Our Standards: ...") and are dropped.
EDGE_MAX_CHARS = 160
EDGE_MIN_LINK_SHARE = 0.3

#: JSON-LD ``articleBody`` replaces the extraction when the page's markup holds less than this
#: share of it (the article is rendered by script, the static HTML only shows a teaser).
STRUCTURED_BODY_MIN_SHARE = 0.5

_LOG = logging.getLogger(__name__)

_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_SPACES = re.compile(r"[ \t\n\r\f\v\u00a0]+")
_INVISIBLE = re.compile("[\u00ad\u200b\u2060\ufeff]")
_LINE_BREAK = "\x01"  # stands for <lb/> until white space is collapsed
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
#: Characters XML does not allow (lxml refuses them in text): controls but tab, newline and return.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_HTML_FRAGMENT = re.compile(r"<(p|br|div|h[1-6])[\s/>]", re.IGNORECASE)
_HTML_BLOCKS = frozenset({"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote"})
_BLOCK_TAGS = frozenset({"p", "head", "list", "quote", "table", "code", "div", "section", "item"})


@dataclass
class _Block:
    """One block of the canonical text: its kind, text, link characters and inner ranges."""

    kind: str
    text: str
    link_chars: int = 0
    inner: list[tuple[str, int, int]] = field(default_factory=list)


def extract_html(
    data: bytes, *, url: str | None = None, name: str = "", charset: str | None = None
) -> ExtractedDocument:
    """Import a web page: article text, structure and metadata, kind ``"html"``.

    ``url`` is where the page was fetched from (if it was); ``charset`` the one its HTTP
    Content-Type declared. Raises :class:`ImportRefused` when the page holds no article text.
    """
    label = name or url or "the page"
    if not data:
        raise ImportRefused(f"{label} is empty (0 bytes); save the page again or fetch its URL")
    page, encoding, encoding_source, replaced = decode_html(data, charset)
    page = _XML_DECLARATION.sub("", page.removeprefix("\ufeff"), count=1)
    if _XML_INVALID.search(page):  # trafilatura discards a tree holding them, whole
        page = _XML_INVALID.sub(lambda m: " " if m.group() == "\f" else "", page)
    try:
        tree = lxml_html.document_fromstring(page, parser=_parser())
    except (etree.ParserError, ValueError) as exc:
        raise ImportRefused(f"{label}: not readable as HTML ({exc}); save the page again") from exc
    del page  # the tree holds the page now; a large page must not be kept twice
    prepare_tree(tree)  # hidden elements out, quoted posts out of their widget boxes

    warnings: list[str] = decoding_warnings(label, replaced, 0)
    large = count_blocks(tree, MAX_TRAFILATURA_BLOCKS) > MAX_TRAFILATURA_BLOCKS
    if large:
        document = None
        blocks = [_Block(kind, text) for kind, text in large_page_blocks(tree, _collapse)]
        warnings.append(
            f"{label} has more than {MAX_TRAFILATURA_BLOCKS:,} paragraphs, far more than an "
            "article; every paragraph of its main content was kept (boilerplate was only "
            "removed by element type)")
    else:
        # trafilatura (2.3 and later) prunes a copy of the tree it is given, not the tree itself:
        # the page's scripts and metadata stay here for the steps below.
        document = _run_trafilatura(tree, url)
        blocks = _blocks_from_body(document.body) if document is not None else []
    blocks, dropped = _drop_navigation_edges(blocks)
    blocks, headline = drop_headline(blocks, _page_titles(document, tree),
                                     getattr(document, "description", None))
    blocks, boilerplate = drop_boilerplate(blocks)
    boilerplate = headline + boilerplate
    structured = structured_data(tree)
    source = "markup"
    body_text = structured.get("articleBody")
    if isinstance(body_text, str) and _prefer_structured(blocks, body_text):
        embedded = embedded_article_blocks(tree, body_text, _collapse)
        blocks = [_Block(b.kind, b.text, 0, list(b.inner)) for b in embedded or []]
        blocks = blocks or _blocks_from_structured(body_text)
        dropped = []
        source = "json-ld articleBody"
        warnings.append(
            "The page's markup does not contain the article (it is drawn by script); "
            "the text comes from the article body the page declares in its structured data"
            + (", laid out as in the page's script data." if embedded else ".")
        )
    text, structure = _assemble(blocks)
    if not text.strip():
        raise ImportRefused(
            f"{label}: no article text found (the page holds only navigation or boilerplate); "
            "save the article page itself, or import it as PDF"
        )

    meta = _metadata(document, tree, structured, url)
    metadata: dict[str, object] = {
        "encoding": encoding,
        "encoding_source": encoding_source,
        "text_source": source,
    }
    if replaced:
        metadata["invalid_bytes_replaced"] = replaced
    if large:
        metadata["text_source"] = "markup (large page, linear reader)"
    for key in ("description", "hostname", "language", "categories", "tags", "license", "image"):
        value = getattr(document, key, None) if document is not None else None
        if value:
            metadata[key] = value
    if "language" not in metadata and (language := _declared_language(tree, structured)):
        metadata["language"] = language  # a team dossier's search stems words in it
    if url:
        metadata["source_url"] = url
    if dropped:
        metadata["dropped_navigation"] = dropped
    if boilerplate and source == "markup":
        metadata["dropped_boilerplate"] = boilerplate
    return ExtractedDocument(
        kind="html",
        text=text,
        title=meta["title"] or (PurePath(name).stem if name else "") or url or "Untitled page",
        author=meta["author"],
        published=meta["published"],
        site_name=meta["site_name"],
        url=meta["url"],
        structure=structure,
        extractor=extractor_description(),
        metadata=metadata,
        warnings=warnings,
    )


def _page_titles(document: Any, tree: lxml_html.HtmlElement) -> Iterator[str | None]:
    """The page's title as trafilatura, ``<title>`` and the first ``<h1>`` give it, looked up
    one after the other (finding the ``<h1>`` walks the page)."""
    yield getattr(document, "title", None)
    title_el = tree.find("head/title")
    yield title_el.text_content() if title_el is not None else None
    h1 = tree.find(".//h1")
    yield h1.text_content() if h1 is not None else None


def _parser() -> lxml_html.HTMLParser:
    """A parser that leaves comments and processing instructions out of the tree.

    trafilatura drops the text that follows a comment inside a paragraph, and pages rendered by
    React put ``<!-- -->`` between runs of text, so sentences went missing. One per call: lxml
    parsers are not to be shared between threads.
    """
    return lxml_html.HTMLParser(remove_comments=True, remove_pis=True)


def _declared_language(tree: lxml_html.HtmlElement, structured: dict[str, Any]) -> str | None:
    """The language the page declares: ``<html lang>``, Content-Language, or JSON-LD
    ``inLanguage`` (a tag such as ``en-GB``), if any."""
    found = [tree.get("lang"), tree.get("{http://www.w3.org/XML/1998/namespace}lang"),
             *tree.xpath("//meta[translate(@http-equiv, 'CONTENT-LANGUAGE', "
                         "'content-language')='content-language']/@content"),
             structured.get("inLanguage")]
    for value in found:
        if isinstance(value, str) and value.strip() and len(value.strip()) <= 35:
            return value.strip()
    return None


def extractor_description() -> str:
    """The importer, library versions and settings: the same page always yields the same text."""
    settings = {
        **EXTRACTION_SETTINGS,
        "date": DATE_SETTINGS,
        "edge_navigation": [EDGE_MAX_CHARS, EDGE_MIN_LINK_SHARE],
        "structured_body_min_share": STRUCTURED_BODY_MIN_SHARE,
        "embedded_tree_min_word_share": MIN_WORD_SHARE,
        "boilerplate": boilerplate_settings(),
    }
    return (
        f"dossier.html/{HTML_IMPORTER_VERSION} trafilatura/{trafilatura.__version__} "
        + json.dumps(settings, sort_keys=True, separators=(",", ":"))
    )


# --- extraction -------------------------------------------------------------------------------


def _run_trafilatura(tree: lxml_html.HtmlElement, url: str | None) -> Any:
    try:
        return trafilatura.bare_extraction(
            tree, url=url, date_extraction_params=dict(DATE_SETTINGS), **EXTRACTION_SETTINGS
        )
    except Exception as exc:  # a library bug on one page must not crash the import
        _LOG.warning("trafilatura failed on %s: %s", url, exc)
        return None


def _blocks_from_body(body: etree._Element | None) -> list[_Block]:
    """Turn trafilatura's XML body (p, head, list/item, quote, table/row/cell, code) into blocks."""
    blocks: list[_Block] = []
    if body is None:
        return blocks
    _add_loose_text(blocks, body.text)
    for child in body:
        _add_element(blocks, child)
        _add_loose_text(blocks, child.tail)
    return [b for b in blocks if b.text]


def _add_loose_text(blocks: list[_Block], text: str | None) -> None:
    if text and text.strip():
        blocks.append(_Block("paragraph", _collapse(text)))


def _add_element(blocks: list[_Block], el: etree._Element) -> None:
    tag = el.tag if isinstance(el.tag, str) else ""
    if tag == "head":
        blocks.append(_Block("heading", *_inline(el)))
    elif tag == "list":
        blocks.append(_list_block(el))
    elif tag == "table":
        blocks.append(_table_block(el))
    elif tag == "code":
        code = normalise("".join(el.itertext())).strip("\n")
        blocks.append(_Block("paragraph", code))
    elif tag == "quote":
        inner: list[_Block] = []
        _add_container(inner, el)
        parts = [b for b in inner if b.text]
        if parts:
            text, _ = _assemble(parts)
            blocks.append(_Block("quote", text, sum(b.link_chars for b in parts)))
    elif tag == "graphic" or not tag:
        return
    elif any(isinstance(c.tag, str) and c.tag in _BLOCK_TAGS for c in el):
        _add_container(blocks, el)
    else:
        blocks.append(_Block("paragraph", *_inline(el)))


def _add_container(blocks: list[_Block], el: etree._Element) -> None:
    """An element mixing inline runs and blocks: each run of inline content is a paragraph."""
    run = etree.Element("p")
    run.text = el.text

    def flush() -> None:
        nonlocal run
        text, links = _inline(run)
        if text:
            blocks.append(_Block("paragraph", text, links))
        run = etree.Element("p")

    for child in el:
        if isinstance(child.tag, str) and child.tag in _BLOCK_TAGS:
            flush()
            _add_element(blocks, child)
            # trafilatura strips the space at the end of text that follows a block: without one
            # added back, the text ran into a link after it ("(@union)November 20")
            run.text = f"{child.tail} " if child.tail else None
        else:
            run.append(copy.deepcopy(child))
    flush()


def _list_block(el: etree._Element) -> _Block:
    lines: list[str] = []
    inner: list[tuple[str, int, int]] = []
    links = 0
    pos = 0

    def add_line(text: str, kind: str | None) -> None:
        nonlocal pos
        if not text:
            return
        if lines:
            pos += 1
        lines.append(text)
        if kind:
            inner.append((kind, pos, pos + len(text)))
        pos += len(text)

    for item in el:
        if not isinstance(item.tag, str) or item.tag != "item":
            text, n = _inline(item)
            links += n
            add_line(text, None)
            continue
        sublists = [c for c in item if c.tag == "list"]
        text, n = _inline(item, skip=frozenset({"list"}))
        links += n
        add_line(text, "list-item")
        for sub in sublists:
            nested = _list_block(sub)
            links += nested.link_chars
            offset = pos + (1 if lines else 0)
            if nested.text:
                add_line(nested.text, None)
                inner.extend((k, offset + s, offset + e) for k, s, e in nested.inner)
    return _Block("list", "\n".join(lines), links, inner)


def _table_block(el: etree._Element) -> _Block:
    rows: list[str] = []
    links = 0
    for row in el.iterchildren("row"):
        cells = []
        for cell in row.iterchildren("cell"):
            text, n = _inline(cell)
            links += n
            cells.append(text.replace("\n", " "))
        if any(cells):
            rows.append(" | ".join(cells))
    return _Block("paragraph", "\n".join(rows), links)


def _inline(el: etree._Element, skip: frozenset[str] = frozenset()) -> tuple[str, int]:
    """The visible text of ``el`` (white space collapsed, ``<lb/>`` kept) and its link length."""
    parts: list[str] = []
    link_parts: list[str] = []

    def add(text: str | None, in_link: bool) -> None:
        if text:
            text = _CONTROLS.sub("", text)
            parts.append(text)
            if in_link:
                link_parts.append(text)

    def walk(node: etree._Element, in_link: bool) -> None:
        add(node.text, in_link)
        for child in node:
            tag = child.tag if isinstance(child.tag, str) else ""
            if tag == "lb":
                parts.append(_LINE_BREAK)
            elif tag and tag not in skip and tag != "graphic":
                # paragraphs flattened into an item or a cell must not run together
                separator = " " if tag in _BLOCK_TAGS else ""
                parts.append(separator)
                walk(child, in_link or tag == "ref")
                parts.append(separator)
            add(child.tail, in_link)

    walk(el, el.tag == "ref")
    return _collapse("".join(parts)), len(_collapse("".join(link_parts)))


def _collapse(text: str) -> str:
    """What a reader sees: one space for any run of white space, invisible characters removed."""
    text = _INVISIBLE.sub("", normalise(text))
    text = _SPACES.sub(" ", text)
    text = re.sub(f" ?{_LINE_BREAK}+ ?", "\n", text)
    return text.strip(" \n")


def _drop_navigation_edges(blocks: list[_Block]) -> tuple[list[_Block], list[str]]:
    """Drop short, link-heavy paragraphs at the start and end of the article (calls to action)."""

    def navigation(block: _Block) -> bool:
        # Headings are kept: a linked headline is usually the article's own title.
        size = len(block.text)
        return (
            block.kind == "paragraph"
            and 0 < size <= EDGE_MAX_CHARS
            and block.link_chars >= EDGE_MIN_LINK_SHARE * size
        )

    dropped: list[str] = []
    start, end = 0, len(blocks)
    while start < end and navigation(blocks[start]):
        dropped.append(blocks[start].text)
        start += 1
    while end > start and navigation(blocks[end - 1]):
        dropped.append(blocks[end - 1].text)
        end -= 1
    return blocks[start:end], dropped


def _prefer_structured(blocks: list[_Block], body_text: str) -> bool:
    """True when the markup holds little of the declared article body, or only a flat copy of it.

    trafilatura's own last resort returns ``articleBody`` as one run of text; building it here
    keeps its paragraphs and says where the text came from.
    """
    declared = _collapse(body_text).replace("\n", " ")
    found = " ".join(b.text for b in blocks).replace("\n", " ")
    return bool(declared) and (
        len(found) < STRUCTURED_BODY_MIN_SHARE * len(declared) or found == declared
    )


def _blocks_from_structured(body: str) -> list[_Block]:
    """Paragraphs of a JSON-LD ``articleBody``: plain text, or HTML as some sites put there."""
    if _HTML_FRAGMENT.search(body):
        fragment = lxml_html.fragment_fromstring(body, create_parent="div")
        for el in fragment.iter():
            if el.tag == "br":
                el.tail = "\n" + (el.tail or "")
            elif el.tag in _HTML_BLOCKS:
                el.tail = "\n\n" + (el.tail or "")
        body = fragment.text_content()
    paragraphs = re.split(r"\n[ \t\r]*\n", normalise(body))
    if len(paragraphs) == 1:
        paragraphs = paragraphs[0].split("\n")
    return [_Block("paragraph", t) for t in map(_collapse, paragraphs) if t]


def _assemble(blocks: list[_Block]) -> tuple[str, list[tuple[str, int, int]]]:
    """Join blocks with blank lines; lists contribute their items' ranges, others their own."""
    parts: list[str] = []
    structure: list[tuple[str, int, int]] = []
    pos = 0
    for block in blocks:
        if not block.text:
            continue
        if parts:
            parts.append("\n\n")
            pos += 2
        parts.append(block.text)
        if block.kind == "list":
            structure.extend((k, pos + s, pos + e) for k, s, e in block.inner)
        else:
            structure.append((block.kind, pos, pos + len(block.text)))
        pos += len(block.text)
    return "".join(parts), structure


# --- metadata ---------------------------------------------------------------------------------


def _metadata(
    document: Any, tree: lxml_html.HtmlElement, structured: dict[str, Any], url: str | None
) -> dict[str, str | None]:
    # The first content of each <meta property|name=...>, read in one pass over the page (a
    # query per name walked the whole tree each time).
    contents: dict[tuple[str, str], str] = {}
    for el in tree.iter("meta"):
        content = el.get("content")
        if content is not None:
            for attr in ("property", "name"):
                if (key := el.get(attr)) is not None:
                    contents.setdefault((attr, key), content)

    def meta(*names: str) -> str | None:
        for n in names:
            for attr in ("property", "name"):
                found = contents.get((attr, n))
                if found is not None and found.strip():
                    return _collapse(found)
        return None

    def first(*values: object) -> str | None:
        for value in values:
            if isinstance(value, str) and value.strip():
                return _collapse(value)
        return None

    title_el = tree.find(".//title")
    h1 = tree.find(".//h1")
    canonical = tree.xpath("//link[@rel='canonical']/@href")
    return {
        "title": first(
            getattr(document, "title", None),
            meta("og:title", "twitter:title"),
            title_el.text_content() if title_el is not None else None,
            h1.text_content() if h1 is not None else None,
            structured.get("headline"),
        ),
        "author": first(
            getattr(document, "author", None), json_ld_name(structured.get("author"))
        ),
        "published": first(
            getattr(document, "date", None),
            iso_date(structured.get("datePublished")),
            iso_date(meta("article:published_time")),
        ),
        "site_name": first(getattr(document, "sitename", None), meta("og:site_name")),
        "url": first(
            getattr(document, "url", None),
            str(canonical[0]) if canonical else None,
            meta("og:url"),
            url,
        ),
    }

"""The article as a script-drawn page embeds it: a JSON "HTML tree" inside a ``<script>``.

Many sites ship the article body to their page script as a tree of nodes such as
``{"type": "p", "attribs": {...}, "children": [{"type": "text", "data": "..."}]}``. When the
static markup holds no article and the text falls back to the JSON-LD ``articleBody``, that
tree (if the page has one whose words match the declared body) gives the article's blocks
back: paragraphs, headings, list items and quotes in their order, without the related-story
teasers a site places inline (a heading or paragraph that is nothing but one link elsewhere).

The work is bounded: at most :data:`MAX_SCRIPT_CHARS` of script text is parsed, and every walk
over the JSON is iterative, so deep nesting cannot exhaust the stack.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lxml import html as lxml_html

#: At most this many characters of script text (all scripts together) are parsed as JSON.
MAX_SCRIPT_CHARS = 4_000_000
#: A node tree is the article's when it holds at least this share of the declared body's words
#: and at least this share of its own words are in the declared body.
MIN_WORD_SHARE = 0.8
#: At most this many JSON values are visited while looking for node trees.
MAX_JSON_VALUES = 2_000_000

_WORDS = re.compile(r"\w+")
_SCRIPT_TYPES = frozenset({"", "text/javascript", "application/javascript", "application/json"})
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_LEAF_BLOCKS = _HEADINGS | {"p", "pre", "caption"}
_LISTS = frozenset({"ul", "ol", "dl"})
_ITEMS = frozenset({"li", "dt", "dd"})
_QUOTES = frozenset({"blockquote"})
_CONTAINERS = frozenset({"div", "section", "article", "main", "aside", "header", "footer"})
_BLOCK_KINDS = _LEAF_BLOCKS | _LISTS | _ITEMS | _QUOTES | _CONTAINERS
#: Placed on the walk's stack after a container's children: what was gathered inline ends there.
_CONTAINER_END: dict[str, Any] = {"type": "#end"}
#: Nodes whose content is not article text a reader sees as such.
_SKIPPED = frozenset(
    {
        "img", "picture", "iframe", "video", "audio", "source", "script", "style", "noscript",
        "svg", "button", "form", "input", "select", "textarea", "figure", "figcaption", "head",
        "meta", "link", "template",
    }
)


@dataclass(frozen=True)
class EmbeddedBlock:
    """One block rebuilt from an embedded tree, in the caller's canonical white space.

    ``kind`` is ``"paragraph"``, ``"heading"``, ``"quote"`` or ``"list"``. A line break in the
    tree (``br``) is a ``"\\n"`` in ``text``; a list's items are its lines and ``inner`` holds
    their ``("list-item", start, end)`` ranges within ``text``.
    """

    kind: str
    text: str
    inner: tuple[tuple[str, int, int], ...] = ()


def embedded_article_blocks(
    tree: lxml_html.HtmlElement, article_body: str, collapse: Callable[[str], str]
) -> list[EmbeddedBlock] | None:
    """The blocks of the embedded node tree whose words best match ``article_body``, if any.

    ``collapse`` turns a raw run of text into what a reader sees (one space for white space).
    ``None`` when no script holds such a tree (or none matches well enough); the caller then
    keeps its plain-text fallback.
    """
    declared = Counter(_words(article_body))
    if not declared:
        return None
    best: list[Any] | None = None
    best_score = 0.0
    for nodes in _node_lists(_script_values(tree)):
        found = Counter(_words(" ".join(_tree_text(nodes))))
        if not found:
            continue
        shared = sum((declared & found).values())
        score = min(shared / sum(declared.values()), shared / sum(found.values()))
        if score >= MIN_WORD_SHARE and score > best_score:
            best, best_score = nodes, score
    if best is None:
        return None
    blocks: list[EmbeddedBlock] = []
    for kind, raw_lines in _blocks(best):
        lines = [line for line in map(collapse, raw_lines) if line]
        inner: list[tuple[str, int, int]] = []
        start = 0
        for line in lines:
            inner.append(("list-item", start, start + len(line)))
            start += len(line) + 1
        if lines:
            blocks.append(EmbeddedBlock(kind, "\n".join(lines), tuple(inner * (kind == "list"))))
    return blocks or None


# --- finding the tree -------------------------------------------------------------------------


def _words(text: str) -> list[str]:
    return _WORDS.findall(text.casefold())


def _script_values(tree: lxml_html.HtmlElement) -> list[Any]:
    """The JSON values inline scripts hold: a whole JSON script, or ``name = {...}`` in code."""
    values: list[Any] = []
    budget = MAX_SCRIPT_CHARS
    for script in tree.iter("script"):
        kind = (script.get("type") or "").strip().lower()
        text = script.text or ""
        if script.get("src") or kind not in _SCRIPT_TYPES or not text.strip():
            continue
        if len(text) > budget:
            continue  # too much to parse; a smaller script may still hold the tree
        budget -= len(text)
        value = _json_in(text)
        if value is not None:
            values.append(value)
    return values


def _json_in(text: str) -> Any:
    """The first JSON object or array in ``text`` (after an assignment, if the text is code)."""
    decoder = json.JSONDecoder()
    starts = [m.start() for m in re.finditer(r"[{\[]", text[:2000])][:3]
    for start in starts:
        try:
            value, _ = decoder.raw_decode(text, start)
        except (ValueError, RecursionError):
            continue
        if isinstance(value, (dict, list)):
            return value
    return None


def _is_node(value: Any) -> bool:
    return isinstance(value, dict) and isinstance(value.get("type"), str)


def _node_lists(values: list[Any]) -> list[list[Any]]:
    """Lists of tree nodes (dicts with a ``type``, some with ``children``), outermost only."""
    found: list[list[Any]] = []
    stack = list(values)
    visited = 0
    while stack and visited < MAX_JSON_VALUES:
        value = stack.pop()
        visited += 1
        if isinstance(value, list):
            if value and all(map(_is_node, value)) and any(
                isinstance(v.get("children"), list) for v in value
            ):
                found.append(value)
            else:
                stack.extend(value)
        elif isinstance(value, dict):
            stack.extend(value.values())
    return found


def _tree_text(nodes: list[Any]) -> list[str]:
    """Every text datum of the tree, in document order."""
    texts: list[str] = []
    stack: list[Any] = list(reversed(nodes))
    while stack:
        node = stack.pop()
        if not _is_node(node):
            continue
        data = node.get("data")
        if node["type"] == "text" and isinstance(data, str):
            texts.append(data)
        children = node.get("children")
        if isinstance(children, list):
            stack.extend(reversed(children))
    return texts


# --- rebuilding the blocks --------------------------------------------------------------------


class _Run:
    """Inline content being gathered: its text segments and how much of it is link text."""

    def __init__(self) -> None:
        self.lines: list[str] = [""]
        self.links: list[str] = []  # the text of each link (href to elsewhere), one per link
        self.outside_links = ""  # text that is in no link

    def add(self, text: str, link: int | None) -> None:
        self.lines[-1] += text
        if link is None:
            self.outside_links += text
        else:
            while len(self.links) <= link:
                self.links.append("")
            self.links[link] += text

    def text(self) -> str:
        return "".join(self.lines)

    def is_teaser(self) -> bool:
        """All its visible text is one link to another page."""
        linked = [t for t in self.links if t.strip()]
        return len(linked) == 1 and not self.outside_links.strip()


def _inline(node: dict[str, Any]) -> _Run:
    """The inline text of a node (line breaks split it; skipped nodes contribute nothing)."""
    run = _Run()
    links = 0
    stack: list[tuple[Any, int | None]] = [(node, None)]
    while stack:
        current, link = stack.pop()
        if not _is_node(current):
            continue
        kind = current["type"].lower()
        if kind == "text":
            data = current.get("data")
            if isinstance(data, str):
                run.add(data, link)
            continue
        if kind == "br":
            run.lines.append("")
            continue
        if kind in _SKIPPED:
            continue
        if kind == "a" and link is None and _links_elsewhere(current):
            link = links
            links += 1
        children = current.get("children")
        if not isinstance(children, list):
            continue
        if current is not node and kind in _BLOCK_KINDS:
            # paragraphs flattened into an item or a quote must not run together
            run.add(" ", None)
            stack.append(({"type": "text", "data": " "}, None))
        stack.extend((child, link) for child in reversed(children))
    return run


def _links_elsewhere(node: dict[str, Any]) -> bool:
    attribs = node.get("attribs")
    href = attribs.get("href") if isinstance(attribs, dict) else None
    return isinstance(href, str) and bool(href.strip()) and not href.strip().startswith("#")


def _blocks(nodes: list[Any]) -> list[tuple[str, list[str]]]:
    """Paragraphs, headings, lists and quotes of the tree (kind, raw lines), teasers dropped."""
    blocks: list[tuple[str, list[str]]] = []
    stack: list[Any] = list(reversed(nodes))
    loose: list[dict[str, Any]] = []  # inline nodes between blocks form a paragraph

    def flush_loose() -> None:
        if loose:
            run = _inline({"type": "span", "children": list(loose)})
            loose.clear()
            _add_run(blocks, "paragraph", run)

    while stack:
        node = stack.pop()
        if node is _CONTAINER_END:
            flush_loose()
            continue
        if not _is_node(node):
            continue
        kind = node["type"].lower()
        children = node.get("children")
        children = children if isinstance(children, list) else []
        if kind in _SKIPPED:
            continue
        if kind in _HEADINGS or kind in _LEAF_BLOCKS:
            flush_loose()
            _add_run(blocks, "heading" if kind in _HEADINGS else "paragraph", _inline(node))
        elif kind in _LISTS:
            flush_loose()
            items = [" ".join(_inline(c).lines) for c in children if _is_node(c)]
            items = [i for i in items if i.strip()]
            if items:
                blocks.append(("list", items))
        elif kind in _QUOTES:
            flush_loose()
            _add_run(blocks, "quote", _inline(node))
        elif kind in _ITEMS:
            flush_loose()
            _add_run(blocks, "paragraph", _inline(node))
        elif kind in {"text", "a", "br"} or not _has_block_child(children):
            loose.append(node)
        else:  # a container (div, section, ...): its children in place of it
            flush_loose()
            stack.append(_CONTAINER_END)
            stack.extend(reversed(children))
    flush_loose()
    return blocks


def _has_block_child(children: list[Any]) -> bool:
    return any(_is_node(c) and c["type"].lower() in _BLOCK_KINDS for c in children)


def _add_run(blocks: list[tuple[str, list[str]]], kind: str, run: _Run) -> None:
    if run.text().strip() and not run.is_teaser():
        blocks.append((kind, run.lines))

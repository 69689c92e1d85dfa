"""Markdown inline markup shown as text: links, images, emphasis and code spans.

Saved articles are often Markdown (``[the ministry](https://…)``, ``**denied**``). Their
canonical text keeps the words a reader sees and drops the markup around them, so views, quotes,
lists and exports all show "the ministry", and offsets count that text. Each link's target is
kept (with where its words are in the canonical text) for the document's metadata. Block markup
(``#`` headings, ``>`` quotes, list bullets) stays: the structure ranges are read from it.
Emphasis may run over lines of one paragraph. Fenced code blocks are left exactly as
written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_FENCE = re.compile(r"^ {0,3}(```|~~~)", re.MULTILINE)
_INLINE = re.compile(
    r"(?P<image>!\[(?P<alt>[^\]\n]*)\]\((?P<src>[^)\s]*)(?:\s+\"[^\"\n]*\")?\))"
    r"|(?P<link>\[(?P<words>[^\]\n]+)\]\((?P<url>[^)\s]*)(?:\s+\"[^\"\n]*\")?\))"
    r"|(?P<code>`(?P<code_text>[^`\n]+)`)"
    r"|(?P<strong>(?P<s_mark>\*\*|__)(?P<s_text>\S(?:(?:[^\n]|\n(?!\n))*?\S)?)(?P=s_mark))"
    r"|(?P<em>(?<![\w*])\*(?P<e_text>[^\s*](?:(?:[^*\n]|\n(?!\n))*?[^\s*])?)\*(?![\w*])"
    r"|(?<![\w_])_(?P<u_text>[^\s_](?:(?:[^_\n]|\n(?!\n))*?[^\s_])?)_(?![\w_]))"
)


@dataclass(frozen=True)
class Link:
    """A link's words ``[start, end)`` in the canonical text and where it pointed."""

    start: int
    end: int
    url: str

    def to_json(self) -> dict[str, object]:
        """The metadata shape: ``{"start", "end", "url"}``."""
        return {"start": self.start, "end": self.end, "url": self.url}


def _fenced_ranges(text: str) -> list[tuple[int, int]]:
    marks = [m.start() for m in _FENCE.finditer(text)]
    ranges = []
    for i in range(0, len(marks) - 1, 2):
        end = text.find("\n", marks[i + 1])
        ranges.append((marks[i], len(text) if end < 0 else end))
    if len(marks) % 2:
        ranges.append((marks[-1], len(text)))
    return ranges


class _Output:
    """The canonical text being built, with its length kept (links record offsets)."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.links: list[Link] = []

    def add(self, text: str) -> None:
        self.parts.append(text)
        self.length += len(text)


def render_inline(text: str) -> tuple[str, list[Link]]:
    """``text`` with inline Markdown replaced by the words it shows, and the links it had."""
    out = _Output()
    pos = 0
    for start, end in [*_fenced_ranges(text), (len(text), len(text))]:
        _render_span(text[pos:start], out)
        out.add(text[start:end])
        pos = end
    return "".join(out.parts), out.links


def _render_span(span: str, out: _Output) -> None:
    pos = 0
    for match in _INLINE.finditer(span):
        out.add(span[pos:match.start()])
        pos = match.end()
        if match.group("image") is not None:
            out.add(match.group("alt"))
        elif match.group("link") is not None:
            begin = out.length
            _render_span(match.group("words"), out)
            out.links.append(Link(begin, out.length, match.group("url")))
        elif match.group("code") is not None:
            out.add(match.group("code_text"))
        else:
            inner = match.group("s_text") or match.group("e_text") or match.group("u_text")
            _render_span(inner or "", out)
    out.add(span[pos:])

"""The headline and standfirst at the top of an extracted article body.

trafilatura often starts the body with the page's headline, and on some sites with the standfirst
(the summary set under the headline, usually the page's description). Both are kept as the
document's title and description; in the body they are a second copy above the story. The first
block is dropped when it is a heading that repeats the page's title (as ``<title>``, trafilatura's
title or the first ``<h1>`` give it, a site name around it allowed); the block after it when it is
a heading that repeats the page's description. A paragraph is never taken for either: sites whose
description is the story's first paragraph keep it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Protocol, TypeVar

#: A heading shorter than this (in word characters) is too short to say it repeats a title.
MIN_TITLE_CHARS = 12
#: The standfirst matches the description when their first characters agree this far.
DESCRIPTION_PREFIX_CHARS = 60

_NON_WORD = re.compile(r"[\W_]+")


class TextBlock(Protocol):
    """What the rule reads of a block of the extracted body."""

    kind: str
    text: str


B = TypeVar("B", bound=TextBlock)


def drop_headline(
    blocks: Sequence[B], titles: Iterable[str | None], description: str | None
) -> tuple[list[B], list[str]]:
    """Blocks without a leading headline (and standfirst) that repeat the page's title, and the
    texts dropped."""
    if len(blocks) < 2 or blocks[0].kind != "heading":
        return list(blocks), []
    heading = _key(blocks[0].text)
    # ``titles`` may be lazy: the later ones are only looked up when the first do not match
    if len(heading) < MIN_TITLE_CHARS or not any(heading in _key(t) for t in titles if t):
        return list(blocks), []
    dropped = 1
    if len(blocks) > 2 and blocks[1].kind == "heading" and description:
        standfirst, summary = _key(blocks[1].text), _key(description)
        size = min(DESCRIPTION_PREFIX_CHARS, len(standfirst), len(summary))
        if size >= MIN_TITLE_CHARS and standfirst[:size] == summary[:size]:
            dropped = 2
    return list(blocks[dropped:]), [b.text for b in blocks[:dropped]]


def _key(text: str) -> str:
    """Letters and digits only, lower case: quotes, dashes and spacing differ between copies."""
    return _NON_WORD.sub("", text).casefold()

"""A web page's schema.org article object (JSON-LD) and the metadata values read from it."""

from __future__ import annotations

import json
import re
from typing import Any

from lxml import html as lxml_html

_ARTICLE_TYPES = frozenset(
    {
        "article",
        "newsarticle",
        "reportagenewsarticle",
        "analysisnewsarticle",
        "opinionnewsarticle",
        "backgroundnewsarticle",
        "reviewnewsarticle",
        "blogposting",
        "socialmediaposting",
        "report",
        "scholarlyarticle",
        "techarticle",
        "liveblogposting",
    }
)


def structured_data(tree: lxml_html.HtmlElement) -> dict[str, Any]:
    """The page's schema.org Article object from JSON-LD, if it declares one."""
    for script in tree.iterfind(".//script[@type='application/ld+json']"):
        try:
            data = json.loads(script.text or "")
        except ValueError:
            continue
        for item in _json_ld_items(data):
            types = item.get("@type")
            names = [types] if isinstance(types, str) else types if isinstance(types, list) else []
            if any(isinstance(t, str) and t.lower() in _ARTICLE_TYPES for t in names):
                return item
    return {}


def _json_ld_items(data: Any) -> list[dict[str, Any]]:
    if isinstance(data, list):
        return [i for d in data for i in _json_ld_items(d)]
    if isinstance(data, dict):
        graph = data.get("@graph")
        return [data, *(_json_ld_items(graph) if graph else [])]
    return []


def json_ld_name(value: Any) -> str | None:
    """The name(s) of a JSON-LD author: a string, a Person/Organization, or a list of them."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        name = value.get("name")
        return name if isinstance(name, str) else None
    if isinstance(value, list):
        names = [n for n in map(json_ld_name, value) if n]
        return "; ".join(names) or None
    return None


def iso_date(value: object) -> str | None:
    """The ``YYYY-MM-DD`` a stated date-time starts with, if it does."""
    match = re.match(r"\d{4}-\d{2}-\d{2}", value) if isinstance(value, str) else None
    return match.group(0) if match else None

"""Hypothesis's own JSON: its export file and its API's search results.

The export (FORMATS.md §4) is ``{export_date, export_userid, client_version, annotations: [...]}``;
the API's search answer is ``{total, rows: [...]}``. Each element is an API annotation::

    {"id": "Kx3qPZ9zEe6", "created": "...+00:00", "updated": "...", "user": "acct:ana@hypothes.is",
     "uri": "https://example.org/story", "text": "the comment", "tags": ["money"],
     "group": "__world__", "references": [...], "user_info": {"display_name": "Ana"},
     "document": {"title": ["Story"]}, "target": [{"source": "https://...", "selector": [...]}]}

Each becomes an :class:`~app.exchange.incoming.IncomingAnnotation`: its id a UUID derived from
``https://hypothes.is/a/<id>`` (stable across imports), the comment its note, each tag a tag
(under ``Imported/`` unless the dossier has one of that name), the author the display name or
the account's user name. Its passage is placed by its quote (its positions count UTF-16 units
and serve as a hint only). Replies and page notes mark no passage: they raise
:class:`~app.exchange.jsonld.selectors.NotUsable` with the reason, so the import lists them.
"""

from __future__ import annotations

import re
from typing import Any

from app.errors import BadInput
from app.exchange.incoming import IncomingAnnotation, IncomingTagRef, id_from_iri, parse_stamp
from app.exchange.jsonld.selectors import Malformed, NotUsable, as_list, read_target

#: Keys of the array of annotations in Hypothesis's export and in its API's search answer.
ARRAY_KEYS = ("annotations", "rows")
_ACCT = re.compile(r"^acct:([^@]+)@(.+)$")


def is_hypothesis_header(header: Any) -> bool:
    """Whether a JSON file's top level is a Hypothesis export or search answer."""
    if not isinstance(header, dict) or "@context" in header or "type" in header:
        return False
    return any(k in header for k in ARRAY_KEYS) and (
        "export_date" in header or "client_version" in header or "total" in header
        or "export_userid" in header)


def looks_like_api_row(item: Any) -> bool:
    """Whether an element is a Hypothesis API annotation (no ``type``, a ``uri`` and ``user``)."""
    return isinstance(item, dict) and "type" not in item and "uri" in item and "user" in item


def _author(item: dict[str, Any]) -> str:
    info = item.get("user_info")
    name = info.get("display_name") if isinstance(info, dict) else None
    if isinstance(name, str) and name.strip():
        return " ".join(name.split())[:200]
    user = item.get("user")
    if isinstance(user, str):
        match = _ACCT.match(user.strip())
        return (match.group(1) if match else user.strip())[:200] or "unknown"
    return "unknown"


def _stamp(item: dict[str, Any], key: str) -> str | None:
    value = item.get(key)
    if not isinstance(value, str):
        return None
    try:
        return parse_stamp(value)
    except ValueError:
        return None


def annotation_iri(item: dict[str, Any]) -> str:
    """The annotation's public IRI (``https://hypothes.is/a/<id>``)."""
    links = item.get("links")
    html = links.get("html") if isinstance(links, dict) else None
    if isinstance(html, str) and html.startswith(("http://", "https://")):
        return html
    return f"https://hypothes.is/a/{item.get('id')}"


def document_title(item: dict[str, Any]) -> str:
    """The page title Hypothesis recorded, or ''."""
    doc = item.get("document")
    titles = as_list(doc.get("title")) if isinstance(doc, dict) else []
    return next((t.strip() for t in titles if isinstance(t, str) and t.strip()), "")


def hypothesis_annotation(item: Any, index: int, where: str) -> IncomingAnnotation:
    """One API annotation as an incoming annotation; NotUsable for replies and page notes."""
    if not isinstance(item, dict):
        raise BadInput(f"{where}: annotation {index + 1} is not a JSON object; nothing was "
                       "imported")
    raw_id = item.get("id")
    if not isinstance(raw_id, str) or not raw_id.strip():
        raise BadInput(f"{where}: annotation {index + 1} has no id; nothing was imported")
    ann = IncomingAnnotation(index=index, id=id_from_iri(annotation_iri(item)), document="",
                             position_is_hint=True)
    if as_list(item.get("references")):
        raise NotUsable("it is a reply in a discussion, not an annotation of a passage")
    try:
        facts = read_target(item)
    except Malformed as exc:
        raise BadInput(f"{where}: annotation {index + 1} ({raw_id[:40]}): {exc}; nothing was "
                       "imported") from exc
    source = facts.source or (item["uri"] if isinstance(item.get("uri"), str) else "")
    if not source:
        raise NotUsable("its target names no page")
    ann.document = source
    ann.exact, ann.prefix, ann.suffix = facts.exact, facts.prefix, facts.suffix
    ann.start, ann.end = facts.start, facts.end
    ann.page, ann.page_start, ann.page_end = facts.page, facts.page_start, facts.page_end
    if ann.exact is None:
        raise NotUsable("its target has no quote, and Hypothesis's positions alone do not "
                        "say which words it marks")
    ann.author = _author(item)
    ann.created = _stamp(item, "created")
    ann.modified = _stamp(item, "updated") or ann.created
    text = item.get("text")
    ann.note = text.strip() if isinstance(text, str) else ""
    tags = []
    for tag in as_list(item.get("tags")):
        if isinstance(tag, str) and tag.strip():
            tags.append(IncomingTagRef(None, " ".join(tag.replace("/", "-").split())[:200]))
    ann.tags = tuple(dict.fromkeys(tags))
    return ann

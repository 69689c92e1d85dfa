"""How many independent sources stand behind each flow's passages.

Uses the corroboration service (:mod:`app.services.sources`: documents whose texts largely
overlap, or versions of one document, count once). The documents of all flows are grouped in
one pass, then each flow counts the groups its documents fall in, so a graph of hundreds of flows
compares each pair of documents once.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from sqlalchemy.orm import Session

from app.services.sources import independent_sources


def source_groups(session: Session, document_ids: Collection[str]) -> dict[str, int]:
    """Document id -> number of the independent source it belongs to."""
    out: dict[str, int] = {}
    for n, group in enumerate(independent_sources(session, document_ids)):
        for doc in group:
            out[doc] = n
    return out


def count_sources(groups: Mapping[str, int], document_ids: Collection[str]) -> int:
    """The number of independent sources among these documents."""
    return len({groups.get(d, d) for d in document_ids if d})

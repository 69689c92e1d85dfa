"""An annotation set from elsewhere, as read from a file and before it touches a dossier.

Readers (:mod:`app.exchange.jsonld.write`, bundles, REFI-QDA via :func:`from_refi`) produce an
:class:`IncomingSet`; :mod:`app.services.sets.merge` matches it against a dossier and writes it.
Identifiers are Dossier's form: lowercase UUIDs without ``urn:uuid:``.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from app.clock import STAMP_FORMAT
from app.errors import BadInput
from app.regions import Region

if TYPE_CHECKING:
    from app.exchange.refi.model import RefiProject

_UUID = re.compile(r"^(?:urn:uuid:)?\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
                   r"[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?$")
#: Score given to a passage placed where the sender put it but not verified there.
FUZZY_SCORE = 0.5
#: Namespace for ids derived from annotation IRIs that are not UUIDs (stable across imports).
ID_NAMESPACE = uuid.UUID("1b0c6f2e-52d4-4d0a-9a57-0d55e4c1a2f3")


def uuid_of(value: str) -> str | None:
    """The lowercase UUID in ``urn:uuid:…``, ``{…}`` or bare form; None for anything else."""
    match = _UUID.match(value.strip())
    return match.group(1).lower() if match else None


def id_from_iri(value: str) -> str:
    """A Dossier id for an annotation IRI: its UUID, or a UUID derived from the IRI."""
    return uuid_of(value) or str(uuid.uuid5(ID_NAMESPACE, value.strip()))


def parse_stamp(value: str) -> str:
    """An xsd:dateTime as Dossier's UTC stamp (``2025-03-04T10:15:00.000000Z``); ValueError."""
    text = value.strip()
    if "T" not in text or len(text) > 64:
        raise ValueError("not a date-time")
    moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError("a time zone (Z) is missing")
    try:
        utc = moment.astimezone(UTC)
    except OverflowError:  # e.g. 0001-01-01T00:00:00+14:00 falls before year 1
        raise ValueError(f"out of range (years {MIN_YEAR}-{MAX_YEAR})") from None
    if not MIN_YEAR <= utc.year <= MAX_YEAR:
        raise ValueError(f"out of range (years {MIN_YEAR}-{MAX_YEAR})")
    return utc.strftime(STAMP_FORMAT)


#: Dates of annotations and reviews must fall in these years (UTC).
MIN_YEAR = 1900
MAX_YEAR = 9999


@dataclass(frozen=True, slots=True)
class IncomingTagRef:
    """A tag an incoming annotation carries: by stable id, by path, or both."""

    id: str | None
    path: str | None


@dataclass(frozen=True, slots=True)
class IncomingReview:
    """A review decision carried with an annotation."""

    id: str
    reviewer: str
    decision: str
    reason: str
    created: str


@dataclass(slots=True)
class IncomingAnnotation:
    """One annotation of a set; positions are checked against the local text when merging.

    ``start``/``end`` count over the whole document text; ``page`` with ``page_start``/
    ``page_end`` count within a 1-based page (a PDF FragmentSelector refined by a position).
    """

    index: int
    id: str
    document: str  # key into IncomingSet.documents
    start: int | None = None
    end: int | None = None
    exact: str | None = None
    prefix: str = ""
    suffix: str = ""
    page: int | None = None
    page_start: int | None = None
    page_end: int | None = None
    note: str = ""
    attribution: str = ""
    reliability: str | None = None
    credibility: int | None = None
    status: str = "draft"
    anchor: str | None = None
    anchor_score: float | None = None
    anchor_reason: str = ""  # why the sender's placement could not be verified
    range_quotes: tuple[str, str] | None = None  # W3C RangeSelector of two quotes
    #: True when the set's positions are only hints (other clients count differently, e.g.
    #: Hypothesis in UTF-16 units): a place found by the quote is then not held against it.
    position_is_hint: bool = False
    author: str = "unknown"
    author_guid: str | None = None
    created: str | None = None
    modified: str | None = None
    tags: tuple[IncomingTagRef, ...] = ()
    reviews: tuple[IncomingReview, ...] = ()
    #: A region annotation's rectangle (W3C Media Fragments ``xywh=`` on a PDF page fragment).
    region: Region | None = None
    conflict_of: str | None = None

    @property
    def label(self) -> str:
        """How messages name it: ``annotation 3 (urn:uuid:…)``."""
        return f"annotation {self.index + 1} (urn:uuid:{self.id})"


@dataclass
class IncomingDocument:
    """A document a set refers to; matched by SHA-256 of its original when the set gives one."""

    key: str
    sha256: str | None = None
    document_id: str | None = None
    source: str | None = None
    title: str = ""
    kind: str = ""
    filename: str = ""
    #: Reads the original's bytes when the set carries it (bundles, REFI packages).
    load: Callable[[], bytes] | None = None
    #: False when ``load`` gives a text representation, not the original (REFI text sources).
    carries_original: bool = True
    #: SHA-256 of the carried text in canonical form (no BOM, ``\n`` line ends, NFC).
    text_sha256: str | None = None
    #: The text's SHA-256 as the set records it (checked against the carried text).
    recorded_text_sha256: str | None = None

    @property
    def label(self) -> str:
        """How messages name it."""
        return self.title or self.filename or self.source or self.key


@dataclass
class IncomingTag:
    """A code of the set's codebook."""

    id: str
    name: str
    parent_id: str | None = None
    colour: str | None = None
    description: str = ""
    shortcut: str | None = None
    is_codable: bool = True
    position: int = 0


@dataclass
class IncomingSet:
    """Everything read from one set file."""

    name: str
    sha256: str
    kind: str  # "jsonld", "bundle" or "qdpx"
    documents: dict[str, IncomingDocument] = field(default_factory=dict)
    tags: list[IncomingTag] = field(default_factory=list)
    annotations: list[IncomingAnnotation] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    #: Annotations of the file that are not in ``annotations``, each with why:
    #: ``{"annotation": id or number, "reason": ...}``.
    skipped: list[dict[str, str]] = field(default_factory=list)

    def check_unique_ids(self) -> None:
        """Refuse a set that holds the same annotation id twice."""
        seen: dict[str, int] = {}
        for ann in self.annotations:
            if ann.id in seen:
                raise BadInput(f"{self.name}: annotation {ann.index + 1} has the same id as "
                               f"annotation {seen[ann.id] + 1} (urn:uuid:{ann.id}); the set is "
                               "inconsistent, nothing was imported")
            seen[ann.id] = ann.index


def from_refi(project: RefiProject, name: str, sha256: str) -> IncomingSet:
    """The neutral form of a REFI-QDA project read by :func:`app.exchange.refi.read_qdpx`.

    A source's identity is the original's hash recorded in its properties when there is one,
    else the hash of the file the package carries; its text's hash (canonical) is kept too, so a
    web page exported as its text, or a text rewritten with a BOM or CRLF, is still recognised.
    Each selection keeps the verdict of :mod:`app.exchange.refi.positions`: a passage whose
    placement cannot be verified arrives fuzzy, never exact.
    """
    out = IncomingSet(name=name, sha256=sha256, kind="qdpx", warnings=list(project.warnings))
    for doc in project.documents:
        data = doc.data
        out.documents[doc.guid] = IncomingDocument(
            key=doc.guid, sha256=doc.original_sha256 or (doc.sha256 if data else None),
            document_id=doc.guid.lower(), source=doc.url, title=doc.name, kind=doc.kind,
            filename=doc.name, load=(lambda d=data: d) if data else None,  # type: ignore[misc]
            carries_original=doc.carries_original, text_sha256=doc.text_sha256 if doc.text
            else None, recorded_text_sha256=doc.recorded_text_sha256,
        )
    for pos, code in enumerate(project.codes):
        out.tags.append(IncomingTag(
            id=code.guid.lower(), name=code.name,
            parent_id=code.parent.lower() if code.parent else None, colour=code.colour,
            description=code.description, is_codable=code.is_codable, position=pos,
        ))
    for skipped in project.skipped:
        out.skipped.append({"annotation": skipped.guid.lower(), "document": skipped.source,
                            "reason": skipped.reason})
    undated = 0
    for index, sel in enumerate(project.selections):
        try:
            created = parse_stamp(sel.created) if sel.created else None
        except ValueError:
            created = None
            undated += 1
        out.annotations.append(IncomingAnnotation(
            index=index, id=sel.guid.lower(), document=sel.source, start=sel.start, end=sel.end,
            exact=sel.sender_quote if sel.sender_quote is not None else sel.quote,
            note=sel.note, attribution=sel.attribution,
            reliability=sel.reliability, credibility=sel.credibility,
            status=sel.status or "draft", author=sel.creator or "unknown",
            created=created, modified=created,
            tags=tuple(IncomingTagRef(c.lower(), project.code_path(c)) for c in sel.codes),
            anchor=sel.anchor, anchor_score=1.0 if sel.anchor == "exact" else FUZZY_SCORE,
            anchor_reason=sel.anchor_reason,
        ))
    if undated:
        out.warnings.append(f"{undated} selection(s) had a creation time that is not ISO 8601 "
                            "UTC; the time of this import was used")
    return out

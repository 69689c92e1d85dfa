"""REFI-QDA exchange (QDA-XML 1.0): ``.qdpx`` projects and ``.qdc`` codebooks.

This module is the public face of the REFI-QDA support:

- :func:`read_qdpx` parses a ``.qdpx`` package into a neutral :class:`RefiProject` (documents,
  codes, selections, users) without touching any dossier; ``app.services.sets.merge`` writes it.
- :func:`export_qdpx` writes a dossier selection as a ``.qdpx`` package; :func:`export_qdc` writes
  the codebook alone.

Neutral set conventions (what :func:`read_qdpx` promises its callers):

- GUIDs are normalised: upper case, no braces.
- Every :class:`RefiSelection` has ``[start, end)`` in code points of its document's
  :attr:`RefiDocument.text`, which is already in Dossier's canonical form (NFC, ``\\n`` line ends,
  no BOM); ``quote == document.text[start:end]``.
- ``codes`` on a selection are code GUIDs that exist in :attr:`RefiProject.codes`; a code's
  ``parent`` is a code GUID or ``None``; codes come parents first.
- Dossier-specific fields that REFI has no place for (grades, review status, attribution) are read
  back from the selection's ``Description`` when Dossier wrote it; otherwise they stay empty and the
  whole ``Description`` becomes part of the note (MAXQDA memos).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.dossier import Dossier
    from app.exchange.filters import Selection


@dataclass(frozen=True)
class RefiDocument:
    """A source from a REFI project: its canonical text and, when packaged, its original bytes."""

    guid: str
    name: str
    kind: str  # "text" or "pdf"
    text: str  # canonical: NFC, "\n" line ends, no BOM
    sha256: str  # SHA-256 of ``data`` (the PDF, or the plain-text file as stored in the package)
    text_sha256: str  # SHA-256 of ``text`` encoded as UTF-8 (Dossier's Document.text_sha256)
    data: bytes = b""  # the original: PDF bytes, or the plain-text file's bytes
    url: str | None = None
    author: str | None = None
    original_sha256: str | None = None  # the original's hash recorded in the source's properties
    description: str = ""
    recorded_text_sha256: str | None = None  # the text's hash recorded in the properties
    carries_original: bool = False  # ``data`` is the original itself (a PDF), not a text of it


@dataclass(frozen=True)
class RefiCode:
    """A code of the codebook; ``is_codable`` False means a category (a parent only)."""

    guid: str
    name: str
    colour: str | None  # "#rrggbb" (lower case) or None
    parent: str | None  # parent code GUID
    is_codable: bool = True
    description: str = ""


@dataclass(frozen=True)
class RefiSelection:
    """A text selection with its codings, as an annotation-to-be."""

    guid: str
    source: str  # document GUID
    start: int
    end: int
    quote: str
    codes: tuple[str, ...]  # code GUIDs, in document order
    note: str = ""
    creator: str = ""  # user name ("" when unknown)
    created: str = ""  # ISO 8601 UTC ending in "Z", or ""
    reliability: str | None = None  # A-F, from a Dossier-written Description
    credibility: int | None = None  # 1-6
    status: str | None = None  # Dossier review status, when Dossier wrote it
    attribution: str = ""
    anchor: str = "exact"  # "exact" or "fuzzy": see app.exchange.refi.positions
    anchor_reason: str = ""
    sender_quote: str | None = None  # the text the sender named (PlainTextSelection@name)


@dataclass(frozen=True)
class RefiSkipped:
    """A selection that could not be read, and why."""

    guid: str
    source: str  # source name
    reason: str


@dataclass(frozen=True)
class RefiUser:
    """A user of the project."""

    guid: str
    name: str


@dataclass
class RefiProject:
    """Everything :func:`read_qdpx` understood, plus warnings about what it skipped."""

    name: str
    origin: str = ""
    documents: list[RefiDocument] = field(default_factory=list)
    codes: list[RefiCode] = field(default_factory=list)
    selections: list[RefiSelection] = field(default_factory=list)
    users: list[RefiUser] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    skipped: list[RefiSkipped] = field(default_factory=list)

    def code_path(self, guid: str) -> str:
        """The code's path in the tree, e.g. ``Abuses/Deception``."""
        by_guid = {c.guid: c for c in self.codes}
        parts: list[str] = []
        seen: set[str] = set()
        current = by_guid.get(guid)
        while current is not None and current.guid not in seen:
            seen.add(current.guid)
            parts.append(current.name)
            current = by_guid.get(current.parent) if current.parent else None
        return "/".join(reversed(parts))


def read_qdpx(path: Path | str) -> RefiProject:
    """Parse a ``.qdpx`` package; :class:`app.errors.BadInput` for anything unsafe or broken."""
    from app.exchange.refi.package import read_package

    return read_package(Path(path))


def export_qdpx(dossier: Dossier, selection: Selection, path: Path | str) -> list[str]:
    """Write ``selection`` as a REFI-QDA project package (``.qdpx``); return notes for the user."""
    from app.exchange.refi.write import write_qdpx

    return write_qdpx(dossier, selection, Path(path))


def export_qdc(dossier: Dossier, selection: Selection, path: Path | str) -> list[str]:
    """Write the codebook of ``selection`` as a standalone REFI-QDA codebook (``.qdc``)."""
    from app.exchange.refi.write import write_qdc

    return write_qdc(selection, Path(path))

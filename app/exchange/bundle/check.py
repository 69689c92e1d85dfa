"""The checks that make an evidence bundle unable to lie about its annotations.

Hashing the files against the manifest proves only that nothing changed *after* the manifest was
written; whoever re-hashes the manifest can change anything. These checks tie the parts to each
other and to the dossier's audit chain:

- **the chain**: ``audit.jsonl`` holds every event from the first to the head, in order, none
  skipped. Events about the bundle's own documents, annotations, tags and reviews are complete;
  the others are *withheld*: their sequence, action, object and hashes only, so that the chain's
  links can be followed from the genesis hash to the head without disclosing other work. The
  head recomputed this way must be the one the manifest names and, with ``--head``, one the
  verifier already holds (from an earlier report, an email or ``dossier verify``).
- **quotes against the originals**: each original is extracted again; every annotation's quote
  must be the text at its position (if the extraction differs from the annotated text, the
  quote must still occur, and the difference is reported).
- **quotes against the record**: the last audit record of each annotation (created, imported,
  edited, re-anchored) must give the quote and position that ``annotations.jsonld`` shows.

Every mismatch names the annotation, file or event.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from app import audit
from app.audit import GENESIS

#: Fields of a withheld event (its payload, time and actor are not disclosed).
STUB_FIELDS = ("seq", "action", "object_type", "object_id", "prev_hash", "hash")


def stub(event: dict[str, Any]) -> dict[str, Any]:
    """The withheld form of an audit event."""
    out = {k: event[k] for k in STUB_FIELDS}
    out["withheld"] = True
    return out


@dataclass
class ChainCheck:
    """What following the excerpt's chain found."""

    events: int = 0
    full: int = 0
    links: int = 0
    head_seq: int = 0
    head_hash: str = GENESIS
    hashes: dict[str, int] = field(default_factory=dict)  # hash -> seq, for --head
    problems: list[str] = field(default_factory=list)
    #: annotation id -> (seq, quote, start, end) of its last full record with a quote
    records: dict[str, tuple[int, str | None, int | None, int | None]] = field(
        default_factory=dict)
    withheld_objects: dict[tuple[str, str], int] = field(default_factory=dict)
    #: document id -> (seq, original SHA-256, text SHA-256) of its import event
    documents: dict[str, tuple[int, str, str]] = field(default_factory=dict)


def _record_of(event: dict[str, Any]) -> tuple[str | None, int | None, int | None] | None:
    """(quote, start, end) an annotation event records, or None when it records no place."""
    try:
        payload = json.loads(str(event["payload"]))
    except ValueError:
        return None
    if not isinstance(payload, dict):
        return None
    for part in (payload, payload.get("after"), payload.get("new")):
        if isinstance(part, dict) and "quote" in part:
            start, end = part.get("start"), part.get("end")
            return (part["quote"] if isinstance(part["quote"], str) else None,
                    start if isinstance(start, int) else None,
                    end if isinstance(end, int) else None)
    return None


def check_chain(events: Iterable[tuple[int, dict[str, Any]]], where: str) -> ChainCheck:
    """Follow the chain of ``(line number, event)`` pairs from the genesis hash."""
    out = ChainCheck()
    expected_seq, prev = 1, GENESIS
    for line_no, event in events:
        try:
            seq = int(event["seq"])
            prev_hash, digest = str(event["prev_hash"]), str(event["hash"])
        except (KeyError, TypeError, ValueError):
            out.problems.append(f"{where} line {line_no} is not an audit event")
            continue
        out.events += 1
        if seq != expected_seq:
            missing = f"{expected_seq}" if seq == expected_seq + 1 else \
                f"{expected_seq}-{seq - 1}"
            out.problems.append(
                f"audit event {missing} is missing from {where} (the excerpt jumps from event "
                f"{expected_seq - 1} to {seq}); the chain head cannot be recomputed"
                if seq > expected_seq else f"audit event {seq} is out of order in {where}")
        elif prev_hash != prev:
            out.problems.append(f"audit event {seq} ({event.get('action')}) does not link to "
                                f"event {seq - 1}: it names a different previous hash")
        else:
            out.links += 1
        if event.get("withheld") is True:
            out.withheld_objects[(str(event.get("object_type")), str(event.get("object_id")))] \
                = seq
        else:
            out.full += 1
            try:
                recomputed = audit.event_hash(
                    prev_hash, seq, str(event["at"]), str(event["actor"]), str(event["action"]),
                    str(event["object_type"]), str(event["object_id"]), str(event["payload"]),
                    None if event.get("state") is None else str(event["state"]))
            except KeyError as exc:
                out.problems.append(f"audit event {seq} lacks {exc.args[0]!r}")
                recomputed = ""
            if recomputed and recomputed != digest:
                out.problems.append(f"audit event {seq} ({event.get('action')} of "
                                    f"{event.get('object_type')} {event.get('object_id')}) was "
                                    "altered: its hash does not recompute")
            if event.get("object_type") == "document" and \
                    str(event.get("action")) == "document.import":
                try:
                    payload = json.loads(str(event["payload"]))
                except ValueError:
                    payload = {}
                if isinstance(payload, dict):
                    out.documents[str(event.get("object_id"))] = (
                        seq, str(payload.get("sha256") or ""),
                        str(payload.get("text_sha256") or ""))
            if event.get("object_type") == "annotation":
                record = _record_of(event)
                ann_id = str(event.get("object_id"))
                if str(event.get("action")) == "annotation.delete":
                    out.records[ann_id] = (seq, None, None, None)
                elif record is not None:
                    out.records[ann_id] = (seq, *record)
        out.hashes[digest] = seq
        expected_seq, prev = seq + 1, digest
        out.head_seq, out.head_hash = seq, digest
    return out


def check_head(chain: ChainCheck, manifest_head: dict[str, Any], held: str | None) -> list[str]:
    """Compare the recomputed head with the manifest's and with the one the verifier holds."""
    problems = []
    seq = manifest_head.get("seq")
    if isinstance(seq, int) and chain.head_seq < seq:
        missing = f"{seq}" if seq == chain.head_seq + 1 else f"{chain.head_seq + 1}-{seq}"
        problems.append(f"audit event {missing} is missing from the end of the excerpt (it ends "
                        f"at event {chain.head_seq}; the manifest names chain head {seq})")
    elif (chain.head_seq, chain.head_hash) != (manifest_head.get("seq"),
                                               manifest_head.get("hash")):
        problems.append(f"the audit excerpt ends at event {chain.head_seq} "
                        f"({chain.head_hash[:16]}…) but the manifest names chain head "
                        f"{manifest_head.get('seq')} ({str(manifest_head.get('hash'))[:16]}…)")
    if held is not None:
        wanted = held.strip().lower()
        if wanted not in chain.hashes:
            problems.append(f"the chain head you hold ({wanted[:16]}…) is not in this bundle's "
                            f"audit chain (which ends at event {chain.head_seq}, "
                            f"{chain.head_hash[:16]}…): the bundle does not come from that "
                            "dossier, or from a later state of it than yours")
    return problems


@dataclass(frozen=True)
class AnnotationClaim:
    """What ``annotations.jsonld`` says about one annotation."""

    id: str  # lowercase UUID
    document_sha: str
    exact: str
    start: int | None
    end: int | None


def claims_from_items(items: Iterable[Any]) -> list[AnnotationClaim]:
    """The quote and position each item of Dossier's own JSON-LD gives."""
    out = []
    for item in items:
        if not isinstance(item, dict):
            continue
        raw_target = item.get("target")
        target: dict[str, Any] = raw_target if isinstance(raw_target, dict) else {}
        exact, start, end = "", None, None
        for sel in target.get("selector") or []:
            if not isinstance(sel, dict):
                continue
            if sel.get("type") == "TextQuoteSelector" and not exact:
                exact = str(sel.get("exact") or "")
            elif sel.get("type") == "TextPositionSelector" and start is None:
                start, end = sel.get("start"), sel.get("end")
        ann_id = str(item.get("id") or "").removeprefix("urn:uuid:").lower()
        out.append(AnnotationClaim(ann_id, str(target.get("dossier:sha256") or ""), exact,
                                   start if isinstance(start, int) else None,
                                   end if isinstance(end, int) else None))
    return out


def check_records(claims: list[AnnotationClaim], chain: ChainCheck) -> list[str]:
    """Each annotation's quote and place against its last audit record in the excerpt."""
    problems = []
    for claim in claims:
        withheld = chain.withheld_objects.get(("annotation", claim.id))
        if withheld is not None:
            problems.append(f"annotation urn:uuid:{claim.id}: audit event {withheld} about it is "
                            "withheld in the excerpt, so its record cannot be compared")
            continue
        record = chain.records.get(claim.id)
        if record is None:
            problems.append(f"annotation urn:uuid:{claim.id}: the audit excerpt holds no record "
                            "of it (created, imported or edited)")
            continue
        seq, quote, start, end = record
        if quote is None and start is None:
            problems.append(f"annotation urn:uuid:{claim.id}: audit event {seq} records it as "
                            "deleted")
        elif quote != claim.exact:
            problems.append(f"annotation urn:uuid:{claim.id}: its quote in annotations.jsonld "
                            f"({_short(claim.exact)}) is not the quote audit event {seq} "
                            f"records ({_short(quote or '')})")
        elif start is not None and (start, end) != (claim.start, claim.end):
            problems.append(f"annotation urn:uuid:{claim.id}: its position {claim.start}-"
                            f"{claim.end} is not the one audit event {seq} records ({start}-"
                            f"{end})")
    return problems


def check_documents(documents: list[dict[str, Any]], chain: ChainCheck) -> list[str]:
    """Each document's original and text hash in ``annotations.jsonld`` against its import
    record: a swapped original (with the manifest and the file name re-hashed) shows here."""
    problems = []
    for entry in documents:
        doc_id = str(entry.get("id") or "").removeprefix("urn:uuid:").lower()
        title = str(entry.get("dossier:title") or doc_id)
        record = chain.documents.get(doc_id)
        withheld = chain.withheld_objects.get(("document", doc_id))
        if record is None:
            problems.append(f"document {title!r} (urn:uuid:{doc_id}): the audit excerpt holds "
                            + (f"its import only as withheld event {withheld}" if withheld
                               else "no record of its import"))
            continue
        seq, sha, text_sha = record
        if str(entry.get("dossier:sha256")) != sha:
            problems.append(f"document {title!r}: its original in the bundle is "
                            f"originals/{entry.get('dossier:sha256')}, but audit event {seq} "
                            f"records the original imported as {sha[:16]}…: the original was "
                            "swapped")
        elif text_sha and entry.get("dossier:textSha256") not in (None, text_sha):
            problems.append(f"document {title!r}: its text SHA-256 in annotations.jsonld is not "
                            f"the one audit event {seq} records")
    return problems


@dataclass(frozen=True)
class OriginalText:
    """An original's text as extracted again, and the text the dossier annotated."""

    member: str  # originals/<sha>
    text: str
    annotated_sha256: str  # dossier:textSha256 of the document ("" when unknown)


def check_quotes(claims: list[AnnotationClaim], texts: dict[str, OriginalText | str],
                 notes: list[str] | None = None) -> list[str]:
    """Each quote against its original's text; ``texts`` maps an original's SHA-256 to its
    re-extracted text, or to why it could not be extracted (added to ``notes``)."""
    problems: list[str] = []
    notes = notes if notes is not None else problems
    reported: set[str] = set()
    for claim in claims:
        found = texts.get(claim.document_sha)
        if found is None:
            problems.append(f"annotation urn:uuid:{claim.id}: its original "
                            f"originals/{claim.document_sha} is not in the bundle")
            continue
        if isinstance(found, str):
            if claim.document_sha not in reported:
                reported.add(claim.document_sha)
                notes.append(f"originals/{claim.document_sha}: {found}")
            continue
        text = found.text
        same_text = not found.annotated_sha256 or hashlib.sha256(
            text.encode("utf-8")).hexdigest() == found.annotated_sha256
        if not same_text and claim.document_sha not in reported:
            reported.add(claim.document_sha)
            problems.append(f"{found.member}: its text, extracted again, is not the text that "
                            "was annotated (text SHA-256 differs); quotes were searched instead")
        if same_text and claim.start is not None and claim.end is not None:
            there = text[claim.start:claim.end]
            if there != claim.exact:
                problems.append(f"annotation urn:uuid:{claim.id}: its quote "
                                f"({_short(claim.exact)}) is not the text of {found.member} at "
                                f"{claim.start}-{claim.end} ({_short(there)})")
        elif claim.exact not in text:
            problems.append(f"annotation urn:uuid:{claim.id}: its quote ({_short(claim.exact)}) "
                            f"does not occur in the text of {found.member}")
    return problems


def extract_texts(shas: Iterable[str], documents: dict[str, dict[str, Any]],
                  load: Callable[[str], bytes | None]) -> dict[str, OriginalText | str]:
    """Extract each original again (``load`` gives its bytes, None when absent)."""
    from app.errors import DossierError
    from app.importers.base import text_and_page_ranges
    from app.services.imports import extract

    out: dict[str, OriginalText | str] = {}
    for sha in dict.fromkeys(shas):
        data = load(sha)
        if data is None:
            continue
        meta = documents.get(sha, {})
        name = str(meta.get("dossier:filename") or meta.get("dossier:title") or sha)
        if meta.get("dossier:kind") == "pdf" and not name.lower().endswith(".pdf"):
            name += ".pdf"
        try:
            extracted = extract(data, name, url=meta.get("dossier:url") or None)
        except DossierError as exc:
            out[sha] = f"its text cannot be extracted again ({exc}), so its quotes were not " \
                "compared with it"
            continue
        text, _ = text_and_page_ranges(extracted)
        out[sha] = OriginalText(f"originals/{sha}", text,
                                str(meta.get("dossier:textSha256") or ""))
    return out


def _short(text: str) -> str:
    flat = " ".join(text.split())
    return repr(flat if len(flat) <= 60 else flat[:57] + "…")

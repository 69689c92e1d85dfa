"""Checking and reading evidence bundles (see :mod:`app.exchange.bundle.write`)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from app import audit
from app.errors import BadInput
from app.exchange.bundle.check import (
    check_chain,
    check_documents,
    check_head,
    check_quotes,
    check_records,
    claims_from_items,
    extract_texts,
)
from app.exchange.bundle.layout import ANNOTATIONS, AUDIT, CHUNK, FORMAT, MANIFEST
from app.exchange.incoming import IncomingSet
from app.exchange.jsonld.read import read_set
from app.exchange.safety.archives import SafeZip, check_member_name
from app.exchange.safety.json_stream import (
    GIB,
    MIB,
    JsonLimits,
    iter_json_items,
    iter_json_lines,
    scan_json,
    text_stream,
)

#: Bundle versions this Dossier checks (1: the audit excerpt holds only the bundle's events).
READABLE_VERSIONS = (1, 2)


# -- checking -------------------------------------------------------------------------------------

@dataclass
class BundleReport:
    """What :func:`verify_bundle` found."""

    path: Path
    manifest_sha256: str = ""
    files_checked: int = 0
    events_checked: int = 0
    links_checked: int = 0
    manifest: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    events_withheld: int = 0
    notes: list[str] = field(default_factory=list)  # what could not be checked, and why
    annotations_checked: int = 0
    originals_extracted: int = 0
    recomputed_head: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when every file and audit event checks out."""
        return not self.problems

    def to_json(self) -> dict[str, Any]:
        """The JSON shape of ``dossier verify-bundle --json``."""
        return {
            "ok": self.ok, "path": str(self.path), "manifest_sha256": self.manifest_sha256,
            "files": self.files_checked, "audit_events": self.events_checked,
            "audit_links": self.links_checked, "problems": self.problems,
            "exported_at": self.manifest.get("exported_at"),
            "exported_by": self.manifest.get("exported_by"),
            "chain_head": self.manifest.get("chain_head"),
            "audit_events_withheld": self.events_withheld,
            "annotations_checked": self.annotations_checked,
            "originals_extracted": self.originals_extracted,
            "recomputed_head": self.recomputed_head, "notes": self.notes,
        }


def _manifest(z: SafeZip) -> tuple[dict[str, Any], str]:
    if not z.has(MANIFEST):
        raise BadInput(f"{z.where}: has no {MANIFEST}; it is not a Dossier evidence bundle")
    data = z.read(MANIFEST, max_bytes=64 * MIB)
    try:
        manifest = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise BadInput(f"{z.where}: {MANIFEST} is not valid JSON ({exc})") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BadInput(f"{z.where}: {MANIFEST} is not a Dossier evidence bundle manifest")
    if manifest.get("version") not in READABLE_VERSIONS:
        raise BadInput(f"{z.where}: bundle version {manifest.get('version')!r} is not one this "
                       "Dossier reads; use a newer Dossier")
    files = manifest.get("files")
    if not isinstance(files, list) or not all(
            isinstance(f, dict) and isinstance(f.get("path"), str)
            and isinstance(f.get("sha256"), str) and isinstance(f.get("size"), int)
            for f in files):
        raise BadInput(f"{z.where}: {MANIFEST} has no valid list of files")
    return manifest, hashlib.sha256(data).hexdigest()


def _hash_member(z: SafeZip, name: str, size: int) -> tuple[str, int]:
    sha = hashlib.sha256()
    count = 0
    with z.open(name, max_bytes=max(size, 0) + 1) as fh:
        while chunk := fh.read(CHUNK):
            sha.update(chunk)
            count += len(chunk)
    return sha.hexdigest(), count


def _check_audit_v1(z: SafeZip, report: BundleReport) -> None:
    """Version 1 bundles hold only the events about their own objects: each event's hash and
    the links between consecutive ones are checked; the head cannot be recomputed."""
    head = report.manifest.get("chain_head") or {}
    previous: dict[str, Any] | None = None
    with text_stream(z.open(AUDIT)) as fh:
        for line_no, event in iter_json_lines(fh, f"{z.where}: {AUDIT}"):
            try:
                seq = int(event["seq"])
                digest = audit.event_hash(
                    str(event["prev_hash"]), seq, str(event["at"]), str(event["actor"]),
                    str(event["action"]), str(event["object_type"]), str(event["object_id"]),
                    str(event["payload"]),
                    None if event.get("state") is None else str(event["state"]))
            except (KeyError, TypeError, ValueError):
                report.problems.append(f"{AUDIT} line {line_no} is not an audit event")
                continue
            report.events_checked += 1
            if digest != event["hash"]:
                report.problems.append(f"audit event {seq} ({event['action']}) was altered: its "
                                       "hash does not recompute")
            if previous is not None:
                if seq <= previous["seq"]:
                    report.problems.append(f"audit event {seq} is out of order")
                elif seq == previous["seq"] + 1:
                    report.links_checked += 1
                    if event["prev_hash"] != previous["hash"]:
                        report.problems.append(f"audit event {seq} does not link to event "
                                               f"{seq - 1}")
            if seq == head.get("seq") and event["hash"] != head.get("hash"):
                report.problems.append(f"audit event {seq} is not the chain head the manifest "
                                       "names")
            previous = {"seq": seq, "hash": event["hash"]}


def _annotation_items(z: SafeZip) -> tuple[dict[str, Any], list[Any]]:
    """The header and items of the bundle's own ``annotations.jsonld``."""
    where = f"{z.where}: {ANNOTATIONS}"
    with z.open(ANNOTATIONS) as fh:
        scan = scan_json(fh, where, JsonLimits())
    items = [item for _, item in iter_json_items(lambda: z.open(ANNOTATIONS), where, scan)]
    return (scan.header if isinstance(scan.header, dict) else {}), items


def _cross_check(z: SafeZip, report: BundleReport, head: str | None, originals: bool) -> None:
    """The chain from genesis to head, and every annotation against its record and original."""
    with text_stream(z.open(AUDIT)) as fh:
        chain = check_chain(iter_json_lines(fh, f"{z.where}: {AUDIT}"), AUDIT)
    report.events_checked, report.links_checked = chain.full, chain.links
    report.events_withheld = chain.events - chain.full
    report.recomputed_head = {"seq": chain.head_seq, "hash": chain.head_hash}
    report.problems.extend(chain.problems)
    report.problems.extend(check_head(chain, report.manifest.get("chain_head") or {}, head))
    if not z.has(ANNOTATIONS):
        return
    header, items = _annotation_items(z)
    claims = claims_from_items(items)
    report.annotations_checked = len(claims)
    report.problems.extend(check_records(claims, chain))
    entries = [d for d in header.get("dossier:documents") or [] if isinstance(d, dict)]
    report.problems.extend(check_documents(entries, chain))
    if not originals:
        return
    documents = {str(d.get("dossier:sha256")): d for d in entries}

    def load(sha: str) -> bytes | None:
        member = f"originals/{sha}"
        return z.read(member, max_bytes=2 * GIB) if z.has(member) else None

    texts = extract_texts([c.document_sha for c in claims], documents, load)
    report.problems.extend(check_quotes(claims, texts, report.notes))
    report.originals_extracted = sum(1 for t in texts.values() if not isinstance(t, str))


def check_bundle(z: SafeZip, report: BundleReport, *, head: str | None = None,
                 originals: bool = True) -> None:
    """Fill ``report`` with what is wrong with an opened bundle.

    ``head`` is a chain head hash the verifier holds; ``originals`` False skips extracting the
    originals again (importing does that itself).
    """
    report.manifest, report.manifest_sha256 = _manifest(z)
    listed: dict[str, dict[str, Any]] = {}
    for entry in report.manifest["files"]:
        name = entry["path"]
        check_member_name(name, f"{z.where}: {MANIFEST}")
        if name in listed or name == MANIFEST:
            report.problems.append(f"{MANIFEST} lists {name} twice")
        listed[name] = entry
    for name in z.names():
        if name != MANIFEST and name not in listed:
            report.problems.append(f"{name} is in the bundle but not in the manifest")
    for name, entry in listed.items():
        if not z.has(name):
            report.problems.append(f"{name} is listed in the manifest but missing")
            continue
        report.files_checked += 1
        if z.size(name) != entry["size"]:
            report.problems.append(f"{name} was altered: {z.size(name)} bytes, the manifest "
                                   f"says {entry['size']}")
            continue
        digest, size = _hash_member(z, name, entry["size"])
        if digest != entry["sha256"].lower() or size != entry["size"]:
            report.problems.append(f"{name} was altered: SHA-256 {digest[:16]}…, the "
                                   f"manifest says {entry['sha256'][:16]}…")
        elif name.startswith("originals/") and name.rsplit("/", 1)[-1] != digest:
            report.problems.append(f"{name} does not hash to its name")
    if AUDIT in listed and z.has(AUDIT):
        if report.manifest.get("version") == 1:
            _check_audit_v1(z, report)
            if head is not None:
                report.problems.append("this is a version 1 bundle: its audit excerpt is "
                                       "partial, so it cannot be checked against a chain head")
        else:
            try:
                _cross_check(z, report, head, originals)
            except BadInput as exc:
                report.problems.append(str(exc))
    elif head is not None:
        report.problems.append(f"the bundle has no {AUDIT}, so it cannot be checked against a "
                               "chain head")


def verify_bundle(path: Path | str, head: str | None = None) -> BundleReport:
    """Check a bundle: every file against the manifest, nothing extra, the audit chain from
    genesis to its head (and to ``head`` when given), every quote against its record and its
    original; see :mod:`app.exchange.bundle.check`."""
    path = Path(path)
    report = BundleReport(path)
    with SafeZip(path) as z:
        check_bundle(z, report, head=head)
    return report


def read_bundle(z: SafeZip, name: str, sha256: str) -> IncomingSet:
    """The annotation set in an opened bundle, its originals readable while ``z`` is open.

    A bundle that does not verify is refused: its content cannot be trusted.
    """
    report = BundleReport(z.path)
    check_bundle(z, report, originals=False)
    if not report.ok:
        raise BadInput(f"{name}: the bundle does not verify ({report.problems[0]}); nothing was "
                       "imported — 'dossier verify-bundle' lists every problem")
    if not z.has(ANNOTATIONS):
        raise BadInput(f"{name}: the bundle has no {ANNOTATIONS}; nothing was imported")
    limits = JsonLimits()
    if z.size(ANNOTATIONS) > limits.max_file_bytes:
        raise BadInput(f"{name}: {ANNOTATIONS} is larger than the {limits.max_file_bytes} bytes "
                       "Dossier reads as one set; nothing was imported")
    incoming = read_set(lambda: z.open(ANNOTATIONS), f"{name}: {ANNOTATIONS}",
                        sha256, kind="bundle", limits=limits)
    incoming.name = name
    for doc in incoming.documents.values():
        member = f"originals/{doc.sha256}"
        if doc.sha256 and z.has(member):
            doc.load = partial(z.read, member, max_bytes=2 * GIB)
    return incoming

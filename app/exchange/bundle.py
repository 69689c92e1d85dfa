"""Evidence bundles: one ZIP that a third party can check on any machine.

Layout::

    manifest.json        format, version, export time and user, the dossier's audit chain head,
                         the filter, and the SHA-256 and size of every other file
    annotations.jsonld   the annotations (W3C Web Annotation, see app.exchange.jsonld)
    report.html          the evidence report, when this version of Dossier can render it
    codebook.json        the codebook (and codebook.qdc, REFI-QDA, when available)
    audit.jsonl          every audit event about the exported documents, annotations, tags and
                         reviews, with its hashes, one JSON object per line
    originals/<sha256>   each document's original, byte for byte
    README.txt           how to check the bundle

:func:`verify_bundle` re-hashes every file, refuses extra or missing files and recomputes every
audit event's hash (and each link between consecutive events).
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from app import __version__, audit
from app.errors import BadInput
from app.exchange.filters import Selection
from app.exchange.incoming import IncomingSet
from app.exchange.jsonld import read_set, write_collection
from app.exchange.safety import (
    GIB,
    MIB,
    JsonLimits,
    SafeZip,
    check_member_name,
    iter_json_lines,
    text_stream,
)

if TYPE_CHECKING:
    from app.dossier import Dossier

FORMAT = "dossier-evidence-bundle"
VERSION = 1
MANIFEST = "manifest.json"
ANNOTATIONS = "annotations.jsonld"
AUDIT = "audit.jsonl"
_CHUNK = 1 * MIB
_README = """\
Dossier evidence bundle
=======================

manifest.json lists every other file of this archive with its SHA-256 and size, the time and
user of the export, and the head of the exporting dossier's audit chain (sequence and hash).

To check it:  dossier verify-bundle THIS.zip
or by hand:   compare each file's SHA-256 (sha256sum) with manifest.json, and recompute each
line of audit.jsonl as SHA-256(prev_hash + canonical JSON of seq, at, actor, action,
object_type, object_id, payload), keys sorted, no spaces.

originals/ holds each document exactly as it was imported, named by its SHA-256.
annotations.jsonld is a W3C Web Annotation collection; report.html the evidence report.
"""


class _HashingWriter(io.RawIOBase):
    """Writes through to a ZIP member while hashing and counting."""

    def __init__(self, raw: IO[bytes]) -> None:
        super().__init__()
        self.raw = raw
        self.sha = hashlib.sha256()
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        self.sha.update(chunk)
        self.size += len(chunk)
        self.raw.write(chunk)
        return len(chunk)


class _BundleWriter:
    def __init__(self, zf: zipfile.ZipFile, stamp: tuple[int, int, int, int, int, int]) -> None:
        self.zf = zf
        self.stamp = stamp
        self.files: list[dict[str, Any]] = []

    def _info(self, name: str) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, date_time=self.stamp)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        return info

    def add_bytes(self, name: str, data: bytes) -> None:
        self.zf.writestr(self._info(name), data)
        self.files.append({"path": name, "sha256": hashlib.sha256(data).hexdigest(),
                           "size": len(data)})

    def add_stream(self, name: str) -> _Member:
        return _Member(self, name)


class _Member:
    """``with writer.add_stream(name) as fh:`` writes a member and records its hash."""

    def __init__(self, owner: _BundleWriter, name: str) -> None:
        self.owner = owner
        self.name = name
        self.raw: IO[bytes] | None = None
        self.hashing: _HashingWriter | None = None

    def __enter__(self) -> _HashingWriter:
        self.raw = self.owner.zf.open(self.owner._info(self.name), "w", force_zip64=True)
        self.hashing = _HashingWriter(self.raw)
        return self.hashing

    def __exit__(self, *exc: object) -> None:
        assert self.raw is not None and self.hashing is not None
        self.raw.close()
        if exc[0] is None:
            self.owner.files.append({"path": self.name, "sha256": self.hashing.sha.hexdigest(),
                                     "size": self.hashing.size})


def _copy_original(dossier: Dossier, sha: str, title: str, out: _HashingWriter) -> None:
    path = dossier.originals.path_for(sha)
    if not path.is_file():
        raise BadInput(f"the original of {title!r} is missing from the dossier; run "
                       "'dossier verify' — no bundle was written")
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            out.write(chunk)
    if out.sha.hexdigest() != sha:
        raise BadInput(f"the original of {title!r} no longer matches its SHA-256; run "
                       "'dossier verify' — no bundle was written")


def audit_excerpt(dossier: Dossier, selection: Selection) -> Iterator[dict[str, Any]]:
    """Every event up to the selection's head about its documents, annotations, tags, reviews."""
    wanted = {("document", d.id) for d in selection.documents}
    wanted |= {("annotation", a.id) for a in selection.annotations}
    wanted |= {("tag", t.id) for t in selection.tags}
    wanted |= {("review", r.id) for rs in selection.reviews.values() for r in rs}
    with dossier.read() as session:
        for ev in audit.iter_events(session):
            if ev.seq > selection.chain_seq:
                return
            if (ev.object_type, ev.object_id) in wanted:
                yield {"seq": ev.seq, "at": ev.at, "actor": ev.actor, "action": ev.action,
                       "object_type": ev.object_type, "object_id": ev.object_id,
                       "payload": ev.payload, "prev_hash": ev.prev_hash, "hash": ev.hash,
                       **({"state": ev.state} if ev.state is not None else {})}


def _codebook(selection: Selection) -> bytes:
    used: dict[str, int] = {}
    for ann in selection.annotations:
        for tag in ann.tags:
            used[tag.id] = used.get(tag.id, 0) + 1
    tags = [{"id": t.id, "parent_id": t.parent_id, "name": t.name, "path": t.path,
             "colour": t.colour, "description": t.description, "shortcut": t.shortcut,
             "codable": t.is_codable, "position": t.position, "annotations": used.get(t.id, 0)}
            for t in selection.tags]
    return json.dumps({"format": "dossier-codebook", "tags": tags}, ensure_ascii=False,
                      indent=1).encode("utf-8")


def _optional_parts(dossier: Dossier, selection: Selection,
                    writer: _BundleWriter) -> tuple[list[str], bool]:
    notes: list[str] = []
    report_included = False
    try:
        from app.exchange.report import render_report_html
    except ImportError:
        notes.append("report.html not included: this version of Dossier has no report renderer")
    else:
        writer.add_bytes("report.html", render_report_html(dossier, selection).encode("utf-8"))
        report_included = True
    try:
        from app.exchange.refi_write import codebook_xml
    except ImportError:
        notes.append("codebook.qdc not included: REFI-QDA export is not available")
    else:
        writer.add_bytes("codebook.qdc", codebook_xml(selection))
    return notes, report_included


def write_bundle(dossier: Dossier, selection: Selection, out: Path) -> list[str]:
    """Export writer for ``--format bundle``; returns notes about parts left out."""
    stamp = tuple(int(x) for x in (selection.exported_at[:4], selection.exported_at[5:7],
                                   selection.exported_at[8:10], selection.exported_at[11:13],
                                   selection.exported_at[14:16], selection.exported_at[17:19]))
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        writer = _BundleWriter(zf, stamp)  # type: ignore[arg-type]
        writer.add_bytes("README.txt", _README.encode("utf-8"))
        with writer.add_stream(ANNOTATIONS) as raw:
            buffered = io.BufferedWriter(raw, buffer_size=_CHUNK)
            text = io.TextIOWrapper(buffered, encoding="utf-8", newline="\n")
            write_collection(text, dossier, selection)
            text.flush()
            text.detach()
            buffered.flush()
            buffered.detach()
        notes, report_included = _optional_parts(dossier, selection, writer)
        writer.add_bytes("codebook.json", _codebook(selection))
        events = 0
        with writer.add_stream(AUDIT) as raw:
            for event in audit_excerpt(dossier, selection):
                raw.write((audit.canonical_json(event) + "\n").encode("utf-8"))
                events += 1
        for doc in selection.documents:
            with writer.add_stream(f"originals/{doc.sha256}") as raw:
                _copy_original(dossier, doc.sha256, doc.title, raw)
        manifest = {
            "format": FORMAT, "version": VERSION, "generator": f"Dossier {__version__}",
            "exported_at": selection.exported_at, "exported_by": selection.exported_by,
            "chain_head": {"seq": selection.chain_seq, "hash": selection.chain_head},
            "filter": selection.filter.to_json(),
            "counts": {"annotations": len(selection.annotations),
                       "documents": len(selection.documents), "audit_events": events},
            "report": "report.html" if report_included else None, "notes": notes,
            "files": writer.files,
        }
        zf.writestr(writer._info(MANIFEST),
                    json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8"))
    return notes


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
    if manifest.get("version") != VERSION:
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
        while chunk := fh.read(_CHUNK):
            sha.update(chunk)
            count += len(chunk)
    return sha.hexdigest(), count


def _check_audit(z: SafeZip, report: BundleReport) -> None:
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


def check_bundle(z: SafeZip, report: BundleReport) -> None:
    """Fill ``report`` with what is wrong with an opened bundle."""
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
        _check_audit(z, report)


def verify_bundle(path: Path | str) -> BundleReport:
    """Check a bundle: every file against the manifest, nothing extra, the audit hashes."""
    path = Path(path)
    report = BundleReport(path)
    with SafeZip(path) as z:
        check_bundle(z, report)
    return report


def read_bundle(z: SafeZip, name: str, sha256: str) -> IncomingSet:
    """The annotation set in an opened bundle, its originals readable while ``z`` is open.

    A bundle that does not verify is refused: its content cannot be trusted.
    """
    report = BundleReport(z.path)
    check_bundle(z, report)
    if not report.ok:
        raise BadInput(f"{name}: the bundle does not verify ({report.problems[0]}); nothing was "
                       "imported — 'dossier verify-bundle' lists every problem")
    if not z.has(ANNOTATIONS):
        raise BadInput(f"{name}: the bundle has no {ANNOTATIONS}; nothing was imported")
    limits = JsonLimits()
    if z.size(ANNOTATIONS) > limits.max_file_bytes:
        raise BadInput(f"{name}: {ANNOTATIONS} is larger than the {limits.max_file_bytes} bytes "
                       "Dossier reads as one set; nothing was imported")
    incoming = read_set(lambda: text_stream(z.open(ANNOTATIONS)), f"{name}: {ANNOTATIONS}",
                        sha256, kind="bundle", limits=limits)
    incoming.name = name
    for doc in incoming.documents.values():
        member = f"originals/{doc.sha256}"
        if doc.sha256 and z.has(member):
            doc.load = partial(z.read, member, max_bytes=2 * GIB)
    return incoming

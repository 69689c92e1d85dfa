"""Evidence bundles: one ZIP that a third party can check on any machine.

Layout::

    manifest.json        format, version, export time and user, the dossier's audit chain head,
                         the filter, and the SHA-256 and size of every other file
    annotations.jsonld   the annotations (W3C Web Annotation, see app.exchange.jsonld.write)
    report.html          the evidence report, when this version of Dossier can render it
    codebook.json        the codebook (and codebook.qdc, REFI-QDA, when available)
    audit.jsonl          every audit event from the first to the head, one JSON object per line:
                         complete for the exported documents, annotations, tags and reviews,
                         withheld (sequence, action, object and hashes only) for the others
    originals/<sha256>   each document's original, byte for byte
    README.txt           how to check the bundle

:func:`~app.exchange.bundle.read.verify_bundle` re-hashes every file, refuses extra or missing
files, follows the audit chain from genesis to the head and cross-checks every annotation against
its audit record and its original (:mod:`app.exchange.bundle.check`).
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from app import __version__, audit
from app.errors import BadInput
from app.exchange.bundle.check import stub
from app.exchange.bundle.layout import ANNOTATIONS, AUDIT, CHUNK, FORMAT, MANIFEST, VERSION
from app.exchange.filters import Selection
from app.exchange.jsonld.write import write_collection
from app.progress import checkpoint

if TYPE_CHECKING:
    from app.dossier import Dossier

_README = """\
Dossier evidence bundle
=======================

manifest.json lists every other file of this archive with its SHA-256 and size, the time and
user of the export, and the head of the exporting dossier's audit chain (sequence and hash).

To check it:  dossier verify-bundle THIS.zip  [--head HASH-YOU-HOLD]
or by hand:   compare each file's SHA-256 (sha256sum) with manifest.json, and recompute each
complete line of audit.jsonl as SHA-256(prev_hash + canonical JSON of seq, at, actor, action,
object_type, object_id, payload), keys sorted, no spaces. audit.jsonl holds every event from
the first (prev_hash 64 zeros) to the head; events about other work are withheld (no time,
actor or payload) but keep their hashes, so each line's prev_hash is the previous line's hash
and the last hash is the chain head.

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
        while chunk := fh.read(CHUNK):
            checkpoint()
            out.write(chunk)
    if out.sha.hexdigest() != sha:
        raise BadInput(f"the original of {title!r} no longer matches its SHA-256; run "
                       "'dossier verify' — no bundle was written")


def audit_excerpt(dossier: Dossier, selection: Selection) -> Iterator[dict[str, Any]]:
    """Every event from the first to the selection's head, none skipped: complete for the
    selection's documents, annotations, tags and reviews, withheld (sequence, action, object
    and hashes only) for the rest, so the head can be recomputed from the bundle alone."""
    wanted = {("document", d.id) for d in selection.documents}
    wanted |= {("annotation", a.id) for a in selection.annotations}
    wanted |= {("tag", t.id) for t in selection.tags}
    wanted |= {("review", r.id) for rs in selection.reviews.values() for r in rs}
    with dossier.read() as session:
        for ev in audit.iter_events(session):
            if ev.seq > selection.chain_seq:
                return
            event = {"seq": ev.seq, "at": ev.at, "actor": ev.actor, "action": ev.action,
                     "object_type": ev.object_type, "object_id": ev.object_id,
                     "payload": ev.payload, "prev_hash": ev.prev_hash, "hash": ev.hash,
                     **({"state": ev.state} if ev.state is not None else {})}
            yield event if (ev.object_type, ev.object_id) in wanted else stub(event)


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
        from app.exchange.report.render import render_report_html
    except ImportError:
        notes.append("report.html not included: this version of Dossier has no report renderer")
    else:
        writer.add_bytes("report.html", render_report_html(dossier, selection).encode("utf-8"))
        report_included = True
    try:
        from app.exchange.refi.write import codebook_xml
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
            buffered = io.BufferedWriter(raw, buffer_size=CHUNK)
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
                checkpoint()
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

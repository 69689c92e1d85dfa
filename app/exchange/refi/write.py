"""Writing REFI-QDA: a project package (``.qdpx``) and a standalone codebook (``.qdc``).

Mapping (FORMATS.md §3): tag → ``Code`` (the top-level categories as non-codable parents);
article or text → ``TextSource``; PDF → ``PDFSource`` with the PDF and a ``Representation`` holding
the extracted text and its ``PlainTextSelection``\\ s; annotation → ``PlainTextSelection`` with one
``Coding`` per tag; note → ``Notes/Note`` plus a ``NoteRef``; authors, importers and reviewers →
``Users``. Grades, review status and attribution have no REFI field: they are written as
``Key: value`` lines in the selection's ``Description``, which :mod:`app.exchange.refi.read` reads
back. GUIDs are the Dossier ids upper-cased (or derived from them), so re-exports are stable.
"""

from __future__ import annotations

import math
import re
import uuid
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING
from xml.etree import ElementTree as ET

from sqlalchemy import select

from app import __version__
from app.errors import BadInput
from app.exchange.refi.text import AREA_OF, GUID_NAMESPACE, describe_selection, export_guid
from app.exchange.refi.xml_tree import CODEBOOK_NS, PROJECT_NS
from app.progress import checkpoint
from db.models import User

if TYPE_CHECKING:
    from app.dossier import Dossier
    from app.exchange.filters import Selection
    from app.services.annotations import AnnotationView
    from app.services.codebook import TagInfo
    from app.services.documents import DocumentView

ORIGIN = f"Dossier {__version__}"
PROJECT_FILE = "project.qde"
SOURCES = "sources"
#: Characters XML 1.0 cannot carry (C0 controls other than tab, LF, CR; lone surrogates; FFFE/F).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_VARIABLES = ("URL", "Author", "Published", "Original SHA-256", "Text SHA-256")
#: Exports up to this many annotations are checked against the schema as they are written
#: (xmlschema needs ~0.7 ms per selection; larger exports rely on the tests' validation).
VALIDATE_UP_TO = 2000


def xml_safe(text: str) -> str:
    """``text`` with characters XML cannot hold replaced by U+FFFD."""
    return _NOT_XML.sub("\ufffd", text)


def derived_guid(*parts: str) -> str:
    """A stable GUID for something Dossier has no id for (a coding, a note, a representation)."""
    return str(uuid.uuid5(GUID_NAMESPACE, ":".join(parts))).upper()


def _sub(parent: ET.Element, element: str, ns: str = PROJECT_NS, /,
         **attrs: str | None) -> ET.Element:
    clean = {k: xml_safe(v) for k, v in attrs.items() if v is not None}
    return ET.SubElement(parent, f"{{{ns}}}{element}", clean)


def _text(parent: ET.Element, name: str, text: str, ns: str = PROJECT_NS) -> ET.Element:
    element = _sub(parent, name, ns)
    element.text = xml_safe(text)
    return element


def _codes(parent: ET.Element, tags: list[TagInfo], ns: str) -> None:
    """Nested ``Code`` elements for the codebook tree under ``parent`` (a ``Codes`` element)."""
    known = {t.id for t in tags}
    kids: dict[str | None, list[TagInfo]] = {}
    for tag in tags:  # a tag whose parent is not in the list stays at the top level
        kids.setdefault(tag.parent_id if tag.parent_id in known else None, []).append(tag)

    def walk(element: ET.Element, parent_id: str | None) -> None:
        for tag in kids.get(parent_id, []):
            code = _sub(element, "Code", ns, guid=export_guid(tag.id), name=tag.name,
                        isCodable="true" if tag.is_codable else "false", color=tag.colour.upper())
            if tag.description:
                _text(code, "Description", tag.description, ns)
            walk(code, tag.id)

    walk(parent, None)


class _ProjectBuilder:
    """Builds the ``Project`` element for one selection."""

    def __init__(self, dossier: Dossier, selection: Selection) -> None:
        self.dossier = dossier
        self.selection = selection
        self.user_guids = self._user_guids()
        self.files: dict[str, Path | bytes] = {}

    def _user_guids(self) -> dict[str, str]:
        sel = self.selection
        names = {sel.exported_by, *(a.author for a in sel.annotations),
                 *(d.imported_by for d in sel.documents),
                 *(r.reviewer for reviews in sel.reviews.values() for r in reviews)}
        names.discard("")
        with self.dossier.read() as session:
            rows = {name: guid for name, guid in session.execute(
                select(User.name, User.guid).where(User.name.in_(names)))}
        return {name: export_guid(rows.get(name) or f"user:{name}") for name in sorted(names)}

    def build(self) -> ET.Element:
        sel = self.selection
        root = ET.Element(f"{{{PROJECT_NS}}}Project", {
            "name": xml_safe(f"Dossier export: {self.dossier.folder.name}"),
            "origin": ORIGIN, "creationDateTime": sel.exported_at,
            "modifiedDateTime": sel.exported_at,
        })
        if sel.exported_by in self.user_guids:
            root.set("creatingUserGUID", self.user_guids[sel.exported_by])
        if self.user_guids:
            users = _sub(root, "Users")
            for name, guid in self.user_guids.items():
                _sub(users, "User", guid=guid, name=name)
        if sel.tags:
            _codes(_sub(_sub(root, "CodeBook"), "Codes"), sel.tags, PROJECT_NS)
        variables = _sub(root, "Variables")
        for name in _VARIABLES:
            _sub(variables, "Variable", guid=derived_guid("variable", name), name=name,
                 typeOfVariable="Text")
        if sel.documents:
            by_document: dict[str, list[AnnotationView]] = {}
            for ann in sel.annotations:
                by_document.setdefault(ann.document_id, []).append(ann)
            sources = _sub(root, "Sources")
            for doc in sel.documents:
                self._source(sources, doc, by_document.get(doc.id, []))
        noted = [a for a in sel.annotations if a.note.strip()]
        if noted:
            notes = _sub(root, "Notes")
            for ann in noted:
                self._note(notes, ann)
        _text(root, "Description", self._description())
        return root

    def _description(self) -> str:
        sel = self.selection
        return "\n".join([
            f"Exported from Dossier by {sel.exported_by} at {sel.exported_at}.",
            f"Audit chain head: {sel.chain_head} (event {sel.chain_seq}).",
            f"{len(sel.documents)} document(s), {len(sel.annotations)} annotation(s).",
        ])

    def _source(self, sources: ET.Element, doc: DocumentView,
                annotations: list[AnnotationView]) -> None:
        guid = export_guid(doc.id)
        common = {"guid": guid, "name": doc.title or doc.filename,
                  "creatingUser": self.user_guids.get(doc.imported_by),
                  "creationDateTime": doc.imported_at}
        text = _document_text(self.dossier, doc.id)
        if doc.kind == "pdf":
            element = _sub(sources, "PDFSource", path=f"internal://{guid}.pdf", **common)
            self.files[f"{SOURCES}/{guid}.pdf"] = self.dossier.originals.path_for(doc.sha256)
            _text(element, "Description", _source_description(doc))
            self._pdf_selections(element, [a for a in annotations if a.region is not None])
            annotations = [a for a in annotations if a.region is None]
            self._areas(element, doc, annotations)
            rep_guid = derived_guid(doc.id, "representation")
            holder = _sub(element, "Representation", guid=rep_guid,
                          name=f"{doc.title or doc.filename} (text)",
                          plainTextPath=f"internal://{rep_guid}.txt")
            self.files[f"{SOURCES}/{rep_guid}.txt"] = text.encode("utf-8")
            self._selections(holder, annotations)
            self._variables(element, doc)
        else:
            element = _sub(sources, "TextSource", plainTextPath=f"internal://{guid}.txt",
                           **common)
            self.files[f"{SOURCES}/{guid}.txt"] = text.encode("utf-8")
            _text(element, "Description", _source_description(doc))
            self._selections(element, annotations)
            self._variables(element, doc)

    def _areas(self, element: ET.Element, doc: DocumentView,
               annotations: list[AnnotationView]) -> None:
        """A ``PDFSelection`` per page each passage touches: the box around its characters
        (points, top-left origin, 0-based page, as QualCoder reads them), coded like the
        passage, so tools that show PDF pages show the codings there. Its Description names
        the text selection it draws, so Dossier reads the passage once."""
        from app.exchange.annotated_pdf.export import line_boxes
        from app.services.documents import page_geometry

        if not annotations:
            return
        pages = page_geometry(self.dossier, doc.id)
        for ann in annotations:
            if ann.anchor == "orphaned" or getattr(ann, "region", None) is not None:
                continue  # region annotations are areas already (written as such)
            author = self.user_guids.get(ann.author)
            for page in pages:
                if page.end <= ann.start or page.start >= ann.end:
                    continue
                boxes = line_boxes(page, ann.start, ann.end)
                if not boxes:
                    continue
                x0, top = min(b[0] for b in boxes), min(b[1] for b in boxes)
                x1, bottom = max(b[2] for b in boxes), max(b[3] for b in boxes)
                area = _sub(element, "PDFSelection",
                            guid=derived_guid(ann.id, "area", str(page.number)),
                            name=ann.note.strip()[:200] or None, page=str(page.number - 1),
                            firstX=str(math.floor(x0)), firstY=str(math.floor(top)),
                            secondX=str(math.ceil(x1)), secondY=str(math.ceil(bottom)),
                            creatingUser=author, creationDateTime=ann.created,
                            modifyingUser=author, modifiedDateTime=ann.modified)
                _text(area, "Description", f"{AREA_OF}{export_guid(ann.id)}")
                for tag in ann.tags:
                    coding = _sub(area, "Coding",
                                  guid=derived_guid(ann.id, "area coding", str(page.number),
                                                    tag.id),
                                  creatingUser=author, creationDateTime=ann.created)
                    _sub(coding, "CodeRef", targetGUID=export_guid(tag.id))

    def _variables(self, element: ET.Element, doc: DocumentView) -> None:
        values = dict(zip(_VARIABLES, (doc.url, doc.author, doc.published, doc.sha256,
                                       doc.text_sha256), strict=True))
        for name, value in values.items():
            if value:
                holder = _sub(element, "VariableValue")
                _sub(holder, "VariableRef", targetGUID=derived_guid("variable", name))
                _text(holder, "TextValue", value)

    def _selections(self, holder: ET.Element, annotations: Iterable[AnnotationView]) -> None:
        for ann in annotations:
            checkpoint()
            author = self.user_guids.get(ann.author)
            sel = _sub(holder, "PlainTextSelection", guid=export_guid(ann.id), name=ann.quote,
                       startPosition=str(ann.start), endPosition=str(ann.end),
                       creatingUser=author, creationDateTime=ann.created,
                       modifyingUser=author, modifiedDateTime=ann.modified)
            _text(sel, "Description", describe_selection(
                ann.reliability, ann.credibility, ann.status, ann.attribution, ann.note))
            for tag in ann.tags:
                coding = _sub(sel, "Coding", guid=derived_guid(ann.id, "coding", tag.id),
                              creatingUser=author, creationDateTime=ann.created)
                _sub(coding, "CodeRef", targetGUID=export_guid(tag.id))
            if ann.note.strip():
                _sub(sel, "NoteRef", targetGUID=derived_guid(ann.id, "note"))

    def _pdf_selections(self, holder: ET.Element, regions: Iterable[AnnotationView]) -> None:
        """Region annotations as ``PDFSelection``: points, top-left origin, 0-based pages
        (as QualCoder reads them; the standard does not settle it)."""
        for ann in regions:
            assert ann.region is not None
            author = self.user_guids.get(ann.author)
            x0, y0, x1, y1 = ann.region.box
            sel = _sub(holder, "PDFSelection", guid=export_guid(ann.id),
                       name=ann.quote or f"Region on page {ann.region.page}",
                       page=str(ann.region.page - 1), firstX=str(round(x0)),
                       firstY=str(round(y0)), secondX=str(round(x1)), secondY=str(round(y1)),
                       creatingUser=author, creationDateTime=ann.created,
                       modifyingUser=author, modifiedDateTime=ann.modified)
            _text(sel, "Description", describe_selection(
                ann.reliability, ann.credibility, ann.status, ann.attribution))
            for tag in ann.tags:
                coding = _sub(sel, "Coding", guid=derived_guid(ann.id, "coding", tag.id),
                              creatingUser=author, creationDateTime=ann.created)
                _sub(coding, "CodeRef", targetGUID=export_guid(tag.id))
            if ann.note.strip():
                _sub(sel, "NoteRef", targetGUID=derived_guid(ann.id, "note"))

    def _note(self, notes: ET.Element, ann: AnnotationView) -> None:
        quote = " ".join(ann.quote.split())
        label = quote if len(quote) <= 60 else quote[:59] + "…"
        note = _sub(notes, "Note", guid=derived_guid(ann.id, "note"), name=f"Note on “{label}”",
                    creatingUser=self.user_guids.get(ann.author), creationDateTime=ann.modified)
        _text(note, "PlainTextContent", ann.note)


def _document_text(dossier: Dossier, document_id: str) -> str:
    with dossier.read() as session:
        return dossier.document_text(session, document_id)


def _source_description(doc: DocumentView) -> str:
    lines = [f"Title: {' '.join(doc.title.split())}"] if doc.title else []
    if doc.url:
        lines.append(f"URL: {doc.url}")
    if doc.author:
        lines.append(f"Author: {' '.join(doc.author.split())}")
    lines.append(f"Original SHA-256: {doc.sha256}")
    lines.append(f"Text SHA-256: {doc.text_sha256}")
    return "\n".join(lines)


def _serialise(root: ET.Element) -> bytes:
    body = ET.tostring(root, encoding="unicode")
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + body + "\n").encode("utf-8")


def project_xml(dossier: Dossier, selection: Selection) -> tuple[bytes, dict[str, Path | bytes]]:
    """The ``project.qde`` bytes and the package files (name → bytes or a path to copy)."""
    builder = _ProjectBuilder(dossier, selection)
    root = builder.build()
    ET.register_namespace("", PROJECT_NS)
    ET.indent(root, space=" ")
    return _serialise(root), builder.files


def _zip_time(stamp: str) -> tuple[int, int, int, int, int, int]:
    digits = [int(x) for x in re.findall(r"\d+", stamp)[:6]]
    year, month, day, hour, minute, second = (digits + [1980, 1, 1, 0, 0, 0][len(digits):])[:6]
    return (max(1980, year), month, day, hour, minute, second)


def _write_zip(path: Path, entries: dict[str, Path | bytes], stamp: str) -> None:
    try:
        with zipfile.ZipFile(path, "w") as archive:
            for name, content in entries.items():
                info = zipfile.ZipInfo(name, _zip_time(stamp))
                info.external_attr = 0o644 << 16
                is_pdf = name.endswith(".pdf")
                info.compress_type = zipfile.ZIP_STORED if is_pdf else zipfile.ZIP_DEFLATED
                if isinstance(content, Path):
                    with content.open("rb") as src, archive.open(info, "w",
                                                                 force_zip64=True) as dst:
                        while chunk := src.read(1 << 20):
                            dst.write(chunk)
                else:
                    archive.writestr(info, content)
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def write_qdpx(dossier: Dossier, selection: Selection, path: Path) -> list[str]:
    """Write the selection as a ``.qdpx`` package (checked against the REFI-QDA schema).

    Returns notes for the user about what the package cannot carry.
    """
    from app.exchange.refi.schema import check_project

    missing = [d.title for d in selection.documents
               if d.kind == "pdf" and not dossier.originals.has(d.sha256)]
    if missing:
        raise BadInput(f"the original of '{missing[0]}' is missing from the dossier; run "
                       "'dossier verify'")
    data, files = project_xml(dossier, selection)
    if len(selection.annotations) <= VALIDATE_UP_TO:
        check_project(data)
    _write_zip(path, {PROJECT_FILE: data, **files}, selection.exported_at)
    html = sum(1 for d in selection.documents if d.kind == "html")
    notes = []
    if html:
        notes.append(f"{html} web page(s) are in the package as their extracted text (REFI-QDA "
                     "text sources); the saved HTML stays in the dossier")
    return notes


def codebook_xml(selection: Selection) -> bytes:
    """The ``.qdc`` document: ``CodeBook`` in the codebook namespace, holding ``Codes``."""
    ET.register_namespace("", CODEBOOK_NS)
    root = ET.Element(f"{{{CODEBOOK_NS}}}CodeBook", {"origin": ORIGIN})
    _codes(_sub(root, "Codes", CODEBOOK_NS), selection.tags, CODEBOOK_NS)
    ET.indent(root, space=" ")
    return _serialise(root)


def write_qdc(selection: Selection, path: Path) -> list[str]:
    """Write the codebook of ``selection`` as a standalone ``.qdc`` file."""
    path.write_bytes(codebook_xml(selection))
    return []

"""REFI-QDA with other tools' habits: hand-made packages in each position convention, and a
round trip through a package rewritten the way QualCoder writes it.

Each hand-made package knows the passages its sender meant. After import every passage is on
the meant words, or flagged fuzzy (listed by ``annotations --anchor fuzzy``); none is exact on
other words.
"""

from __future__ import annotations

import re
import shutil
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from app.dossier import Dossier
from app.exchange import export
from app.services import annotations, codebook
from app.services.imports import import_file
from app.services.sets.merge import import_set
from tests.helpers.corpus import corpus_dir

NS = "urn:QDA-XML:project:1.0"
Q = f"{{{NS}}}"
CODE = "5D9A1F0E-3C2B-4A1D-9E8F-7A6B5C4D3E2F"
USER = "8A2D4C3B-6F5E-4D4A-8B1C-AD9E8F7A6B5C"
SOURCE = "7F1C3B2A-5E4D-4C3F-9A0B-9C8D7E6F5A4B"

#: A Hungarian interview with emoji and Windows line ends (what broke the NVivo import).
TEXT = ("Interjú, 2023. március 😀\r\n"
        "Kérdező: Mi történt a pénzzel? 🤔\r\n"
        "Válaszadó: A pénz eltűnt a számláról 💸💸, és senki nem szólt.\r\n"
        "Kérdező: Ki írta alá a szerződést?\r\n"
        "Válaszadó: A miniszter aláírta a szerződést 👍 még januárban.\r\n"
        "Vége az interjúnak. 🙏")
MEANT = ["A pénz eltűnt a számláról", "senki nem szólt", "Ki írta alá a szerződést",
         "A miniszter aláírta a szerződést", "még januárban", "Vége az interjúnak",
         "Mi történt a pénzzel"]


def _count(raw: str, index: int, *, utf16: bool, crlf: int, bom: bool) -> int:
    before = raw[:index]
    n = len(before.encode("utf-16-le")) // 2 if utf16 else len(before)
    return n - (before.count("\r\n") if crlf == 1 else 0) + int(bom)


def _package(path: Path, origin: str, *, utf16: bool, crlf: int, bom_in_file: bool,
             bom_counted: bool, names: str) -> tuple[Path, dict[str, str]]:
    """A .qdpx holding TEXT and one selection per meant passage; returns it and guid->meant."""
    selections = []
    meant = {}
    for i, words in enumerate(MEANT):
        at = TEXT.index(words)
        start = _count(TEXT, at, utf16=utf16, crlf=crlf, bom=bom_counted)
        end = _count(TEXT, at + len(words), utf16=utf16, crlf=crlf, bom=bom_counted)
        guid = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{origin}:{i}")).upper()
        meant[guid.lower()] = words
        name = {"none": "", "full": f' name="{words}"',
                "truncated": f' name="{words[:12]}..."'}[names]
        selections.append(
            f'<PlainTextSelection guid="{guid}"{name} startPosition="{start}" '
            f'endPosition="{end}" creatingUser="{USER}" creationDateTime="2024-05-01T09:30:00Z">'
            f'<Coding guid="{str(uuid.uuid4()).upper()}" creatingUser="{USER}">'
            f'<CodeRef targetGUID="{CODE}"/></Coding></PlainTextSelection>')
    qde = (f'<?xml version="1.0" encoding="utf-8"?>\n<Project xmlns="{NS}" name="Interjúk" '
           f'origin="{origin}"><Users><User guid="{USER}" name="Réka"/></Users>'
           f'<CodeBook><Codes><Code guid="{CODE}" name="Pénzügyek" isCodable="true"/></Codes>'
           f'</CodeBook><Sources><TextSource guid="{SOURCE}" name="Interjú 1" '
           f'plainTextPath="internal://{SOURCE}.txt">{"".join(selections)}</TextSource>'
           f'</Sources></Project>')
    data = TEXT.encode("utf-8")
    if bom_in_file:
        data = b"\xef\xbb\xbf" + data
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("project.qde", qde)
        zf.writestr(f"Sources/{SOURCE}.txt", data)
    return path, meant


CONVENTIONS = {
    "nvivo-utf16-crlf2": dict(origin="NVivo 12.6 (Windows)", utf16=True, crlf=2,
                              bom_in_file=True, bom_counted=False, names="none"),
    "atlas-utf16-crlf1-truncated-names": dict(origin="ATLAS.ti 9", utf16=True, crlf=1,
                                              bom_in_file=False, bom_counted=False,
                                              names="truncated"),
    "qualcoder-codepoints-bom": dict(origin="QualCoder 3.5", utf16=False, crlf=2,
                                     bom_in_file=True, bom_counted=False, names="full"),
    "unknown-codepoints-bom-counted": dict(origin="Kodierer 1.0", utf16=False, crlf=2,
                                           bom_in_file=True, bom_counted=True, names="none"),
    "unknown-utf16-no-origin": dict(origin="", utf16=True, crlf=2, bom_in_file=False,
                                    bom_counted=False, names="none"),
}


@pytest.mark.parametrize("case", sorted(CONVENTIONS))
def test_every_passage_lands_on_the_meant_words_or_is_flagged(
        dossier: Dossier, tmp_path: Path, case: str) -> None:
    path, meant = _package(tmp_path / f"{case}.qdpx", **CONVENTIONS[case])  # type: ignore[arg-type]
    summary = import_set(dossier, path)
    assert not summary.unanchored and not summary.skipped
    found = {a.id: a for a in annotations.list_annotations(dossier)}
    assert set(found) == set(meant)  # none lost
    for ann_id, words in meant.items():
        ann = found[ann_id]
        if ann.anchor == "exact":
            assert ann.quote == words, f"{case}: exact on other words"
        else:
            assert ann.anchor == "fuzzy"
    exact = [a for a in found.values() if a.anchor == "exact"]
    # every convention here is recognisable from quotes or whole words: all exact
    assert len(exact) == len(meant), summary.lines()
    assert "Pénzügyek" in {t.path.rsplit("/", 1)[-1] for a in exact for t in a.tags}


def test_a_passage_that_cannot_be_verified_is_flagged_and_listed(
        dossier: Dossier, tmp_path: Path) -> None:
    # One selection only, in a text where UTF-16 units and code points both land on whole
    # words ("a" or "!"): without a quote nothing says which the sender meant.
    text = "😀 a!b"
    qde = (f'<?xml version="1.0" encoding="utf-8"?>\n<Project xmlns="{NS}" name="x" '
           f'origin="Kodierer"><CodeBook><Codes><Code guid="{CODE}" name="C" isCodable="true"/>'
           f'</Codes></CodeBook><Sources><TextSource guid="{SOURCE}" name="T" '
           f'plainTextPath="internal://{SOURCE}.txt"><PlainTextSelection guid="{USER}" '
           f'startPosition="3" endPosition="4"><Coding guid="{CODE[:-1]}0"><CodeRef '
           f'targetGUID="{CODE}"/></Coding></PlainTextSelection></TextSource></Sources>'
           f'</Project>')
    path = tmp_path / "one.qdpx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("project.qde", qde)
        zf.writestr(f"sources/{SOURCE}.txt", text.encode("utf-8"))
    summary = import_set(dossier, path)
    assert len(summary.added) == 1
    assert [f["anchor"] for f in summary.flagged] == ["fuzzy"]
    assert any("flagged fuzzy" in line and "--anchor fuzzy" in line for line in summary.lines())
    (ann,) = annotations.list_annotations(dossier, anchor="fuzzy")
    assert ann.id == USER.lower()


def test_positions_outside_the_text_are_listed_not_dropped(dossier: Dossier,
                                                           tmp_path: Path) -> None:
    path, _ = _package(tmp_path / "p.qdpx", **CONVENTIONS["qualcoder-codepoints-bom"])  # type: ignore[arg-type]
    with zipfile.ZipFile(path) as zf:
        qde = zf.read("project.qde").decode("utf-8")
        text = zf.read(f"Sources/{SOURCE}.txt")
    qde = qde.replace('endPosition="', 'endPosition="9999', 1)
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("project.qde", qde)
        zf.writestr(f"Sources/{SOURCE}.txt", text)
    summary = import_set(dossier, path)
    assert len(summary.added) == len(MEANT) - 1
    (skipped,) = summary.skipped
    assert "do not fit the text" in skipped["reason"]
    assert any(line.startswith("  not imported:") for line in summary.lines())


# -- round trip: Dossier -> .qdpx -> (QualCoder) -> empty dossier --------------------------------

@pytest.fixture
def other(template_dossier: Path, tmp_path: Path) -> Iterator[Dossier]:
    """A second, empty dossier (user ``bob``)."""
    target = tmp_path / "other"
    shutil.copytree(template_dossier, target)
    d = Dossier.open(target, user="bob")
    yield d
    d.close()


def _annotate(dossier: Dossier, doc_id: str, quote: str, tags: list[str], note: str) -> None:
    with dossier.read() as session:
        text = dossier.document_text(session, doc_id)
        tag_ids = [codebook.resolve_tag(session, t).id for t in tags]
    start, end = annotations.find_quote(text, quote)
    annotations.create_annotation(dossier, doc_id, start, end, tag_ids, note=note)


@pytest.fixture
def three_kinds(dossier: Dossier) -> Dossier:
    """A web page, a text and a PDF from the corpus, each annotated with tags and notes."""
    corpus = corpus_dir()
    if corpus is None:
        pytest.skip("../shared/corpus not found beside the checkout")
    for name in ("html/knowtechie.com.rally.html", "text/the-week-north-korea-overseas-workers.txt",
                 "pdf/2023-06-20-PV.pdf"):
        doc = import_file(dossier, corpus / name).document
        with dossier.read() as session:
            text = dossier.document_text(session, doc.id)
        words = list(re.finditer(r"\w{4,}", text))
        for i, at in enumerate((7, 60, 150)):
            quote = text[words[at].start():words[at + 2].end()]
            tags = ["Retention of identity documents"] if i % 2 else \
                ["Restriction of movement", "Recruitment or dispatch agency"]
            _annotate(dossier, doc.id, quote, tags, f"Note {i} on {doc.kind}: check “{quote}”.")
    return dossier


def _facts(dossier: Dossier) -> set[tuple[str, str, str, tuple[str, ...]]]:
    from app.services.documents import list_documents

    titles = {d.id: d.title for d in list_documents(dossier)}
    return {(titles[a.document_id], a.quote, a.note, tuple(sorted(t.path for t in a.tags)))
            for a in annotations.list_annotations(dossier)}


def _qualcoder_rewrite(src: Path, dst: Path) -> None:
    """Rewrite a package as QualCoder writes it: text files with a BOM and CRLF (positions as
    counted on its LF text), one selection per code, notes only in the Description, its own
    GUIDs and origin."""
    ET.register_namespace("", NS)
    with zipfile.ZipFile(src) as zf:
        root = ET.fromstring(zf.read("project.qde"))
        files = {n: zf.read(n) for n in zf.namelist() if n != "project.qde"}
    root.set("origin", "QualCoder 3.6")
    for holder in root.iter():
        for note_ref in holder.findall(f"{Q}NoteRef"):
            holder.remove(note_ref)
        selections = holder.findall(f"{Q}PlainTextSelection")
        for sel in selections:
            index = list(holder).index(sel)
            holder.remove(sel)
            codings = sel.findall(f"{Q}Coding")
            for offset, coding in enumerate(codings or [None]):
                copy = ET.Element(sel.tag, dict(sel.attrib))
                copy.set("guid", str(uuid.uuid4()))
                description = sel.find(f"{Q}Description")
                if description is not None:
                    copy.append(description)
                if coding is not None:
                    copy.append(coding)
                holder.insert(index + offset, copy)
    notes = root.find(f"{Q}Notes")
    if notes is not None:
        root.remove(notes)
    out = {}
    for name, data in files.items():
        out[name] = (b"\xef\xbb\xbf" + data.decode("utf-8").replace("\n", "\r\n").encode("utf-8")
                     if name.endswith(".txt") else data)
    with zipfile.ZipFile(dst, "w") as zf:
        zf.writestr("project.qde", ET.tostring(root, encoding="unicode"))
        for name, data in out.items():
            zf.writestr(name, data)


@pytest.mark.slow  # imports and extracts corpus documents
def test_round_trip_through_qdpx_and_qualcoder_keeps_every_annotation_note_and_tag(
        three_kinds: Dossier, template_dossier: Path, tmp_path: Path) -> None:
    before = _facts(three_kinds)
    assert len({f[0] for f in before}) == 3 and len(before) >= 8
    package = export(three_kinds, "qdpx", tmp_path / "out.qdpx").path
    with zipfile.ZipFile(package) as zf:
        qde = zf.read("project.qde").decode("utf-8")
    assert "<PDFSelection" in qde and "<Representation" in qde
    rewritten = tmp_path / "qualcoder.qdpx"
    _qualcoder_rewrite(package, rewritten)
    for i, path in enumerate((package, rewritten)):
        target = tmp_path / f"empty{i}"
        shutil.copytree(template_dossier, target)
        other = Dossier.open(target, user="bob")
        try:
            summary = import_set(other, path)
            assert not summary.unanchored and not summary.documents_missing, summary.lines()
            assert len(summary.documents_imported) == 3
            assert _facts(other) == before, path.name
            assert all(a.anchor == "exact" for a in annotations.list_annotations(other))
        finally:
            other.close()


@pytest.mark.slow  # imports and extracts corpus documents
def test_a_genuinely_altered_source_is_refused_saying_what_differs(
        three_kinds: Dossier, template_dossier: Path, tmp_path: Path) -> None:
    from app.errors import BadInput

    package = export(three_kinds, "qdpx", tmp_path / "out.qdpx").path
    with zipfile.ZipFile(package) as zf:
        files = {n: zf.read(n) for n in zf.namelist()}
    text_name = next(n for n, d in files.items() if n.endswith(".txt")
                     and b"North Korea" in d)
    pdf_name = next(n for n in files if n.endswith(".pdf"))
    cases = {
        "text": {**files, text_name: files[text_name].replace(b"North Korea", b"South Korea")},
        "pdf": {**files, pdf_name: files[pdf_name] + b"\n% appended\n"},
    }
    for case, contents in cases.items():
        altered = tmp_path / f"altered-{case}.qdpx"
        with zipfile.ZipFile(altered, "w") as zf:
            for name, data in contents.items():
                zf.writestr(name, data)
        target = tmp_path / f"empty-{case}"
        shutil.copytree(template_dossier, target)
        other = Dossier.open(target, user="bob")
        try:
            with pytest.raises(BadInput, match="was altered: .*hashes to .* record") as caught:
                import_set(other, altered)
            assert "nothing was imported" in str(caught.value)
            assert not annotations.list_annotations(other)
        finally:
            other.close()


@pytest.mark.slow  # imports and extracts corpus documents
def test_export_gives_qualcoder_what_it_reads(three_kinds: Dossier, tmp_path: Path) -> None:
    """QualCoder reads a selection's memo from its Description (not NoteRefs), a PDF's text
    from its Representation's plain-text file, and coded PDF areas from PDFSelection (points,
    top-left origin, 0-based page)."""
    package = export(three_kinds, "qdpx", tmp_path / "out.qdpx").path
    with zipfile.ZipFile(package) as zf:
        root = ET.fromstring(zf.read("project.qde"))
        names = set(zf.namelist())
    notes = {n.get("guid"): (n.findtext(f"{Q}PlainTextContent") or "")
             for n in root.iter(f"{Q}Note")}
    selections = list(root.iter(f"{Q}PlainTextSelection"))
    assert selections
    for sel in selections:
        refs = [r.get("targetGUID") for r in sel.findall(f"{Q}NoteRef")]
        description = sel.findtext(f"{Q}Description") or ""
        for ref in refs:
            assert description.startswith(notes[ref].strip())
    (pdf,) = list(root.iter(f"{Q}PDFSource"))
    rep = pdf.find(f"{Q}Representation")
    assert rep is not None
    assert rep.get("plainTextPath", "").replace("internal://", "sources/") in names
    from app.services.documents import list_documents, page_geometry

    doc = next(d for d in list_documents(three_kinds) if d.kind == "pdf")
    geometry = page_geometry(three_kinds, doc.id)
    pdf_anns = [a for a in annotations.list_annotations(three_kinds) if a.document_id == doc.id]
    areas = pdf.findall(f"{Q}PDFSelection")
    assert len(areas) == len(pdf_anns) == 3
    for area, ann in zip(areas, pdf_anns, strict=True):
        page, x0, y0, x1, y1 = (int(area.get(k, "")) for k in
                                ("page", "firstX", "firstY", "secondX", "secondY"))
        assert page == (ann.page_start or 1) - 1  # 0-based
        size = geometry[page]
        assert 0 <= x0 < x1 <= size.width + 1 and 0 <= y0 < y1 <= size.height + 1
        assert len(area.findall(f"{Q}Coding")) == len(ann.tags)

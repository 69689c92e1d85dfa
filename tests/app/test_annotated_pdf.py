"""Annotated PDF: real /Highlight annotations that sit over the annotated words, in any reader.

The words under each highlight are read back with pdfium (pypdfium2) in PDF user space, which
does not share any code with Dossier's conversion from displayed-page boxes, so a wrong
rotation or origin shows up as wrong words.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pdfplumber
import pypdfium2 as pdfium
import pytest
from pypdf import PdfReader

from app.dossier import Dossier
from app.errors import BadInput
from app.exchange.annotated_pdf.export import (
    annotate_pdf,
    export_annotated_pdfs,
    write_annotated_pdf,
)
from app.exchange.filters import ExportFilter, select_for_export
from app.services import annotations, codebook
from app.services.annotations import AnnotationView
from app.services.documents import DocumentView, document_text, page_geometry
from app.services.imports import import_file
from tests.helpers.corpus import corpus_dir, requires_corpus
from tests.helpers.documents import add_text_document

pytestmark = [requires_corpus, pytest.mark.corpus]

QUOTES = {
    "federal-register-2020-17221.pdf": [
        ("Proposed Rules", "Deception", ""),
        (
            "The purpose of these notices is to give interested persons an opportunity to "
            "participate in the rule making",
            "Use of proceeds",
            "Spans three lines.",
        ),
        (
            "Airworthiness Directives; The Boeing Company Airplanes",
            "Employer or worksite",
            "Title of the rule",
        ),
    ],
    "nics-background-checks-2015-11-rotated.pdf": [
        ("NICS Firearm Background Checks", "Scale and statistics", "Rotated page title"),
        ("November - 2015", "Deception", ""),
        ("State / Territory", "Sanctions and legal framework", "Header cell"),
    ],
}


@dataclass
class Exported:
    """The dossier, its PDF documents, their annotations and the annotated files."""

    dossier: Dossier
    documents: dict[str, DocumentView]
    annotations: dict[str, list[AnnotationView]]
    files: dict[str, Path]


def _squash(text: str) -> str:
    return "".join(text.split())


@pytest.fixture(scope="module")
def exported(
    template_dossier: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Exported]:
    """Both PDFs imported, annotated and exported once for every test in this module."""
    folder = tmp_path_factory.mktemp("annotated") / "dossier"
    shutil.copytree(template_dossier, folder)
    dossier = Dossier.open(folder, user="alice")
    corpus = corpus_dir()
    assert corpus is not None
    docs: dict[str, DocumentView] = {}
    anns: dict[str, list[AnnotationView]] = {}
    with dossier.read() as session:
        tags = {t.name: t.id for t in codebook.list_tags(session)}
    for name, quotes in QUOTES.items():
        result = import_file(dossier, corpus / "pdf" / name)
        assert result.document is not None, result.message
        doc = result.document
        text = document_text(dossier, doc.id)
        docs[name] = doc
        anns[name] = []
        for quote, tag, note in quotes:
            start, end = annotations.find_quote(text, quote)
            anns[name].append(
                annotations.create_annotation(
                    dossier,
                    doc.id,
                    start,
                    end,
                    [tags[tag]],
                    note=note,
                    reliability="C",
                    credibility=3,
                )
            )
    out = tmp_path_factory.mktemp("annotated-out")
    result = export_annotated_pdfs(dossier, select_for_export(dossier), out)
    assert result.skipped == []
    assert result.highlights == sum(len(q) for q in QUOTES.values())
    files = {name: next(f for f in result.files if f.name.startswith(name[:-4])) for name in QUOTES}
    yield Exported(dossier, docs, anns, files)
    dossier.close()


def _highlights(path: Path) -> list[dict]:  # type: ignore[type-arg]
    reader = PdfReader(path)
    found = []
    for number, page in enumerate(reader.pages):
        for ref in page.get("/Annots") or []:
            annot = ref.get_object()
            if annot.get("/Subtype") == "/Highlight":
                found.append({"page": number, **{k: annot[k] for k in annot}})
    return found


def _text_under(path: Path, page_index: int, quads: list[float]) -> str:
    """Characters whose centre lies inside one of the quads, in pdfium's reading order."""
    pdf = pdfium.PdfDocument(str(path))
    try:
        textpage = pdf[page_index].get_textpage()
        rects = []
        for i in range(0, len(quads), 8):
            xs, ys = quads[i : i + 8 : 2], quads[i + 1 : i + 8 : 2]
            rects.append((min(xs), min(ys), max(xs), max(ys)))
        chars = []
        for i in range(textpage.count_chars()):
            left, bottom, right, top = textpage.get_charbox(i)
            cx, cy = (left + right) / 2, (bottom + top) / 2
            if any(x0 <= cx <= x1 and y0 <= cy <= y1 for x0, y0, x1, y1 in rects):
                chars.append(textpage.get_text_range(i, 1))
        return "".join(chars)
    finally:
        pdf.close()


@pytest.mark.parametrize("name", list(QUOTES))
def test_each_annotation_is_one_highlight_over_its_words(exported: Exported, name: str) -> None:
    highlights = _highlights(exported.files[name])
    by_id = {str(h["/NM"]): h for h in highlights}
    expected = exported.annotations[name]
    assert set(by_id) == {a.id for a in expected}
    for ann in expected:
        found = by_id[ann.id]
        assert found["page"] + 1 == ann.page_start
        quads = [float(v) for v in found["/QuadPoints"]]
        assert len(quads) % 8 == 0 and quads
        under = _text_under(exported.files[name], found["page"], quads)
        assert _squash(under) == _squash(ann.quote), (ann.quote, under)


def test_highlight_carries_tags_note_author_colour_and_popup(exported: Exported) -> None:
    name = "federal-register-2020-17221.pdf"
    ann = exported.annotations[name][1]
    [found] = [h for h in _highlights(exported.files[name]) if h["/NM"] == ann.id]
    contents = str(found["/Contents"])
    assert "Funding flows/Use of proceeds" in contents and "Spans three lines." in contents
    assert "Grade C3" in contents
    assert str(found["/T"]) == "alice"
    colour = ann.tags[0].colour
    assert [round(float(c) * 255) for c in found["/C"]] == [
        int(colour[i : i + 2], 16) for i in (1, 3, 5)
    ]
    popup = found["/Popup"].get_object()
    assert popup["/Subtype"] == "/Popup" and popup["/Parent"].get_object()["/NM"] == ann.id
    assert "/N" in found["/AP"]


def test_original_is_kept_byte_for_byte_with_its_own_annotations(exported: Exported) -> None:
    name = "federal-register-2020-17221.pdf"
    doc = exported.documents[name]
    original = exported.dossier.originals.read(doc.sha256)
    annotated = exported.files[name].read_bytes()
    assert annotated.startswith(original) and len(annotated) > len(original)
    before = PdfReader(exported.dossier.originals.path_for(doc.sha256)).pages[0]["/Annots"]
    after = PdfReader(exported.files[name]).pages[0]["/Annots"]
    kinds_before = [a.get_object()["/Subtype"] for a in before]
    kinds_after = [a.get_object()["/Subtype"] for a in after]
    assert kinds_after[: len(kinds_before)] == kinds_before
    assert kinds_after.count("/Highlight") == 3 and kinds_after.count("/Popup") == 3
    opened = pdfium.PdfDocument(str(exported.files[name]))
    assert len(opened) == 15
    opened.close()
    with pdfplumber.open(exported.files[name]) as pdf:
        assert len(pdf.pages) == 15
        assert "Airworthiness Directives; The Boeing" in (pdf.pages[0].extract_text() or "")


def test_an_annotation_across_pages_gets_a_highlight_on_each(
    exported: Exported, tmp_path: Path
) -> None:
    name = "federal-register-2020-17221.pdf"
    doc = exported.documents[name]
    [first, second] = page_geometry(exported.dossier, doc.id)[:2]
    ann = annotations.create_annotation(
        exported.dossier, doc.id, first.end - 40, second.start + 30, []
    )
    out = tmp_path / "across.pdf"
    result = annotate_pdf(exported.dossier, doc, [ann], out)
    assert result.highlights == 2 and result.skipped == []
    found = {str(h["/NM"]): h for h in _highlights(out) if "/NM" in h}
    assert set(found) == {ann.id, f"{ann.id}-p2"}
    assert (found[ann.id]["page"], found[f"{ann.id}-p2"]["page"]) == (0, 1)
    under = "".join(
        _text_under(out, found[key]["page"], [float(v) for v in found[key]["/QuadPoints"]])
        for key in (ann.id, f"{ann.id}-p2")
    )
    assert _squash(under) == _squash(ann.quote)


def test_annotated_copy_is_drawn_where_the_words_are(exported: Exported) -> None:
    name = "nics-background-checks-2015-11-rotated.pdf"
    ann = exported.annotations[name][0]
    pdf = pdfium.PdfDocument(str(exported.files[name]))
    plain = pdfium.PdfDocument(
        str(exported.dossier.originals.path_for(exported.documents[name].sha256))
    )
    try:
        marked = pdf[0].render(scale=1, may_draw_forms=False).to_pil().convert("RGB")
        clean = plain[0].render(scale=1, may_draw_forms=False).to_pil().convert("RGB")
        assert marked.size == clean.size == (612, 1008)  # displayed (rotated) page
        [found] = [h for h in _highlights(exported.files[name]) if h["/NM"] == ann.id]
        # Where the title is drawn on the displayed page the pixels changed; far away they did not.
        x0, y0, x1, y1 = (float(v) for v in found["/Rect"])
        (dx0, dy0), (dx1, dy1) = (_to_device(pdf[0], x, y) for x, y in ((x0, y0), (x1, y1)))
        inside = (int((dx0 + dx1) / 2), int((dy0 + dy1) / 2))
        changed = sum(
            marked.getpixel((x, y)) != clean.getpixel((x, y))
            for x in range(int(min(dx0, dx1)), int(max(dx0, dx1)))
            for y in range(int(min(dy0, dy1)), int(max(dy0, dy1)))
        )
        area = abs(dx1 - dx0) * abs(dy1 - dy0)
        assert changed > 0.5 * area, (inside, changed, area)
        assert marked.crop((0, 0, 300, 300)).tobytes() == clean.crop((0, 0, 300, 300)).tobytes()
    finally:
        pdf.close()
        plain.close()


def _to_device(page: pdfium.PdfPage, x: float, y: float) -> tuple[float, float]:
    """A user-space point on the rendered (rotated, scale 1) page image, via pdfium."""
    import ctypes

    from pypdfium2 import raw

    width, height = (int(v) for v in page.get_size())
    dx, dy = ctypes.c_int(), ctypes.c_int()
    raw.FPDF_PageToDevice(page.raw, 0, 0, width, height, 0, x, y, dx, dy)
    return float(dx.value), float(dy.value)


def test_a_selection_without_pdfs_is_refused(dossier: Dossier, tmp_path: Path) -> None:
    doc = add_text_document(dossier, "Wages were withheld.")
    annotations.create_annotation(dossier, doc.id, 0, 5)
    with pytest.raises(BadInput, match="no PDF"):
        write_annotated_pdf(
            dossier, select_for_export(dossier, ExportFilter((doc.id,))), tmp_path / "x.pdf"
        )
    assert not (tmp_path / "x.pdf").exists()


def test_an_encrypted_pdf_is_refused_cleanly(dossier: Dossier, tmp_path: Path) -> None:
    corpus = corpus_dir()
    assert corpus is not None
    result = import_file(dossier, corpus / "bad" / "password-example.pdf", password="test")
    assert result.document is not None, result.message
    text = document_text(dossier, result.document.id)
    annotations.create_annotation(dossier, result.document.id, 0, min(5, len(text)))
    out = tmp_path / "locked.pdf"
    with pytest.raises(BadInput, match="encrypted"):
        write_annotated_pdf(dossier, select_for_export(dossier), out)
    assert not out.exists()

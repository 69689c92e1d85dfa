"""REFI-QDA: the exported project validates and round-trips; foreign quirks and attacks are handled.

Hand-made packages below imitate what other QDA tools write (FORMATS.md §3). Positions in a CRLF
text file are taken as counted on the file as stored (CRLF = 2), unless the selections' names
show CRLF counted as one, or the project comes from ATLAS.ti, which counts it as one.
"""

from __future__ import annotations

import io
import uuid
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
import xmlschema
from pypdf import PdfWriter

from app.dossier import Dossier
from app.errors import BadInput
from app.exchange.filters import select_for_export
from app.exchange.refi.model import export_qdc, export_qdpx, read_qdpx
from app.importers.base import ExtractedDocument, ExtractedPage
from app.services import annotations, codebook
from app.services.documents import store_document
from tests.helpers.documents import add_text_document
from tests.helpers.review import REVIEWER, create_with_status

REPO = Path(__file__).resolve().parents[2]
SCHEMA = REPO / "resources" / "refi" / "project-1.0.xsd"
SHARED_SCHEMA = REPO.parent / "shared" / "standards" / "refi-qda-project-1.0.xsd"
NS = {"q": "urn:QDA-XML:project:1.0"}
ARTICLE = (
    "Managers confiscated the workers' passports on arrival.\n\n"
    "Most of the wages were deposited into accounts controlled by the state. "
    "Workers said <script>alert('x')</script> they could not leave."
)
PDF_TEXT = "Annual report\n\nThe agency dispatched 300 workers to Russia in 2023."


def _tag(dossier: Dossier, spec: str) -> str:
    with dossier.read() as session:
        return codebook.resolve_tag(session, spec).id


def _blank_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(612, 792)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _add_pdf(dossier: Dossier) -> str:
    """A PDF document (a real blank PDF as original; the text stands in for its extraction)."""
    from array import array

    page = ExtractedPage(
        PDF_TEXT, array("f", [0.0] * 4 * len(PDF_TEXT)), bytes(len(PDF_TEXT)), 612, 792
    )
    extracted = ExtractedDocument(
        kind="pdf", text=PDF_TEXT, title="Agency report", pages=[page], extractor="test"
    )
    doc, _ = store_document(dossier, _blank_pdf(), extracted, source="test", filename="r.pdf")
    return doc.id


@pytest.fixture
def annotated(any_dossier: Dossier) -> Dossier:
    """A dossier (a folder, or a team dossier) with an article and a PDF, annotated with tags,
    notes, grades and statuses: the round trips run on both engines."""
    dossier = any_dossier
    doc = add_text_document(dossier, ARTICLE, "Overseas workers & <their> wages")
    pdf_id = _add_pdf(dossier)

    def span(text: str, quote: str) -> tuple[int, int]:
        return annotations.find_quote(text, quote)

    a, b = span(ARTICLE, "confiscated the workers' passports")
    create_with_status(
        dossier,
        doc.id,
        a,
        b,
        [
            _tag(dossier, "Retention of identity documents"),
            _tag(dossier, "Restriction of movement"),
        ],
        note="Second source: UN panel report.\nCheck date.",
        attribution="Former worker",
        reliability="B",
        credibility=2,
        status="approved",
    )
    a, b = span(ARTICLE, "deposited into accounts controlled by the state")
    create_with_status(
        dossier,
        doc.id,
        a,
        b,
        [_tag(dossier, "Wage deposits to state-controlled accounts")],
        credibility=3,
        status="changes_requested",
    )
    a, b = span(ARTICLE, "<script>alert('x')</script>")
    annotations.create_annotation(dossier, doc.id, a, b, [])
    a, b = span(PDF_TEXT, "dispatched 300 workers to Russia")
    annotations.create_annotation(
        dossier,
        pdf_id,
        a,
        b,
        [_tag(dossier, "Recruitment or dispatch agency")],
        note="Numbers match the ministry's.",
    )
    codebook.create_tag(
        dossier, "Front companies", parent="Funding flows/Evasion channels", colour="#123ABC"
    )
    return dossier


def _export(dossier: Dossier, path: Path) -> Path:
    assert export_qdpx(dossier, select_for_export(dossier), path) == []
    return path


def _qde(path: Path) -> bytes:
    with zipfile.ZipFile(path) as zf:
        return zf.read("project.qde")


# -- export ---------------------------------------------------------------------------------------


def test_exported_project_validates_against_the_schema(annotated: Dossier, tmp_path: Path) -> None:
    if SHARED_SCHEMA.is_file():
        assert SCHEMA.read_bytes() == SHARED_SCHEMA.read_bytes()
    path = _export(annotated, tmp_path / "set.qdpx")
    data = _qde(path)
    assert data.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    xmlschema.XMLSchema(str(SCHEMA)).validate(io.BytesIO(data))

    root = ET.fromstring(data)
    sel = select_for_export(annotated)
    text_doc = next(d for d in sel.documents if d.kind == "text")
    pdf_doc = next(d for d in sel.documents if d.kind == "pdf")
    source = root.find(f"q:Sources/q:TextSource[@guid='{text_doc.id.upper()}']", NS)
    assert (
        source is not None
        and source.get("plainTextPath") == f"internal://{text_doc.id.upper()}.txt"
    )
    pdf = root.find(f"q:Sources/q:PDFSource[@guid='{pdf_doc.id.upper()}']", NS)
    assert pdf is not None and pdf.get("path") == f"internal://{pdf_doc.id.upper()}.pdf"
    rep = pdf.find("q:Representation", NS)
    assert rep is not None and len(rep.findall("q:PlainTextSelection", NS)) == 1
    with zipfile.ZipFile(path) as zf:
        text_bytes = zf.read(f"sources/{text_doc.id.upper()}.txt")
        assert text_bytes == ARTICLE.encode("utf-8")  # LF, UTF-8, no BOM
        assert zf.read(f"sources/{pdf_doc.id.upper()}.pdf") == annotated.originals.read(
            pdf_doc.sha256
        )
        rep_file = rep.get("plainTextPath", "").removeprefix("internal://")
        assert zf.read(f"sources/{rep_file}").decode("utf-8") == PDF_TEXT
    first = source.find("q:PlainTextSelection", NS)
    assert first is not None
    start, end = int(first.get("startPosition", "")), int(first.get("endPosition", ""))
    assert ARTICLE[start:end] == "confiscated the workers' passports"
    assert {
        c.find("q:CodeRef", NS).get("targetGUID")  # type: ignore[union-attr]
        for c in first.findall("q:Coding", NS)
    } == {
        _tag(annotated, "Retention of identity documents").upper(),
        _tag(annotated, "Restriction of movement").upper(),
    }
    note_ref = first.find("q:NoteRef", NS)
    assert note_ref is not None
    note = root.find(f"q:Notes/q:Note[@guid='{note_ref.get('targetGUID')}']", NS)
    assert note is not None
    assert (
        note.findtext("q:PlainTextContent", namespaces=NS)
        == "Second source: UN panel report.\nCheck date."
    )
    assert {u.get("name") for u in root.findall("q:Users/q:User", NS)} == {"alice", REVIEWER}
    category = root.find("q:CodeBook/q:Codes/q:Code[@name='Abuses']", NS)
    assert category is not None and category.get("isCodable") == "false"


def test_reexport_keeps_every_guid(annotated: Dossier, tmp_path: Path) -> None:
    def guids(path: Path) -> set[str]:
        return {e.get("guid", "") for e in ET.fromstring(_qde(path)).iter() if e.get("guid")}

    first = guids(_export(annotated, tmp_path / "a.qdpx"))
    second = guids(_export(annotated, tmp_path / "b.qdpx"))
    assert first == second and len(first) > 40


def test_round_trip_keeps_codebook_quotes_codings_and_judgements(
    annotated: Dossier, tmp_path: Path
) -> None:
    sel = select_for_export(annotated)
    project = read_qdpx(_export(annotated, tmp_path / "set.qdpx"))
    assert project.warnings == []
    got_codes = {project.code_path(c.guid): (c.colour, c.is_codable, c.guid) for c in project.codes}
    assert got_codes == {t.path: (t.colour, t.is_codable, t.id.upper()) for t in sel.tags}
    assert got_codes["Funding flows/Evasion channels/Front companies"][0] == "#123abc"

    docs = {d.guid: d for d in project.documents}
    assert {g.lower() for g in docs} == {d.id for d in sel.documents}
    for doc in sel.documents:
        back = docs[doc.id.upper()]
        assert back.text_sha256 == doc.text_sha256
        assert back.original_sha256 == doc.sha256
        assert back.name == doc.title
    assert docs[next(d.id for d in sel.documents if d.kind == "pdf").upper()].kind == "pdf"

    by_guid = {s.guid.lower(): s for s in project.selections}
    assert set(by_guid) == {a.id for a in sel.annotations}
    for ann in sel.annotations:
        back = by_guid[ann.id]
        assert (back.start, back.end, back.quote) == (ann.start, ann.end, ann.quote)
        assert [project.code_path(c) for c in back.codes] == [t.path for t in ann.tags]
        assert back.note == ann.note
        assert (back.reliability, back.credibility, back.status, back.attribution) == (
            ann.reliability,
            ann.credibility,
            ann.status,
            ann.attribution,
        )
        assert back.creator == "alice"
        assert back.created == ann.created


def test_codebook_qdc(annotated: Dossier, tmp_path: Path) -> None:
    sel = select_for_export(annotated)
    path = tmp_path / "codebook.qdc"
    assert export_qdc(annotated, sel, path) == []
    root = ET.fromstring(path.read_bytes())
    cb = "{urn:QDA-XML:codebook:1.0}"
    assert root.tag == f"{cb}CodeBook" and root.get("origin", "").startswith("Dossier")
    assert [c.tag for c in root] == [f"{cb}Codes"]

    def walk(element: ET.Element, prefix: str) -> list[tuple[str, str, str]]:
        out = []
        for code in element.findall(f"{cb}Code"):
            path = f"{prefix}{code.get('name')}"
            out.append((path, code.get("isCodable", ""), code.get("color", "").lower()))
            out += walk(code, path + "/")
        return out

    assert walk(root.find(f"{cb}Codes"), "") == [  # type: ignore[arg-type]
        (t.path, "true" if t.is_codable else "false", t.colour) for t in sel.tags
    ]
    assert not list(root.iter(f"{cb}NoteRef"))


# -- hand-made packages from other tools -------------------------------------------------------

CODE_A = "5d9a1f0e-3c2b-4a1d-9e8f-7a6b5c4d3e2f"
CODE_B = "6e0b2a1f-4d3c-4b2e-8f9a-8b7c6d5e4f3a"
SOURCE = "7f1c3b2a-5e4d-4c3f-9a0b-9c8d7e6f5a4b"
USER = "8a2d4c3b-6f5e-4d4a-8b1c-ad9e8f7a6b5c"


def _project(sources: str, *, origin: str = "QualCoder 3.5", extra: str = "") -> str:
    return f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Field notes" origin="{origin}">
 <Users><User guid="{USER}" name="Mina"/></Users>
 <CodeBook><Codes>
  <Code guid="{{{CODE_A}}}" name="Abuses" isCodable="false" color="#C0392B">
   <Code guid="{CODE_B}" name="Passports taken" isCodable="true" color="#abc"/>
  </Code>
 </Codes></CodeBook>
 <Sources>{sources}</Sources>{extra}
</Project>"""


def _package(
    path: Path, qde: str | bytes, files: dict[str, bytes], qde_name: str = "project.qde"
) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(qde_name, qde.encode("utf-8") if isinstance(qde, str) else qde)
        for name, data in files.items():
            zf.writestr(name, data)
    return path


def _selection(
    start: int,
    end: int,
    *,
    code: str | None = CODE_B,
    name: str | None = None,
    guid: str = "9b3e5d4c-7a6f-4e5b-9c2d-be0f9a8b7c6d",
    description: str = "",
) -> str:
    named = f' name="{name}"' if name is not None else ""
    desc = f"<Description>{description}</Description>" if description else ""
    coding = (
        (
            f'<Coding guid="{guid[:-1]}0" creatingUser="{USER}">'
            f'<CodeRef targetGUID="{code}"/></Coding>'
        )
        if code
        else ""
    )
    return (
        f'<PlainTextSelection guid="{guid}"{named} startPosition="{start}" '
        f'endPosition="{end}" creatingUser="{USER}" '
        f'creationDateTime="2024-05-01T09:30:00Z">{desc}{coding}</PlainTextSelection>'
    )


def _text_source(selections: str, path: str = f"internal://{SOURCE}.txt") -> str:
    return (
        f'<TextSource guid="{SOURCE}" name="Interview 1" plainTextPath="{path}">'
        f"{selections}</TextSource>"
    )


@pytest.mark.parametrize("folder", ["sources", "Sources", "SOURCES"])
def test_sources_folder_in_any_case(tmp_path: Path, folder: str) -> None:
    text = "They took our passports at the border."
    start = text.index("took")
    qde = _project(_text_source(_selection(start, start + 18)))
    project = read_qdpx(
        _package(tmp_path / "a.qdpx", qde, {f"{folder}/{SOURCE.upper()}.txt": text.encode()})
    )
    assert [d.text for d in project.documents] == [text]
    [sel] = project.selections
    assert sel.quote == "took our passports"
    assert [project.code_path(c) for c in sel.codes] == ["Abuses/Passports taken"]
    assert sel.creator == "Mina" and sel.created == "2024-05-01T09:30:00.000000Z"
    assert project.codes[1].colour == "#aabbcc"


def test_atlas_ti_named_project_file(tmp_path: Path) -> None:
    text = "Wages were paid to the embassy."
    qde = _project(_text_source(_selection(0, 5)), origin="ATLAS.ti 23")
    project = read_qdpx(
        _package(
            tmp_path / "b.qdpx",
            qde,
            {f"sources/{SOURCE}.txt": text.encode()},
            qde_name="Labour study.qde",
        )
    )
    assert project.name == "Field notes"
    assert [s.quote for s in project.selections] == ["Wages"]


CRLF_TEXT = "Intro line\r\nPassports were taken.\r\nEnd of notes."
QUOTE = "Passports were taken."


@pytest.mark.parametrize(
    ("origin", "counted_on", "named"),
    [
        ("MAXQDA 2022", "stored", False),  # the standard: positions over the file as stored
        ("ATLAS.ti 23", "lf", False),  # ATLAS.ti counts CRLF as one character
        ("QualCoder 3.5", "lf", True),  # the selected text in @name decides
        ("QualCoder 3.5", "stored", True),
    ],
)
def test_crlf_text_maps_positions_to_lf(
    tmp_path: Path, origin: str, counted_on: str, named: bool
) -> None:
    counted = CRLF_TEXT if counted_on == "stored" else CRLF_TEXT.replace("\r\n", "\n")
    start = counted.index(QUOTE)
    selection = _selection(start, start + len(QUOTE), name=QUOTE if named else None)
    qde = _project(_text_source(selection), origin=origin)
    project = read_qdpx(
        _package(tmp_path / "c.qdpx", qde, {f"sources/{SOURCE}.txt": CRLF_TEXT.encode()})
    )
    [doc] = project.documents
    assert doc.text == CRLF_TEXT.replace("\r\n", "\n")
    [sel] = project.selections
    assert sel.quote == QUOTE
    assert doc.text[sel.start : sel.end] == QUOTE


def test_bom_is_stripped_before_counting(tmp_path: Path) -> None:
    text = "Überstunden ohne Lohn, sagte der Arbeiter."
    start = text.index("ohne")
    qde = _project(_text_source(_selection(start, start + 9)))
    project = read_qdpx(
        _package(
            tmp_path / "d.qdpx",
            qde,
            {f"sources/{SOURCE}.txt": b"\xef\xbb\xbf" + text.encode("utf-8")},
        )
    )
    assert project.documents[0].text == text
    assert project.selections[0].quote == "ohne Lohn"


def test_guids_in_braces_and_lower_case(tmp_path: Path) -> None:
    text = "Managers kept the passports."
    selection = _selection(
        18,
        27,
        code="{" + CODE_B.lower() + "}",
        guid="{" + "ab3e5d4c-7a6f-4e5b-9c2d-be0f9a8b7c6d" + "}",
    )
    source = (
        f'<TextSource guid="{{{SOURCE.lower()}}}" name="N" '
        f'plainTextPath="internal://{SOURCE.lower()}.txt">{selection}</TextSource>'
    )
    project = read_qdpx(
        _package(
            tmp_path / "e.qdpx", _project(source), {f"Sources/{SOURCE.upper()}.txt": text.encode()}
        )
    )
    assert [c.guid for c in project.codes] == [CODE_A.upper(), CODE_B.upper()]
    assert project.codes[1].parent == CODE_A.upper()
    [sel] = project.selections
    assert sel.guid == "AB3E5D4C-7A6F-4E5B-9C2D-BE0F9A8B7C6D"
    assert sel.source == SOURCE.upper() == project.documents[0].guid
    assert sel.codes == (CODE_B.upper(),) and sel.quote == "passports"


def test_maxqda_selection_without_coding_becomes_a_memo(tmp_path: Path) -> None:
    text = "The contract ran for three years and was renewed without consent."
    memo = "Renewal without consent: compare with the ILO indicators."
    start = text.index("renewed")
    selections = _selection(start, start + 23, code=None, description=memo) + _selection(
        4, 12, guid="9b3e5d4c-7a6f-4e5b-9c2d-be0f9a8b7c6e"
    )
    project = read_qdpx(
        _package(
            tmp_path / "f.qdpx",
            _project(_text_source(selections)),
            {f"sources/{SOURCE}.txt": text.encode()},
        )
    )
    memo_sel, coded = project.selections
    assert memo_sel.codes == () and memo_sel.note == memo
    assert memo_sel.quote == "renewed without consent"
    assert coded.codes == (CODE_B.upper(),) and coded.note == ""
    assert memo_sel.status is None and memo_sel.reliability is None


def test_pdf_source_with_representation(tmp_path: Path) -> None:
    pdf_guid = "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
    rep_guid = "2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e"
    text = "Page one text.\n\nPayments went to a front company."
    start = text.index("front company")
    source = (
        f'<PDFSource guid="{pdf_guid}" name="Ledger" path="internal://{pdf_guid}.pdf">'
        f'<Representation guid="{rep_guid}" plainTextPath="internal://{rep_guid}.txt">'
        f"{_selection(start, start + 13)}</Representation></PDFSource>"
    )
    pdf = _blank_pdf()
    project = read_qdpx(
        _package(
            tmp_path / "g.qdpx",
            _project(source),
            {f"sources/{pdf_guid}.pdf": pdf, f"sources/{rep_guid}.txt": text.encode()},
        )
    )
    [doc] = project.documents
    assert (doc.kind, doc.data, doc.text) == ("pdf", pdf, text)
    assert project.selections[0].quote == "front company"
    assert project.selections[0].source == pdf_guid.upper()


@pytest.mark.parametrize("scheme", ["absolute", "relative"])
def test_paths_outside_the_package_are_never_read(tmp_path: Path, scheme: str) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("local secret that must not be imported")
    path = f"absolute://{secret}" if scheme == "absolute" else "relative://secret.txt"
    qde = _project(_text_source(_selection(0, 5), path=path)).replace(
        'origin="QualCoder 3.5"', f'origin="QualCoder 3.5" basePath="{tmp_path}"'
    )
    project = read_qdpx(_package(tmp_path / "h.qdpx", qde, {}))
    assert project.documents == [] and project.selections == []
    assert any("secret.txt" in w and "skipped" in w for w in project.warnings)


# -- hostile input ------------------------------------------------------------------------------


def test_external_entity_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "passwd"
    secret.write_text("root:x:0:0:SECRET")
    qde = (
        f'<?xml version="1.0"?>\n<!DOCTYPE Project [<!ENTITY xxe SYSTEM "file://{secret}">]>\n'
        '<Project xmlns="urn:QDA-XML:project:1.0" name="x"><Description>&xxe;</Description>'
        "</Project>"
    )
    with pytest.raises(BadInput, match="DTD") as caught:
        read_qdpx(_package(tmp_path / "xxe.qdpx", qde, {}))
    assert "SECRET" not in str(caught.value) and "\n" not in str(caught.value)


def test_billion_laughs_is_refused(tmp_path: Path) -> None:
    entities = ['<!ENTITY lol "lol">'] + [
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    ]
    qde = (
        '<?xml version="1.0"?>\n<!DOCTYPE Project [' + "".join(entities) + "]>\n"
        '<Project xmlns="urn:QDA-XML:project:1.0" name="&lol9;"/>'
    )
    with pytest.raises(BadInput, match="entities"):
        read_qdpx(_package(tmp_path / "lol.qdpx", qde, {}))


@pytest.mark.parametrize("member", ["../evil.txt", "sources/../../evil.txt", "/etc/evil.txt"])
def test_zip_members_outside_the_package_are_refused(tmp_path: Path, member: str) -> None:
    path = _package(tmp_path / "bad.qdpx", _project(_text_source("")), {member: b"x"})
    with pytest.raises(BadInput, match="refused"):
        read_qdpx(path)
    assert not (tmp_path / "evil.txt").exists()


def test_zip_bomb_is_refused(tmp_path: Path) -> None:
    path = _package(
        tmp_path / "bomb.qdpx",
        _project(_text_source("")),
        {f"sources/{SOURCE}.txt": bytes(24 * 1024 * 1024)},
    )
    with pytest.raises(BadInput, match="zip bomb"):
        read_qdpx(path)


def test_not_a_project(tmp_path: Path) -> None:
    with pytest.raises(BadInput, match="no project file"):
        read_qdpx(_package(tmp_path / "x.qdpx", b"", {"readme.txt": b"hi"}, qde_name="notes.txt"))
    broken = _package(tmp_path / "y.qdpx", "<Project name='x'", {})
    with pytest.raises(BadInput, match="not well-formed"):
        read_qdpx(broken)


def _hostile_packages(tmp_path: Path) -> dict[str, Path]:
    xxe = (
        '<?xml version="1.0"?>\n<!DOCTYPE Project [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        '\n<Project xmlns="urn:QDA-XML:project:1.0" name="&x;"/>'
    )
    return {
        "xxe": _package(tmp_path / "xxe.qdpx", xxe, {}),
        "traversal": _package(
            tmp_path / "t.qdpx", _project(_text_source("")), {"../../escape.txt": b"x"}
        ),
        "bomb": _package(
            tmp_path / "b.qdpx",
            _project(_text_source("")),
            {f"sources/{SOURCE}.txt": bytes(24 * 1024 * 1024)},
        ),
    }


def test_hostile_packages_leave_the_dossier_unchanged(
    dossier: Dossier, dossier_path: Path, tmp_path: Path
) -> None:
    from app.services.sets.merge import import_set
    from tests.helpers.snapshot import dossier_state

    before = dossier_state(dossier_path)
    for name, path in _hostile_packages(tmp_path).items():
        with pytest.raises(BadInput) as caught:
            import_set(dossier, path)
        assert "\n" not in str(caught.value), name
    assert dossier_state(dossier_path) == before


def test_quirky_package_imports_into_a_dossier(dossier: Dossier, tmp_path: Path) -> None:
    from app.services.sets.merge import import_set

    start = CRLF_TEXT.index(QUOTE)  # counted on the file as stored, CRLF = 2
    memo_at = CRLF_TEXT.replace("\r\n", "\n").index("End of notes")
    selections = _selection(
        start, start + len(QUOTE), code="{" + CODE_B.lower() + "}"
    ) + _selection(
        memo_at + 2,
        memo_at + 2 + 12,
        code=None,
        guid="9b3e5d4c-7a6f-4e5b-9c2d-be0f9a8b7c6e",
        description="Ask the interviewer.",
    )
    path = _package(
        tmp_path / "quirks.qdpx",
        _project(_text_source(selections)),
        {f"Sources/{SOURCE.lower()}.txt": b"\xef\xbb\xbf" + CRLF_TEXT.encode()},
        qde_name="Interviews.qde",
    )
    import_set(dossier, path)
    found = {a.quote: a for a in annotations.list_annotations(dossier)}
    assert set(found) == {QUOTE, "End of notes"}
    assert [t.path for t in found[QUOTE].tags] == ["Abuses/Passports taken"]
    assert found["End of notes"].tags == () and found["End of notes"].note == "Ask the interviewer."
    assert found[QUOTE].author == "Mina"


def test_codes_nested_thousands_deep_do_not_crash(tmp_path: Path) -> None:
    depth = 3000
    opening = "".join(f'<Code guid="{uuid.UUID(int=i + 1)}" name="c{i}" isCodable="true">'
                      for i in range(depth))
    qde = (f'<Project xmlns="urn:QDA-XML:project:1.0" name="deep"><CodeBook><Codes>{opening}'
           f'{"</Code>" * depth}</Codes></CodeBook></Project>')
    project = read_qdpx(_package(tmp_path / "deep.qdpx", qde, {}))
    assert len(project.codes) == depth
    assert project.codes[-1].parent == project.codes[-2].guid


def test_the_exporter_refuses_to_write_an_invalid_project() -> None:
    from app.exchange.refi.schema import InvalidProject, check_project

    check_project(b'<Project xmlns="urn:QDA-XML:project:1.0" name="ok"/>')
    with pytest.raises(InvalidProject, match="not valid"):
        check_project(b'<Project xmlns="urn:QDA-XML:project:1.0"><Users/></Project>')

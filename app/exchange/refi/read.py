"""Reading a REFI-QDA project (``project.qde`` inside a ``.qdpx``) into a neutral RefiProject.

Quirks accepted (see FORMATS.md §3):

- the XML file is ``project.qde`` or else the only ``*.qde`` at the package root (ATLAS.ti names
  it after the project); the sources folder is found whatever its case (``Sources``/``sources``);
- ``internal://`` paths are looked up in the sources folder; ``relative://`` paths are looked up
  inside the package only; ``absolute://`` paths and anything outside the package are never read:
  such sources are skipped with a warning;
- a BOM before the text is stripped; GUIDs in any case, with or without braces;
- CRLF line ends: Dossier keeps ``\\n`` only and maps positions. Positions are taken as counted on
  the file as stored (CRLF = two characters, the standard's "counted over the plain-text file"),
  except when the selections' ``name`` attributes (QualCoder puts the selected text there) match
  better with CRLF counted as one, or the project comes from ATLAS.ti, which counts it as one;
- MAXQDA's selections with a Description but no Coding become annotations without tags whose
  note is that Description (a memo).
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from xml.etree.ElementTree import Element

from app.errors import BadInput
from app.exchange.refi.model import (
    RefiCode,
    RefiDocument,
    RefiProject,
    RefiSelection,
    RefiSkipped,
    RefiUser,
)
from app.exchange.refi.positions import SourceCounter, Span, decide
from app.exchange.refi.text import (
    AREA_OF,
    GUID_NAMESPACE,
    PositionMap,
    canonical_text,
    decode_text_file,
    iso_utc,
    normalise_guid,
    parse_selection_description,
)
from app.exchange.refi.xml_tree import child, child_text, children, local
from app.exchange.safety.xml_parse import parse_xml
from app.textmodel import normalise

#: Reads a file of the package by its path (as stored in the ZIP); None when absent.
FileReader = Callable[[str], bytes | None]

_COLOUR = re.compile(r"^#([0-9a-fA-F]{6}|[0-9a-fA-F]{3})$")
_SCHEMES = ("internal://", "relative://", "absolute://")


def _colour(value: str | None) -> str | None:
    if not value or not _COLOUR.match(value.strip()):
        return None
    digits = value.strip()[1:]
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return "#" + digits.lower()


@dataclass
class _Text:
    """A source's plain text as stored (BOM removed), its canonical form and the map between."""

    text: str  # canonical
    raw: str  # as decoded, without the BOM
    had_bom: bool
    as_stored: PositionMap  # raw code-point index -> canonical offset
    exact: bool
    data: bytes  # the file as stored in the package


@dataclass
class ProjectReader:
    """Turns the root element of a project file into a :class:`RefiProject`."""

    root: Element
    read_file: FileReader
    where: str
    project: RefiProject = field(init=False)
    _notes: dict[str, str] = field(default_factory=dict)
    _links: dict[str, list[str]] = field(default_factory=dict)
    _variables: dict[str, str] = field(default_factory=dict)
    _users: dict[str, str] = field(default_factory=dict)
    _code_ids: set[str] = field(default_factory=set)
    _skipped_codings: int = 0
    _unnamed_guid: int = 0

    def read(self) -> RefiProject:
        """Read users, codebook, notes, links and sources, in that order."""
        if local(self.root.tag) != "Project":
            raise BadInput(f"{self.where}: the root element is <{local(self.root.tag)}>, not "
                           "<Project>; this is not a REFI-QDA project file")
        self.project = RefiProject(
            name=self.root.get("name") or "", origin=self.root.get("origin") or ""
        )
        self._read_users()
        self._read_codes()
        self._read_notes()
        self._read_variables()
        self._read_links()
        sources = child(self.root, "Sources")
        for source in sources if sources is not None else []:
            if not isinstance(source.tag, str):
                continue
            kind = local(source.tag)
            if kind == "TextSource":
                self._read_text_source(source)
            elif kind == "PDFSource":
                self._read_pdf_source(source)
            else:
                self._warn(f"{kind} '{source.get('name', '')}' skipped: Dossier imports text "
                           "and PDF sources only")
        if self._skipped_codings:
            self._warn(f"{self._skipped_codings} coding(s) refer to codes that are not in the "
                       "codebook and were left out")
        return self.project

    # -- helpers ---------------------------------------------------------------------------
    def _warn(self, message: str) -> None:
        self.project.warnings.append(message)

    def _guid(self, element: Element, attribute: str = "guid") -> str:
        raw = element.get(attribute)
        guid = normalise_guid(raw)
        if guid is None:
            self._unnamed_guid += 1
            seed = f"{local(element.tag)}:{element.get('name')}:{raw}:{self._unnamed_guid}"
            guid = str(uuid.uuid5(GUID_NAMESPACE, seed)).upper()
            self._warn(f"{local(element.tag)} '{element.get('name', '')}' has no valid GUID "
                       f"({raw!r}); a new one was made")
        return guid

    def _read_users(self) -> None:
        users = child(self.root, "Users")
        for user in children(users, "User") if users is not None else []:
            guid = self._guid(user)
            name = user.get("name") or user.get("id") or guid
            self._users[guid] = name
            self.project.users.append(RefiUser(guid, name))

    def _user(self, element: Element) -> str:
        guid = normalise_guid(element.get("creatingUser"))
        return self._users.get(guid, "") if guid else ""

    def _read_codes(self) -> None:
        book = child(self.root, "CodeBook")
        codes = child(book, "Codes") if book is not None else None
        if codes is None:
            return

        # Depth first, parents before children, without recursion (a hostile file may nest
        # codes thousands deep).
        stack: list[tuple[Element, str | None]] = [
            (code, None) for code in reversed(list(children(codes, "Code")))]
        while stack:
            code, parent = stack.pop()
            guid = self._guid(code)
            if guid in self._code_ids:
                self._warn(f"code '{code.get('name', '')}' repeats GUID {guid}; "
                           "the repeat was left out")
                continue
            self._code_ids.add(guid)
            name = (code.get("name") or "").strip().replace("/", "-") or "(unnamed code)"
            codable = (code.get("isCodable") or "true").strip().lower() not in ("false", "0")
            self.project.codes.append(RefiCode(
                guid, name, _colour(code.get("color")), parent, codable,
                normalise(child_text(code, "Description") or "").strip(),
            ))
            stack.extend((sub, guid) for sub in reversed(list(children(code, "Code"))))

    def _read_notes(self) -> None:
        notes = child(self.root, "Notes")
        for note in children(notes, "Note") if notes is not None else []:
            guid = self._guid(note)
            content = child_text(note, "PlainTextContent")
            if content is None and note.get("plainTextPath"):
                data = self._source_file(note.get("plainTextPath", ""), note.get("name", "note"))
                content = decode_text_file(data)[0] if data is not None else None
            self._notes[guid] = normalise(content or "").strip()

    def _read_variables(self) -> None:
        variables = child(self.root, "Variables")
        for var in children(variables, "Variable") if variables is not None else []:
            guid = normalise_guid(var.get("guid"))
            if guid and var.get("name"):
                self._variables[guid] = var.get("name", "").strip()

    def _variable_facts(self, source: Element) -> dict[str, str]:
        """Facts recorded as the source's variables (``Original SHA-256``, ``URL``, ...)."""
        facts: dict[str, str] = {}
        for holder in children(source, "VariableValue"):
            ref = child(holder, "VariableRef")
            guid = normalise_guid(ref.get("targetGUID")) if ref is not None else None
            name = self._variables.get(guid or "", "")
            value = child_text(holder, "TextValue")
            if name in SOURCE_KEYS and value:
                facts[SOURCE_KEYS[name]] = value.strip()
        return facts

    def _read_links(self) -> None:
        links = child(self.root, "Links")
        for link in children(links, "Link") if links is not None else []:
            a = normalise_guid(link.get("originGUID"))
            b = normalise_guid(link.get("targetGUID"))
            if a and b:
                self._links.setdefault(a, []).append(b)
                self._links.setdefault(b, []).append(a)

    # -- package files ---------------------------------------------------------------------
    def _source_file(self, path: str, name: str) -> bytes | None:
        """Bytes of a file a source names, read from the package only (never the local disk)."""
        scheme = next((s for s in _SCHEMES if path.lower().startswith(s)), "")
        rest = path[len(scheme):].replace("\\", "/").lstrip("/")
        if scheme == "absolute://":
            self._warn(f"source '{name}' points to a file on another computer ({path}); "
                       "it was skipped — add that file to the dossier yourself")
            return None
        candidates = [f"sources/{rest}", rest] if scheme != "relative://" else [rest]
        for candidate in candidates:
            data = self.read_file(candidate)
            if data is not None:
                return data
        where = "outside the package" if scheme == "relative://" else "missing from the package"
        self._warn(f"source '{name}': file {path} is {where}; the source was skipped")
        return None

    def _load_text(self, element: Element, name: str) -> _Text | None:
        content = child_text(element, "PlainTextContent")
        if content is not None:
            raw, data = content, content.encode("utf-8")
        elif element.get("plainTextPath"):
            found = self._source_file(element.get("plainTextPath", ""), name)
            if found is None:
                return None
            data = found
            raw, problems = decode_text_file(data)
            for problem in problems:
                self._warn(f"source '{name}': {problem}")
        else:
            self._warn(f"source '{name}' has no plain text; it was skipped")
            return None
        had_bom = data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"))
        if raw.startswith("\ufeff"):
            raw, had_bom = raw[1:], True
        text, as_stored, exact = canonical_text(raw)
        if not exact:
            self._warn(f"source '{name}': positions are approximate after Unicode normalisation")
        return _Text(text, raw, had_bom, as_stored, exact, data)

    # -- sources ---------------------------------------------------------------------------
    def _read_text_source(self, source: Element) -> None:
        name = source.get("name") or "Untitled source"
        loaded = self._load_text(source, name)
        if loaded is None:
            return
        guid = self._guid(source)
        self._add_document(source, guid, name, "text", loaded.text, loaded.data)
        self._read_selections(source, guid, name, loaded)

    def _read_pdf_source(self, source: Element) -> None:
        name = source.get("name") or "Untitled PDF"
        guid = self._guid(source)
        pdf = self._source_file(source.get("path") or "", name)
        if pdf is None:
            return
        if not pdf.startswith(b"%PDF"):
            self._warn(f"PDF source '{name}' is not a PDF file; it was skipped")
            return
        for area in children(source, "PDFSelection"):
            if (child_text(area, "Description") or "").startswith(AREA_OF):
                continue  # Dossier's drawing of a text selection it also wrote as text
            self.project.skipped.append(RefiSkipped(
                self._guid(area), name, "an area of a PDF page (PDFSelection); Dossier imports "
                "text passages of PDFs, not areas"))
        representation = child(source, "Representation")
        loaded = self._load_text(representation, name) if representation is not None else None
        if loaded is None:
            self._warn(f"PDF source '{name}' has no text representation; import it to extract "
                       "its text, its selections could not be placed")
            self._add_document(source, guid, name, "pdf", "", pdf, original=True)
            return
        self._add_document(source, guid, name, "pdf", loaded.text, pdf, original=True)
        assert representation is not None
        self._read_selections(representation, guid, name, loaded)

    def _add_document(self, source: Element, guid: str, name: str, kind: str, text: str,
                      data: bytes, *, original: bool = False) -> None:
        facts = _source_facts(child_text(source, "Description") or "")
        for key, value in self._variable_facts(source).items():
            facts.setdefault(key, value)
        self.project.documents.append(RefiDocument(
            guid=guid, name=facts.get("title") or name, kind=kind, text=text,
            sha256=hashlib.sha256(data).hexdigest(),
            text_sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(), data=data,
            url=facts.get("url"), author=facts.get("author"),
            original_sha256=_sha(facts.get("sha256")), description=facts.get("rest", ""),
            recorded_text_sha256=_sha(facts.get("text_sha256")), carries_original=original,
        ))

    def _read_selections(self, holder: Element, doc_guid: str, name: str, loaded: _Text) -> None:
        selections = list(children(holder, "PlainTextSelection"))
        if any(True for _ in children(holder, "Coding")):
            self._warn(f"source '{name}': codings of the whole source were left out; Dossier "
                       "codes passages")
        spans = [Span(*_span(sel), _quote_of(sel)) for sel in selections]
        counter = SourceCounter(loaded.raw, loaded.had_bom)
        decision = decide(counter, spans, self.project.origin)
        quoted = sum(1 for span in spans if span.quote)
        if quoted and sum(1 for span, landing in zip(spans, decision.landings, strict=True)
                          if span.quote and landing.verdict == "exact") * 2 < quoted:
            # Most names are not the selected text (a tool naming selections otherwise).
            spans = [Span(span.start, span.end) for span in spans]
            decision = decide(counter, spans, self.project.origin)
            quoted = 0
        if selections and (counter.has_astral or counter.has_crlf or counter.had_bom):
            self._warn(f"source '{name}': positions read as {decision.why}")
        found: list[RefiSelection] = []
        for sel, span, landing in zip(selections, spans, decision.landings, strict=True):
            if landing.verdict == "invalid":
                self.project.skipped.append(RefiSkipped(self._guid(sel), name, landing.reason))
                continue
            start = loaded.as_stored.canonical(landing.start)
            end = loaded.as_stored.canonical(landing.end, is_end=True)
            if end <= start:
                self.project.skipped.append(RefiSkipped(
                    self._guid(sel), name, "it selects only a line break or nothing"))
                continue
            quote = span.quote if quoted and span.quote and not _truncated(span.quote) else None
            found.append(self._selection(sel, doc_guid, loaded.text, start, end,
                                         landing.verdict, landing.reason, quote))
        if not self.project.origin.lower().startswith("dossier"):
            found = _join_split_codings(found)
        self.project.selections.extend(found)

    def _selection(self, sel: Element, doc_guid: str, text: str, start: int, end: int,
                   anchor: str, reason: str, quote: str | None) -> RefiSelection:
        guid = self._guid(sel)
        codes: list[str] = []
        note_ids = [normalise_guid(r.get("targetGUID")) for r in children(sel, "NoteRef")]
        creator = self._user(sel)
        for coding in children(sel, "Coding"):
            ref = child(coding, "CodeRef")
            code = normalise_guid(ref.get("targetGUID")) if ref is not None else None
            if code in self._code_ids and code not in codes:
                codes.append(code)
            elif code not in self._code_ids:
                self._skipped_codings += 1
            note_ids += [normalise_guid(r.get("targetGUID")) for r in children(coding, "NoteRef")]
            creator = creator or self._user(coding)
        note_ids += self._links.get(guid, [])
        facts = parse_selection_description(child_text(sel, "Description"))
        notes = [self._notes[n] for n in dict.fromkeys(note_ids) if n in self._notes]
        if facts.memo:
            notes.insert(0, facts.memo)
        notes = _unique_notes(notes)
        created = sel.get("creationDateTime")
        first_coding = child(sel, "Coding")
        if not created and first_coding is not None:
            created = first_coding.get("creationDateTime")
        try:
            stamp = iso_utc(created)
        except ValueError as exc:
            raise BadInput(f"{self.where}: selection {guid}: its creation date {exc}; nothing "
                           "was imported") from None
        return RefiSelection(
            guid=guid, source=doc_guid, start=start, end=end, quote=text[start:end],
            codes=tuple(codes), note="\n\n".join(n for n in notes if n), creator=creator,
            created=stamp, reliability=facts.reliability,
            credibility=facts.credibility, status=facts.status, attribution=facts.attribution,
            anchor=anchor, anchor_reason=reason,
            sender_quote=normalise(quote) if quote is not None else None,
        )


def _span(sel: Element) -> tuple[int, int]:
    try:
        return int(sel.get("startPosition", "")), int(sel.get("endPosition", ""))
    except ValueError:
        return -1, -1


#: Keys of the lines Dossier writes into a source's Description (and variables it writes).
SOURCE_KEYS = {"Title": "title", "URL": "url", "Author": "author", "Original SHA-256": "sha256",
               "Text SHA-256": "text_sha256"}
_SHA256 = re.compile(r"^[0-9a-fA-F]{64}$")


def _sha(value: str | None) -> str | None:
    return value.lower() if value and _SHA256.match(value.strip()) else None


def _source_facts(description: str) -> dict[str, str]:
    facts: dict[str, str] = {}
    rest: list[str] = []
    for line in normalise(description).split("\n"):
        key, sep, value = line.partition(":")
        if sep and key.strip() in SOURCE_KEYS and value.strip():
            facts[SOURCE_KEYS[key.strip()]] = value.strip()
        elif line.strip():
            rest.append(line)
    facts["rest"] = "\n".join(rest)
    return facts


def _quote_of(sel: Element) -> str | None:
    name = sel.get("name")
    return name if name and name.strip() else None


def _truncated(quote: str) -> bool:
    return quote.rstrip().endswith(("...", "…"))


def _unique_notes(notes: list[str]) -> list[str]:
    """Notes without repeats (a note both in a Description and a Note, as Dossier writes it)."""
    seen: set[str] = set()
    out = []
    for note in notes:
        key = " ".join(note.split())
        if key and key not in seen:
            seen.add(key)
            out.append(note)
    return out


def _join_split_codings(selections: list[RefiSelection]) -> list[RefiSelection]:
    """One selection per passage: QualCoder writes one selection per code on the same span."""
    out: list[RefiSelection] = []
    by_span: dict[tuple[str, int, int, str], int] = {}
    for sel in selections:
        key = (sel.source, sel.start, sel.end, sel.creator)
        if key not in by_span:
            by_span[key] = len(out)
            out.append(sel)
            continue
        first = out[by_span[key]]
        codes = tuple(dict.fromkeys((*first.codes, *sel.codes)))
        note = "\n\n".join(_unique_notes([first.note, sel.note]))
        out[by_span[key]] = replace(
            first, codes=codes, note=note, reliability=first.reliability or sel.reliability,
            credibility=first.credibility or sel.credibility, status=first.status or sel.status,
            attribution=first.attribution or sel.attribution)
    return out


def read_project_xml(data: bytes, read_file: FileReader, where: str) -> RefiProject:
    """Parse a project file's bytes; ``read_file`` gives access to the package's other files."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    return ProjectReader(parse_xml(data, where), read_file, where).read()

"""The lean import path: one hash lookup per file, the worker reading the file itself (and
refusing it if it is no longer the bytes Dossier hashed), trafilatura given the page tree once."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from lxml import html as lxml_html
from sqlalchemy import event

from app.dossier import Dossier
from app.importers.base import ImportRefused
from app.importers.html import _run_trafilatura
from app.importers.html_decode import decode_html
from app.services import documents, imports
from app.services.removal import remove_documents
from db.models import Document
from tests.helpers.corpus import corpus_dir, requires_corpus
from tests.helpers.snapshot import dossier_state

CORPUS = corpus_dir()

PAGE = (b"<html><head><title>Overtime</title></head><body><article>"
        + b"<p>Workers on the site were paid for none of their overtime hours.</p>" * 12
        + b"</article></body></html>")


@pytest.fixture
def dossier(any_dossier: Dossier) -> Dossier:
    """These tests run on both engines (SQLite folder, PostgreSQL team dossier)."""
    return any_dossier


@contextmanager
def hash_lookups(dossier: Dossier) -> Iterator[list[str] | None]:
    """The statements SQLite ran that look a document up by the hash of its original (as
    SQLite's trace hook reports them: raw cursors included); None on a team dossier, whose
    server reports nothing to the client."""
    if dossier.is_team:
        yield None
        return
    found: list[str] = []
    pattern = re.compile(r"\bFROM\s+documents\b.*\bWHERE\s+(documents\.)?sha256\s*=",
                         re.IGNORECASE | re.DOTALL)

    def seen(statement: str) -> None:
        if pattern.search(statement):
            found.append(statement)

    def traced(dbapi_connection: Any, *_args: Any) -> None:
        dbapi_connection.set_trace_callback(seen)

    event.listen(dossier.engine, "checkout", traced)
    try:
        yield found
    finally:
        event.remove(dossier.engine, "checkout", traced)
        dossier.engine.dispose()  # no pooled connection keeps the hook


def test_a_new_file_and_its_duplicate_each_look_the_hash_up_once(
    dossier: Dossier, tmp_path: Path
) -> None:
    page = tmp_path / "overtime.html"
    page.write_bytes(PAGE)
    with hash_lookups(dossier) as lookups:
        first = imports.import_file(dossier, page)
    assert first.status == "imported" and first.document is not None
    assert lookups is None or len(lookups) == 1
    with hash_lookups(dossier) as lookups:
        again = imports.import_file(dossier, page)
    assert again.status == "present" and again.message == "already in the dossier"
    assert again.document is not None and again.document.id == first.document.id
    assert again.document.title == "Overtime"
    assert lookups is None or len(lookups) == 1


def test_a_removed_document_comes_back_with_one_lookup(dossier: Dossier, tmp_path: Path) -> None:
    page = tmp_path / "overtime.html"
    page.write_bytes(PAGE)
    first = imports.import_file(dossier, page)
    assert first.document is not None
    remove_documents(dossier, [first.document.id])
    with hash_lookups(dossier) as lookups:
        back = imports.import_file(dossier, page)
    assert back.status == "imported" and back.message == "brought back into the library"
    assert back.document is not None and back.document.id == first.document.id
    assert lookups is None or len(lookups) == 1


def test_the_same_bytes_stored_meanwhile_give_the_existing_document(dossier: Dossier) -> None:
    """Two imports of the same bytes that both found the hash new (two windows, two members of
    a team): the unique index stops the second, which gets the first's document."""
    extracted = imports.extract(PAGE, "page.html")
    first, created = documents.store_document(dossier, PAGE, extracted, source="one",
                                              filename="page.html", looked_up=True)
    assert created
    before = dossier_state(dossier)
    second, created = documents.store_document(dossier, PAGE, extracted, source="two",
                                               filename="page.html", looked_up=True)
    assert not created and second.id == first.id and second.source == "one"
    assert dossier_state(dossier) == before


def test_a_stored_document_reads_back_as_it_was_imported(dossier: Dossier) -> None:
    """The row is written with one plain INSERT naming every column of the model."""
    assert set(documents._DOCUMENT_COLUMNS) == set(Document.__table__.columns.keys())
    result = imports.import_bytes(dossier, PAGE, "page.html", source="https://example.org/p",
                                  url="https://example.org/p", custody={"requested_url": "x"})
    assert result.document is not None
    stored = documents.get_document(dossier, result.document.id)
    assert stored == result.document
    assert stored.kind == "html" and stored.is_current and stored.version == 1
    text = documents.document_text(dossier, stored.id)
    assert text.startswith("Workers on the site") and stored.text_length == len(text)
    assert stored.custody == {"requested_url": "x"} and stored.title == "Overtime"


@pytest.mark.parametrize("name, content", [
    ("page.html", PAGE),
    ("notes.txt", b"Wages were paid into accounts the workers could not reach.\n" * 5),
])
def test_a_file_that_changes_during_its_import_is_refused(
    dossier: Dossier, tmp_path: Path, name: str, content: bytes
) -> None:
    """The worker reads the file itself: bytes other than those Dossier hashed (and keeps as
    the original) are refused, and nothing is written."""
    path = tmp_path / name
    path.write_bytes(content)
    before = dossier_state(dossier)
    read = path.read_bytes()
    path.write_bytes(content.replace(b"Wages", b"Bonus").replace(b"overtime", b"holiday"))
    with pytest.raises(ImportRefused, match=rf"^{re.escape(name)}: the file changed while "
                                            r"Dossier was importing it; nothing was imported"):
        imports.import_bytes(dossier, read, name, source=str(path), path=path)
    assert dossier_state(dossier) == before
    path.write_bytes(content)
    assert imports.import_file(dossier, path).status == "imported"


def test_a_file_named_relative_to_the_working_folder_imports(
    dossier: Dossier, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The worker was started in another folder: it is given the file's absolute path."""
    imports.import_bytes(dossier, PAGE.replace(b"Overtime", b"Warm"), "warm.html", source="w")
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    (folder / "overtime.html").write_bytes(PAGE)
    monkeypatch.chdir(folder)
    result = imports.import_file(dossier, "overtime.html")
    assert result.status == "imported" and result.document is not None
    assert result.document.title == "Overtime"


def test_bytes_without_a_file_still_import(dossier: Dossier) -> None:
    """A download has no file to read again: its bytes go to the worker as before."""
    result = imports.import_bytes(dossier, PAGE, "page.html", source="https://example.org/p",
                                  url="https://example.org/p")
    assert result.status == "imported" and result.document is not None
    assert result.document.title == "Overtime"


@requires_corpus
def test_trafilatura_leaves_the_tree_it_is_given_alone() -> None:
    """extract_html hands trafilatura its own parsed page (no copy of it) and reads scripts
    and metadata from that tree afterwards: trafilatura must prune a copy, never the tree."""
    assert CORPUS is not None
    for page in sorted((CORPUS / "html").glob("*.html")):
        tree = lxml_html.document_fromstring(decode_html(page.read_bytes())[0])
        before = etree.tostring(tree)
        assert _run_trafilatura(tree, None) is not None, page.name
        assert etree.tostring(tree) == before, page.name

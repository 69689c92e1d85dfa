"""Importing through the service: detection by content, batches, atomic refusals and cancels."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from app.dossier import Dossier
from app.importers.base import ImportCancelled, ImportRefused, PasswordRequired
from app.services import documents, imports
from app.services.integrity import verify
from tests.helpers.corpus import corpus_dir, requires_corpus
from tests.helpers.snapshot import dossier_state

CORPUS = corpus_dir()


@pytest.fixture
def dossier(any_dossier: Dossier) -> Dossier:
    """These tests run on both engines (SQLite folder, PostgreSQL team dossier)."""
    return any_dossier


#: Scans that import by OCR since OCR is built in (tests/app/test_ocr.py).
RECOGNISED = {"scanned-fax-no-text.pdf", "recursive-page-tree.pdf"}


@requires_corpus
@pytest.mark.parametrize("name", sorted(p.name for p in (CORPUS / "bad").iterdir()
                                        if p.name not in RECOGNISED) if CORPUS else [])
def test_bad_files_are_refused_and_leave_the_dossier_unchanged(
    dossier: Dossier, name: str
) -> None:
    assert CORPUS is not None
    path = CORPUS / "bad" / name
    before = dossier_state(dossier)
    if name == "password-example.pdf":
        with pytest.raises(PasswordRequired, match="password"):
            imports.import_file(dossier, path)
        assert dossier_state(dossier) == before
        with pytest.raises(PasswordRequired, match="(?i)wrong|incorrect"):
            imports.import_file(dossier, path, password="not-it")
        assert dossier_state(dossier) == before
        result = imports.import_file(dossier, path, password="test")
        assert result.status == "imported" and result.document is not None
        assert result.document.pages >= 1
        return
    with pytest.raises(ImportRefused) as info:
        imports.import_file(dossier, path)
    message = str(info.value)
    assert name in message and "\n" not in message
    expected = {
        "empty.pdf": "empty",
        "html-named.pdf": "not a PDF: its content is an HTML page",
        "truncated.pdf": "truncated|damaged|corrupt|incomplete",
        "libreoffice-writer-password.pdf": "password",
    }[name]
    assert re.search(expected, message, flags=re.IGNORECASE), message
    assert dossier_state(dossier) == before
    assert verify(dossier).ok


@requires_corpus
def test_batch_import_reports_each_file_and_continues(dossier: Dossier, tmp_path: Path) -> None:
    assert CORPUS is not None
    folder = tmp_path / "inbox"
    (folder / "sub").mkdir(parents=True)
    shutil.copy(CORPUS / "text" / "the-week-north-korea-overseas-workers.txt", folder)
    shutil.copy(CORPUS / "bad" / "empty.pdf", folder / "sub")
    shutil.copy(CORPUS / "pdf" / "google-doc-document.pdf", folder / "sub")
    shutil.copy(CORPUS / "html" / "theguardian.com.academics.html", folder / "sub")
    shutil.copy(CORPUS / "text" / "the-week-north-korea-overseas-workers.txt",
                folder / "sub" / "copy.txt")
    results = imports.import_many(dossier, [str(folder)])
    by_name = {Path(r.input).name: r for r in results}
    same = [by_name["the-week-north-korea-overseas-workers.txt"], by_name["copy.txt"]]
    assert sorted(r.status for r in same) == ["imported", "present"]  # same bytes twice
    assert same[0].document == same[1].document
    assert by_name["empty.pdf"].status == "refused" and "empty" in by_name["empty.pdf"].message
    assert by_name["google-doc-document.pdf"].status == "imported"
    assert by_name["theguardian.com.academics.html"].status == "imported"
    kinds = sorted(d.kind for d in documents.list_documents(dossier))
    assert kinds == ["html", "pdf", "text"]


@requires_corpus
def test_cancelled_import_leaves_no_trace(dossier: Dossier) -> None:
    assert CORPUS is not None
    before = dossier_state(dossier)
    seen: list[int] = []

    def progress(done: int, total: int) -> None:
        seen.append(done)

    with pytest.raises(ImportCancelled):
        imports.import_file(dossier, CORPUS / "pdf" / "federal-register-2020-17221.pdf",
                            progress=progress, cancel=lambda: len(seen) >= 2)
    assert dossier_state(dossier) == before


def test_failure_while_storing_removes_the_new_original(
    dossier: Dossier, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = tmp_path / "note.txt"
    src.write_text("The contract ran for three years and could be renewed.", encoding="utf-8")
    before = dossier_state(dossier)

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr("db.search.index_document", broken)
    with pytest.raises(RuntimeError):
        imports.import_file(dossier, src)
    assert dossier_state(dossier) == before
    monkeypatch.undo()
    result = imports.import_file(dossier, src)
    assert result.status == "imported"
    assert documents.document_text(dossier, result.document.id).startswith("The contract")  # type: ignore[union-attr]


@requires_corpus
def test_a_web_page_under_its_own_name_imports_as_an_article(
    dossier: Dossier, tmp_path: Path
) -> None:
    assert CORPUS is not None
    renamed = tmp_path / "saved-page.html"
    shutil.copy(CORPUS / "bad" / "html-named.pdf", renamed)
    result = imports.import_file(dossier, renamed)
    assert result.document is not None and result.document.kind == "html"

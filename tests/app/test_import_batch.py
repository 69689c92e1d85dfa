"""A batch import is pipelined (the worker extracts the next HTML or text file while the previous
one is stored); what a user sees must be what importing the files one by one gives."""

from __future__ import annotations

import os
import shutil
import signal
from pathlib import Path

import pytest

from app.dossier import Dossier
from app.errors import DossierError
from app.importers import sandbox
from app.services import documents, imports
from app.services.imports import ImportResult
from app.services.integrity import verify
from tests.helpers import hostile
from tests.helpers.corpus import corpus_dir, requires_corpus

CORPUS = corpus_dir()
PAGES = ["theguardian.com.academics.html", "reuters.com.parasite.html", "vice.com.amazon.html"]


def _inputs(folder: Path) -> list[str]:
    """HTML, text, a bad file and a duplicate, the bad file and the duplicate in the middle."""
    assert CORPUS is not None
    folder.mkdir()
    for name in PAGES:
        shutil.copy(CORPUS / "html" / name, folder / name)
    shutil.copy(CORPUS / "text" / "the-week-north-korea-overseas-workers.txt", folder / "a.txt")
    (folder / "blank.html").write_bytes(b"<html><body>   </body></html>")
    (folder / "note.txt").write_text("The lease ran for three years.\n", encoding="utf-8")
    shutil.copy(folder / PAGES[0], folder / "again.html")
    shutil.copy(folder / "note.txt", folder / "note-copy.txt")  # right after: still in the worker
    return [str(folder / n) for n in (PAGES[0], "a.txt", "blank.html", PAGES[1], "again.html",
                                      "missing.html", "note.txt", "note-copy.txt", PAGES[2])]


def _seen(dossier: Dossier, results: list[ImportResult]) -> list[tuple[str, str, str, str]]:
    return [(Path(r.input).name, r.status, r.message.replace(r.input, "<in>"),
             documents.document_text(dossier, r.document.id) if r.document else "")
            for r in results]


def _one_by_one(dossier: Dossier, specs: list[str]) -> list[ImportResult]:
    results = []
    for spec in specs:
        try:
            results.append(imports.import_file(dossier, spec))
        except DossierError as exc:
            results.append(ImportResult(spec, "refused", None, str(exc)))
    return results


@requires_corpus
def test_a_batch_gives_what_one_by_one_gives(dossier: Dossier, tmp_path: Path) -> None:
    specs = _inputs(tmp_path / "in")
    reported: list[ImportResult] = []
    batch = imports.import_many(dossier, specs, on_result=reported.append)
    assert reported == batch
    assert [r.status for r in batch] == ["imported", "imported", "refused", "imported",
                                         "present", "refused", "imported", "present",
                                         "imported"]
    assert batch[4].document == batch[0].document and batch[7].document == batch[6].document
    other = Dossier.open(tmp_path / "other", user="alice")
    try:
        single = _one_by_one(other, specs)
        assert _seen(dossier, batch) == _seen(other, single)
    finally:
        other.close()
    assert verify(dossier).ok


def _originals(dossier: Dossier) -> set[str]:
    folder = dossier.folder / "originals"
    return {p.name for p in folder.rglob("*") if p.is_file()} if folder.exists() else set()


@requires_corpus
def test_a_cancelled_batch_keeps_only_what_it_reported(dossier: Dossier, tmp_path: Path) -> None:
    specs = _inputs(tmp_path / "in")
    reported: list[ImportResult] = []
    # cancelled once the first file is reported: by then the second is in the worker and its
    # original is being written
    batch = imports.import_many(dossier, specs, on_result=reported.append,
                                cancel=lambda: bool(reported))
    assert [r.status for r in batch] == ["imported"]
    kept = documents.list_documents(dossier)
    assert [d.id for d in kept] == [batch[0].document.id]  # type: ignore[union-attr]
    assert _originals(dossier) == {kept[0].sha256}
    assert verify(dossier).ok
    again = imports.import_many(dossier, specs)  # and the worker is fine afterwards
    assert [r.status for r in again][:2] == ["present", "imported"]


@requires_corpus
def test_a_worker_dying_mid_batch_refuses_that_file_only(dossier: Dossier, tmp_path: Path) -> None:
    assert CORPUS is not None
    first, heavy, last = tmp_path / "first.html", tmp_path / "heavy.html", tmp_path / "last.txt"
    shutil.copy(CORPUS / "html" / PAGES[0], first)
    heavy.write_bytes(hostile.many_paragraphs_html(300_000))  # seconds of work for the worker
    last.write_text("The lease ran for three years.\n", encoding="utf-8")

    def kill_worker(result: ImportResult) -> None:
        # when the first page is reported the heavy one is in the worker: it dies there, as
        # when the kernel kills a worker that took too much memory
        if result.input == str(first.resolve()):
            worker = sandbox._workers[sandbox.SANDBOX_MEMORY]
            assert worker.busy
            os.kill(worker.proc.pid, signal.SIGKILL)

    results = imports.import_many(dossier, [str(first), str(heavy), str(last)],
                                  on_result=kill_worker)
    assert [r.status for r in results] == ["imported", "refused", "imported"]
    assert results[1].message.startswith("heavy.html: ") and "memory" in results[1].message
    assert len(documents.list_documents(dossier)) == 2
    assert _originals(dossier) == {r.document.sha256 for r in results if r.document}


@pytest.mark.parametrize("batch", [True, False])
def test_single_files_import_as_before(dossier: Dossier, tmp_path: Path, batch: bool) -> None:
    page = tmp_path / "p.html"
    page.write_text("<html><body><article><p>The lease ran for three years and could be "
                    "renewed once.</p></article></body></html>", encoding="utf-8")
    result = (imports.import_many(dossier, [str(page)])[0] if batch
              else imports.import_file(dossier, page))
    assert result.status == "imported" and result.document is not None
    assert "lease ran" in documents.document_text(dossier, result.document.id)

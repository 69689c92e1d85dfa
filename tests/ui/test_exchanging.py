"""File > Export… and File > Import Annotation Set… drive the same exchange code as the CLI."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import QDate
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from app.dossier import Dossier
from app.services import annotations, codebook
from tests.helpers.documents import add_text_document
from ui import dialogs
from ui.exchanging import Exchanger, ExportDialog, ExportRequest
from ui.operations import Operations

TEXT = ("The agency kept the workers' passports. Wages were paid into a state account. "
        "Contracts ran for three years.")


@pytest.fixture
def messages(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, bool]]:
    seen: list[tuple[str, bool]] = []

    def inform(parent: object, title: str, message: str, *, error: bool = False) -> None:
        seen.append((message, error))

    monkeypatch.setattr(dialogs, "inform", inform)
    monkeypatch.setattr(dialogs, "inform_saved",
                        lambda _p, _t, message, _path: seen.append((message, False)))
    return seen


def _annotated(dossier: Dossier) -> tuple[str, list[str]]:
    doc = add_text_document(dossier, TEXT, "Passports")
    with dossier.read() as session:
        tag = codebook.resolve_tag(session, "Retention of identity documents").id
    ids = []
    for quote, status in [("kept the workers' passports", "approved"),
                          ("paid into a state account", "draft")]:
        start = TEXT.index(quote)
        ids.append(annotations.create_annotation(dossier, doc.id, start, start + len(quote),
                                                 [tag], status=status).id)
    return doc.id, ids


def test_export_dialog_filters_reach_the_file(
    qtbot: QtBot, dossier: Dossier, tmp_path: Path, messages: list[tuple[str, bool]]
) -> None:
    doc_id, ids = _annotated(dossier)
    window = QWidget()
    qtbot.addWidget(window)
    exchanger = Exchanger(Operations(dossier, window, synchronous=True), window)
    dialog = ExportDialog(dossier, doc_id, window)
    qtbot.addWidget(dialog)
    dialog.format.setCurrentIndex(dialog.format.findData("csv"))
    dialog.status.setCurrentIndex(dialog.status.findData("approved"))
    out = tmp_path / "approved.csv"
    dialog.path.setText(str(out))
    request = dialog.request()
    assert request.documents == (doc_id,) and request.status == "approved"
    exchanger.export(request)
    with out.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["annotation_id"] for r in rows] == [ids[0]]
    assert rows[0]["exact"] == "kept the workers' passports"
    assert messages and not messages[-1][1] and "Exported 1 annotation" in messages[-1][0]


def test_import_set_shows_the_summary(
    qtbot: QtBot, dossier: Dossier, dossier_path: Path, template_dossier: Path, tmp_path: Path,
    messages: list[tuple[str, bool]]
) -> None:
    _annotated(dossier)
    window = QWidget()
    qtbot.addWidget(window)
    bundle = tmp_path / "set.zip"
    exchanger = Exchanger(Operations(dossier, window, synchronous=True), window)
    exchanger.export(
        ExportRequest("bundle", str(bundle), (), None, None, None, None, None))
    assert bundle.is_file(), messages
    other_path = tmp_path / "colleague"
    shutil.copytree(template_dossier, other_path)
    other = Dossier.open(other_path, user="bob")
    importer = Exchanger(Operations(other, window, synchronous=True), window)
    try:
        importer.import_set_file(str(bundle))
        assert "2 added" in messages[-1][0], messages[-1]
        assert len(annotations.list_annotations(other)) == 2
        importer.import_set_file(str(bundle))
        assert "0 added, 2 already present" in messages[-1][0]
        (tmp_path / "broken.jsonld").write_text("{", encoding="utf-8")
        importer.import_set_file(str(tmp_path / "broken.jsonld"))
        assert messages[-1][1] and "\n" not in messages[-1][0]
    finally:
        other.close()



def test_file_menu_exports_the_open_document(
    qtbot: QtBot, dossier: Dossier, tmp_path: Path, messages: list[tuple[str, bool]]
) -> None:
    from tests.helpers.main_window import open_window

    doc_id, ids = _annotated(dossier)
    window = open_window(dossier, qtbot, tmp_path)
    window.open_document(doc_id)
    file_menu = window.menuBar().actions()[0].menu()
    labels = [a.text() for a in file_menu.actions()]
    assert "&Export Annotations…" in labels and "Import Annotation &Set…" in labels
    window.menu_actions.export.trigger()
    dialog = window.findChild(ExportDialog)
    assert dialog is not None and dialog.isVisible()
    dialog.format.setCurrentIndex(dialog.format.findData("jsonld"))
    out = tmp_path / "open-document.jsonld"
    dialog.path.setText(str(out))
    dialog.accept()
    qtbot.waitUntil(out.is_file, timeout=10_000)
    qtbot.waitUntil(lambda: bool(messages), timeout=10_000)
    assert "Exported 2 annotations from 1 document" in messages[-1][0]
    assert all(ann_id in out.read_text(encoding="utf-8") for ann_id in ids)


def test_export_never_replaces_a_file_without_asking(
    qtbot: QtBot, dossier: Dossier, tmp_path: Path, messages: list[tuple[str, bool]],
    monkeypatch: pytest.MonkeyPatch
) -> None:
    _annotated(dossier)
    window = QWidget()
    qtbot.addWidget(window)
    out = tmp_path / "precious.csv"
    out.write_text("someone's work", encoding="utf-8")
    questions: list[str] = []

    def ask(parent: object, title: str, question: str) -> bool:
        questions.append(question)
        return False

    monkeypatch.setattr(dialogs, "ask", ask)
    exchanger = Exchanger(Operations(dossier, window, synchronous=True), window)
    request = ExportRequest("csv", str(out), (), None, None, None, None, None)
    assert exchanger.export(request) is None
    assert questions and "Replace" in questions[0]
    assert out.read_text(encoding="utf-8") == "someone's work"


def test_export_dialog_to_date_includes_that_day_and_no_more(
    qtbot: QtBot, dossier: Dossier, tmp_path: Path, messages: list[tuple[str, bool]]
) -> None:
    _doc_id, ids = _annotated(dossier)  # created now (UTC)
    window = QWidget()
    qtbot.addWidget(window)
    exchanger = Exchanger(Operations(dossier, window, synchronous=True), window)
    dialog = ExportDialog(dossier, None, window)
    qtbot.addWidget(dialog)
    dialog.format.setCurrentIndex(dialog.format.findData("csv"))
    dialog.use_dates.setChecked(True)
    created = annotations.get_annotation(dossier, ids[0]).created[:10]
    day = QDate.fromString(created, "yyyy-MM-dd")
    exported: dict[str, set[str]] = {}
    for label, to_day in (("that day", day), ("the day before", day.addDays(-1))):
        dialog.date_from.setDate(day.addDays(-7))
        dialog.date_to.setDate(to_day)
        out = tmp_path / f"{to_day.toString('yyyyMMdd')}.csv"
        dialog.path.setText(str(out))
        exchanger.export(dialog.request())
        with out.open(encoding="utf-8") as fh:
            exported[label] = {row["annotation_id"] for row in csv.DictReader(fh)}
    assert exported["that day"] == set(ids)
    assert exported["the day before"] == set()  # the day after "to" is not included


def test_import_summary_says_what_was_not_imported_and_why(
    qtbot: QtBot, dossier: Dossier, tmp_path: Path, messages: list[tuple[str, bool]]
) -> None:
    import json

    from PySide6.QtWidgets import QMessageBox

    add_text_document(dossier, TEXT, "Passports")
    rows = [{"id": "pagenote1", "user": "acct:ana@hypothes.is", "uri": "https://x.example/a",
             "text": "About the whole page.", "target": [{"source": "https://x.example/a"}]},
            {"id": "hl1", "user": "acct:ana@hypothes.is", "uri": "https://x.example/a",
             "target": [{"source": "https://x.example/a", "selector": [
                 {"type": "TextQuoteSelector", "exact": "paid into a state account"}]}]}]
    path = tmp_path / "hypothesis.json"
    path.write_text(json.dumps({"export_date": "2025-03-07T09:00:00Z", "annotations": rows}),
                    encoding="utf-8")
    window = QWidget()
    qtbot.addWidget(window)
    Exchanger(Operations(dossier, window, synchronous=True), window).import_set_file(str(path))
    message, error = messages[-1]
    assert not error and "1 added" in message
    assert "not imported: annotation 1 (pagenote1): it marks the whole page" in message
    box = QMessageBox(QMessageBox.Icon.Information, "Import annotation set", message,
                      QMessageBox.StandardButton.Ok, window)
    qtbot.addWidget(box)
    box.show()
    qtbot.waitExposed(box)
    box.grab().save(str(tmp_path / "import-summary.png"))
    assert (tmp_path / "import-summary.png").stat().st_size > 0

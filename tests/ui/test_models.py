"""Every item model passes QAbstractItemModelTester while rows are inserted, changed and removed.

The tester reports a broken model contract as a Qt warning, and warnings fail the test
(``qt_log_level_fail = WARNING``), so each test also fails when the model misbehaves.
"""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QAbstractItemModel, Qt
from PySide6.QtTest import QAbstractItemModelTester

from app.importers.base import ExtractedDocument
from app.services import annotations as service
from app.services import codebook
from app.services.documents import store_document
from db.models import Tag
from tests.helpers.documents import add_text_document
from ui.models import roles
from ui.models.annotations import COLUMNS, TAGS, AnnotationFilter, AnnotationListModel
from ui.models.codebook import CodebookModel
from ui.models.documents import DocumentListModel
from ui.models.tag_choices import TagChoiceFilter, TagChoiceModel
from ui.operations import Operations
from ui.undo import AnnotationUndo

TEXT = ("Managers confiscated the workers' passports on arrival. 工资被扣留。 "
        "Wages were paid into accounts 🏦 controlled by the state. الأجور محتجزة.")


def watch(model: QAbstractItemModel) -> QAbstractItemModelTester:
    """Attach Qt's model tester, reporting failures as warnings (which fail the test)."""
    return QAbstractItemModelTester(
        model, QAbstractItemModelTester.FailureReportingMode.Warning)


def tag_id(dossier: Any, name: str) -> str:
    with dossier.read() as session:
        return codebook.resolve_tag(session, name).id


def rows(model: QAbstractItemModel, column: int = 0, role: int = Qt.ItemDataRole.DisplayRole
         ) -> list[Any]:
    return [model.data(model.index(r, column), role) for r in range(model.rowCount())]


def test_codebook_model_tree_and_live_changes(dossier: Any, qtbot: Any) -> None:
    model = CodebookModel(dossier)
    tester = watch(model)
    with dossier.read() as session:
        tags = codebook.list_tags(session)
    top = [t.name for t in tags if t.parent_id is None]
    assert rows(model) == top == ["Abuses", "Contracts", "Funding flows", "Context"]
    abuses = model.index(0, 0)
    assert model.rowCount(abuses) == 11
    deception = model.index_of(tag_id(dossier, "Deception"))
    assert deception.parent() == abuses
    assert model.data(deception, roles.PATH) == "Abuses/Deception"
    assert model.data(deception, roles.COLOUR).startswith("#")
    assert model.data(deception.siblingAtColumn(1)) == model.data(deception, roles.SHORTCUT) != ""

    # An insertion while the tester watches: a new code under Contracts, then a new category.
    inserted: list[tuple[int, int]] = []
    model.rowsInserted.connect(lambda parent, first, last: inserted.append((first, last)))
    codebook.create_tag(dossier, "Bonded dormitory", parent="Contracts", colour="#336699",
                        shortcut="B")
    codebook.create_tag(dossier, "Leads", colour="#777777")
    model.refresh()
    assert inserted == [(6, 6), (4, 4)]
    contracts = model.index(1, 0)
    assert model.data(model.index(6, 0, contracts)) == "Bonded dormitory"
    assert model.data(model.index(4, 0)) == "Leads"

    # Counts follow annotations, and a category counts what is tagged beneath it.
    doc = add_text_document(dossier, TEXT)
    service.create_annotation(dossier, doc.id, 0, 8, [tag_id(dossier, "Deception")])
    model.refresh_counts()
    assert model.data(deception, roles.COUNT) == 1
    assert model.data(deception.siblingAtColumn(2)) == "1"
    assert model.data(abuses, roles.COUNT) == 1
    assert model.data(contracts, roles.COUNT) == 0
    codebook.update_tag(dossier, tag_id(dossier, "Deception"), colour="#123456")
    model.refresh()
    assert model.data(deception, roles.COLOUR) == "#123456"

    # A removal while the tester watches. The services cannot delete tags yet (a merge will),
    # so the test removes two unused tags from the table directly.
    removed: list[tuple[int, int]] = []
    model.rowsRemoved.connect(lambda parent, first, last: removed.append((first, last)))
    with dossier.write() as session:
        for name in ("Contracts/Bonded dormitory", "Leads"):
            session.delete(session.get(Tag, tag_id(dossier, name)))
    model.refresh()
    assert removed == [(4, 4), (6, 6)]
    assert rows(model) == top
    assert model.rowCount(model.index(1, 0)) == 6
    assert model.data(deception, roles.PATH) == "Abuses/Deception"  # persistent index kept
    del tester


def test_annotation_list_model_follows_changes(dossier: Any, qtbot: Any) -> None:
    doc = add_text_document(dossier, TEXT)
    other = add_text_document(dossier, "Another article about seafood processing plants.",
                              "Other")
    deception, wages = tag_id(dossier, "Deception"), tag_id(dossier, "Withholding of wages")
    late = service.create_annotation(dossier, doc.id, 57, 63, [wages], note="wage theft")
    ops = Operations(dossier, synchronous=True)
    model = AnnotationListModel(dossier)
    ops.changed.connect(model.apply_changes)
    tester = watch(model)
    proxy = AnnotationFilter()
    proxy.setSourceModel(model)
    proxy_tester = watch(proxy)
    model.set_document(doc.id)
    assert model.rowCount() == 1 and model.columnCount() == len(COLUMNS)

    # Inserts land in text order; an annotation of another document is not listed.
    early = service.create_annotation(dossier, doc.id, 0, 8, [deception, wages])
    service.create_annotation(dossier, other.id, 0, 7, [deception])
    assert rows(model, 0, roles.ANNOTATION_ID) == [early.id, late.id]
    assert model.data(model.index(0, 0)) == "Managers"
    assert model.data(model.index(0, TAGS), roles.CHIPS) == [
        ("Deception", model.annotation(0).tags[0].colour),
        ("Withholding of wages", model.annotation(0).tags[1].colour)]

    # An update changes the row in place; a delete removes it; a restore brings it back.
    service.update_annotation(dossier, early.id, reliability="B", credibility=2,
                              status="submitted")
    assert model.data(model.index(0, 3)) == "B2"
    assert model.data(model.index(0, 6)) == "Submitted"
    snap = service.delete_annotation(dossier, late.id)
    assert rows(model, 0, roles.ANNOTATION_ID) == [early.id]
    service.restore_annotation(dossier, snap)
    assert rows(model, 0, roles.ANNOTATION_ID) == [early.id, late.id]

    # The proxy filters by tag (incl. sub-tags via the caller's set), status and text.
    proxy.set_tag_filter({wages})
    assert proxy.rowCount() == 2
    proxy.set_tag_filter({deception})
    assert proxy.rowCount() == 1
    proxy.set_tag_filter(None)
    proxy.set_status_filter("submitted")
    assert [proxy.data(proxy.index(r, 0), roles.ANNOTATION_ID)
            for r in range(proxy.rowCount())] == [early.id]
    proxy.set_status_filter(None)
    proxy.set_text_filter("WAGE theft")
    assert [proxy.data(proxy.index(r, 0), roles.ANNOTATION_ID)
            for r in range(proxy.rowCount())] == [late.id]
    proxy.set_text_filter("")
    proxy.sort(0, Qt.SortOrder.DescendingOrder)
    assert [proxy.data(proxy.index(r, 0), roles.ANNOTATION_ID)
            for r in range(proxy.rowCount())] == [late.id, early.id]
    model.set_document(other.id)
    assert model.rowCount() == 1 and proxy.rowCount() == 1
    ops.close()
    del tester, proxy_tester


def test_document_list_model_adds_imported_documents(dossier: Any, qtbot: Any) -> None:
    add_text_document(dossier, "First text.", "First")
    model = DocumentListModel(dossier)
    tester = watch(model)
    ops = Operations(dossier, synchronous=True)
    ops.changed.connect(model.apply_changes)
    added: list[str] = []
    ops.changed.connect(lambda changes: added.extend(sorted(changes.documents.created)))
    doc = add_text_document(dossier, "Second text.", "Second")
    assert rows(model) == ["First", "Second"]
    assert added == [doc.id]
    assert model.row_of(doc.id) == 1
    assert "Text" in model.data(model.index(1), Qt.ItemDataRole.ToolTipRole)
    # A new version replaces the old one in the list (a removal and an insertion).
    newer = ExtractedDocument(kind="text", text="Second text, corrected.", title="Second v2",
                              extractor="test")
    store_document(dossier, b"Second text, corrected.", newer, source="test",
                   filename="second.txt", previous_id=doc.id)
    assert rows(model) == ["First", "Second v2"]
    ops.close()
    del tester


def test_tag_choices_check_and_filter(dossier: Any, qtbot: Any) -> None:
    with dossier.read() as session:
        tags = codebook.list_tags(session)
    model = TagChoiceModel(tags)
    tester = watch(model)
    proxy = TagChoiceFilter()
    proxy.setSourceModel(model)
    proxy_tester = watch(proxy)
    assert model.rowCount() == sum(1 for t in tags if t.is_codable) == 26
    proxy.set_text("passport")  # matches nothing: names, not descriptions, are searched
    assert proxy.rowCount() == 0
    proxy.set_text("ident doc")
    assert [proxy.data(proxy.index(r, 0)) for r in range(proxy.rowCount())] == [
        "Abuses › Retention of identity documents"]
    model.toggle(proxy.mapToSource(proxy.index(0, 0)).row())
    proxy.set_text("wage")
    assert proxy.rowCount() == 2
    model.toggle(proxy.mapToSource(proxy.index(0, 0)).row())
    chosen = [next(t.path for t in tags if t.id == i) for i in model.chosen()]
    assert chosen == ["Abuses/Retention of identity documents", "Abuses/Withholding of wages"]
    model.set_tags(tags, checked=[tags[1].id])
    assert model.chosen() == [tags[1].id]
    del tester, proxy_tester


@pytest.mark.parametrize("key", ["1", "Q"])
def test_tag_choice_filter_matches_shortcut(dossier: Any, qtbot: Any, key: str) -> None:
    with dossier.read() as session:
        tags = codebook.list_tags(session)
    expected = [t.path for t in tags if t.is_codable and (t.shortcut or "").upper() == key]
    model = TagChoiceModel(tags)
    proxy = TagChoiceFilter()
    proxy.setSourceModel(model)
    proxy.set_text(key)
    found = [proxy.data(proxy.index(r, 0), roles.PATH) for r in range(proxy.rowCount())]
    assert set(expected) <= set(found)


def test_an_annotation_edit_emits_data_changed_for_its_row_only(dossier: Any, qtbot: Any) -> None:
    doc = add_text_document(dossier, TEXT)
    made = [service.create_annotation(dossier, doc.id, s, s + 6) for s in (0, 20, 40)]
    ops = Operations(dossier, synchronous=True)
    undo = AnnotationUndo(ops)
    model = AnnotationListModel(dossier)
    ops.changed.connect(model.apply_changes)
    tester = watch(model)
    model.set_document(doc.id)
    events: list[tuple[Any, ...]] = []
    model.dataChanged.connect(lambda a, b, _roles=(): events.append(
        ("changed", a.row(), b.row(), a.column(), b.column())))
    for name in ("rowsInserted", "rowsRemoved", "rowsMoved", "modelReset", "layoutChanged"):
        getattr(model, name).connect(lambda *_a, name=name: events.append((name,)))
    undo.update(made[1].id, note="the passports were kept")
    assert events == [("changed", 1, 1, 0, len(COLUMNS) - 1)]
    assert model.data(model.index(1, 2)) == "the passports were kept"
    # Sorted by note, a new note moves the row to its place: one move and its cells, no reset.
    model.sort(2, Qt.SortOrder.AscendingOrder)
    assert model.data(model.index(2, 2)) == "the passports were kept"
    events.clear()
    undo.update(made[1].id, note="")
    assert [e[0] for e in events] == ["rowsMoved", "changed"]
    assert model.annotation(events[1][1]).id == made[1].id
    ops.close()
    del tester

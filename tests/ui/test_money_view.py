"""The money-flow window: arrows and boxes for the recorded claims, passages opened in the reader,
the claim form (pre-filled, nothing saved without Save, undoable), merge undo, screening."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractItemModel, Qt
from PySide6.QtTest import QAbstractItemModelTester, QTest

from app.dossier import Dossier
from app.money.entities import get_entity
from app.money.facts import list_facts
from app.money.screening import list_matches
from tests.helpers.corpus import requires_corpus
from tests.helpers.main_window import open_window
from tests.helpers.money import BILLIONS, record_seed_claims
from tests.helpers.screening_list import write_list
from tests.helpers.screenshots import save_screenshot
from ui.models.roles import ANNOTATION_ID


def watch(model: QAbstractItemModel) -> QAbstractItemModelTester:
    return QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Warning)


@requires_corpus
def test_flow_graph_lists_passages_and_opens_them_in_the_reader(
        dossier: Dossier, qtbot: Any, tmp_path: Path) -> None:
    seed = record_seed_claims(dossier)
    window = open_window(dossier, qtbot, tmp_path)
    flows = window.money.show_flows()
    qtbot.waitExposed(flows)
    testers = [watch(flows.passages_model), watch(flows.timeline_model)]
    graph = flows.graph
    names = {n.entity_id: get_entity(dossier, n.entity_id).name for n in graph.nodes.values()}
    assert set(names.values()) == {
        "Government of North Korea", "Employers of North Korean overseas workers",
        "North Korean overseas workers", "Overseas worksite managers", "Government of China"}
    arrows = {(e.flow.kind, e.flow.subject, e.flow.object, e.flow.currency): e
              for e in graph.edges}
    assert len(arrows) == 4
    billions = arrows[("payment", "North Korean overseas workers", "Government of North Korea",
                       "USD")]
    assert "billions of dollars a year" in billions.flow.label()
    assert flows.timeline_model.rowCount() == 4
    assert flows.timeline_model.index(0, 0).data() == "mid-2010s (2013-01-01 – 2016-12-31)"
    save_screenshot(flows.grab().toImage(), "money-flows.png", tmp_path)

    # Click the arrow: its passage is listed; activating it opens the article at that passage.
    point = graph.mapFromScene(billions.midpoint())
    QTest.mouseClick(graph.viewport(), Qt.MouseButton.LeftButton, pos=point)
    qtbot.waitUntil(lambda: flows.passages_model.rowCount() == 1)
    assert " ".join(BILLIONS.split()) == flows.passages_model.index(0, 1).data()
    assert "1 independent source" in flows.passages_title.text()
    save_screenshot(flows.grab().toImage(), "money-flows-passages.png", tmp_path)
    flows.passages.activated.emit(flows.passages_model.index(0, 1))
    qtbot.waitUntil(lambda: window.tagger.current_id == seed.annotations["billions"])
    assert window.document_id == seed.document_id
    cursor = window.view.editor.textCursor()  # type: ignore[union-attr]
    assert BILLIONS.split()[0] in cursor.selectedText() or window.view is not None

    # Filters: a tag keeps only the claims backed by passages with that tag (or beneath it).
    flows.tag.setCurrentIndex(flows.tag.findText("Context/Scale and statistics"))
    qtbot.waitUntil(lambda: len(graph.edges) == 1)
    assert graph.edges[0].flow.currency == "USD" and flows.timeline_model.rowCount() == 1
    flows.tag.setCurrentIndex(0)
    qtbot.waitUntil(lambda: len(graph.edges) == 4)
    flows.date_from.setText("2014")
    flows.date_from.editingFinished.emit()
    qtbot.waitUntil(lambda: len(graph.edges) == 1)  # only the dated agreement (mid-2010s)
    flows.date_from.setText("sometime")
    flows.date_from.editingFinished.emit()
    assert "cannot read the date" in flows.message.text()
    flows.date_from.setText("")
    flows.date_from.editingFinished.emit()
    qtbot.waitUntil(lambda: len(graph.edges) == 4)
    flows.tabs.setCurrentIndex(1)
    timeline = flows.timeline_view
    assert len(timeline.bars) == 4  # the dated agreement as a bar, three undated listed
    rect, fact = timeline.bars[0]
    assert fact.date_text == "mid-2010s" and rect.width() > 3 * 60  # 2013-2016
    QTest.mouseClick(timeline.viewport(), Qt.MouseButton.LeftButton,
                     pos=timeline.mapFromScene(rect.center()))
    qtbot.waitUntil(lambda: flows.passages_model.rowCount() == 1
                    and "mid-2010s" in flows.passages_title.text())
    save_screenshot(flows.grab().toImage(), "money-timeline.png", tmp_path)
    flows.tabs.setCurrentIndex(0)

    # Clicking an entity lists every claim it takes part in.
    gov = graph.nodes[get_entity(dossier, "Government of North Korea").id]
    QTest.mouseClick(graph.viewport(), Qt.MouseButton.LeftButton,
                     pos=graph.mapFromScene(gov.sceneBoundingRect().center()))
    qtbot.waitUntil(lambda: flows.passages_model.rowCount() == 3)
    assert {flows.passages_model.index(r, 0).data(ANNOTATION_ID) for r in range(3)} == {
        seed.annotations[k] for k in ("deposits", "billions", "agreement")}
    del testers


@requires_corpus
def test_claim_form_is_prefilled_saves_only_on_save_and_undoes(
        dossier: Dossier, qtbot: Any, tmp_path: Path) -> None:
    seed = record_seed_claims(dossier)
    window = open_window(dossier, qtbot, tmp_path)
    window.open_passage(seed.document_id, seed.annotations["billions"])
    qtbot.waitUntil(lambda: window.tagger.current_id == seed.annotations["billions"])
    dialog = window.money.record_claim()
    assert dialog is not None
    assert dialog.amount_text.text() == "billions of dollars a year"
    assert dialog.currency.text() == "USD" and dialog.amount_value.text() == ""
    save_screenshot(dialog.grab().toImage(), "money-claim-form.png", tmp_path)
    dialog.reject()
    assert len(list_facts(dossier)) == 4  # cancelled: nothing saved

    dialog = window.money.record_claim()
    assert dialog is not None
    dialog.subject.name.setCurrentText("Chinese seafood processors")
    dialog.subject.schema.setCurrentText("Company")
    dialog.object.name.setCurrentText("DPRK government")
    dialog.currency.setText("XXY")
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    assert "ISO 4217" in dialog.error.text() and len(list_facts(dossier)) == 4
    dialog.currency.setText("USD")
    dialog.fields["purpose"].setText("wages")
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    qtbot.waitUntil(lambda: len(list_facts(dossier)) == 5)
    new = next(f for f in list_facts(dossier) if f.subject == "Chinese seafood processors")
    assert (new.object, new.amount_text, new.currency) == ("Government of North Korea",
                                                           "billions of dollars a year", "USD")
    window.undo.stack.undo()
    qtbot.waitUntil(lambda: len(list_facts(dossier)) == 4)
    window.undo.stack.redo()
    qtbot.waitUntil(lambda: len(list_facts(dossier)) == 5)
    assert new.id in {f.id for f in list_facts(dossier)}

    # Merging entities from the GUI is one undo step.
    window.money.merge_entities("North Korean overseas workers", "Overseas worksite managers")
    qtbot.waitUntil(lambda: get_entity(dossier, "Overseas worksite managers").name
                    == "North Korean overseas workers")
    window.undo.stack.undo()
    qtbot.waitUntil(lambda: get_entity(dossier, "Overseas worksite managers").name
                    == "Overseas worksite managers")


def test_screening_dialog_proposes_and_a_person_decides(dossier: Dossier, qtbot: Any,
                                                        tmp_path: Path) -> None:
    from tests.helpers.screening_list import add_entities

    add_entities(dossier)
    window = open_window(dossier, qtbot, tmp_path)
    dialog = window.money.show_screening()
    tester = watch(dialog.model)
    dialog.screen_list(str(write_list(tmp_path / "list.ftm.json")))
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 4)
    assert {m.status for m in list_matches(dossier)} == {"pending"}
    dialog.table.selectRow(0)
    dialog.reason.setText("same birth year and patronymic")
    dialog.confirm_button.click()
    qtbot.waitUntil(lambda: len(list_matches(dossier, "confirmed")) == 1)
    assert dialog.model.index(0, 4).data() == "confirmed by alice"
    save_screenshot(dialog.grab().toImage(), "money-screening.png", tmp_path)
    del tester

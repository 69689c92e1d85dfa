"""Cancel, clicked in the progress dialog, stops an export and a set import running on the writer
thread; each ends cancelled and leaves nothing behind (no file, no rows, no audit event)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QPushButton, QWidget
from sqlalchemy import text

from app.errors import Cancelled
from app.exchange import export
from app.services import annotations as service
from app.services.sets.merge import import_set
from tests.helpers.bulk import word_passages, write_set
from tests.helpers.documents import add_text_document
from ui import dialogs
from ui.exchanging import Exchanger, ExportRequest
from ui.operations import Operations

pytestmark = pytest.mark.slow

#: Enough annotations that the work runs well past the progress dialog's 0.5 s delay and half
#: of it after that (4,000 took 0.53 s on a fast machine: Cancel sometimes had nothing to stop).
COUNT = 12000


def _counts(dossier: Any) -> tuple[int, int, int]:
    with dossier.read() as session:
        return tuple(session.execute(text(  # type: ignore[return-value]
            "SELECT (SELECT count(*) FROM annotations), (SELECT count(*) FROM audit_events), "
            "(SELECT count(*) FROM search_refs)")).one())


def _big_set(dossier: Any, tmp_path: Path) -> Path:
    body = " ".join(f"word{i:06d}" for i in range(COUNT * 3))
    doc = add_text_document(dossier, body, "Shipping records")
    return write_set(tmp_path / "colleague.jsonld", word_passages(doc, body, COUNT),
                     author="bob")


def _click_cancel(qtbot: Any) -> None:
    """Click Cancel in the progress dialog, as the investigator would."""
    def dialog() -> dialogs.TaskProgressDialog | None:
        return next((w for w in QApplication.topLevelWidgets()
                     if isinstance(w, dialogs.TaskProgressDialog) and w.isVisible()), None)

    qtbot.waitUntil(lambda: dialog() is not None, timeout=10000)
    found = dialog()
    assert found is not None
    button = found.findChild(QPushButton)
    assert button is not None and button.text() == "Cancel"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_cancel_stops_a_set_import_and_nothing_is_written(
        dossier: Any, qtbot: Any, tmp_path: Path, monkeypatch: Any) -> None:
    path = _big_set(dossier, tmp_path)
    before = _counts(dossier)
    window = QWidget()
    qtbot.addWidget(window)
    ops = Operations(dossier, window, window=window)
    exchanger = Exchanger(ops, window)
    shown: list[str] = []
    exchanger.finished.connect(shown.append)
    writing: list[bool] = []
    op = exchanger.import_set_file(str(path))
    assert op is not None
    # Cancel once annotations are being written, inside the import's one transaction.
    op.progressed.connect(lambda done, total: writing.append(done >= total // 2))
    qtbot.waitUntil(lambda: any(writing), timeout=20000)
    _click_cancel(qtbot)
    qtbot.waitUntil(lambda: op.done, timeout=1000)
    assert isinstance(op.error, Cancelled)
    assert shown and "cancelled" in shown[-1]
    assert _counts(dossier) == before  # no annotation, audit event or index entry remains
    ops.close()


def test_cancel_stops_an_export_and_no_file_is_left(
        dossier: Any, qtbot: Any, tmp_path: Path) -> None:
    import_set(dossier, _big_set(dossier, tmp_path))
    before = _counts(dossier)
    window = QWidget()
    qtbot.addWidget(window)
    ops = Operations(dossier, window, window=window)
    exchanger = Exchanger(ops, window)
    assert openpyxl.__version__  # loaded already, as after any earlier export: Cancel is
    # honoured between rows, not inside a first-time module import
    out = tmp_path / "out.xlsx"
    op = exchanger.export(ExportRequest("xlsx", str(out), (), None, None, None, None, None))
    assert op is not None
    _click_cancel(qtbot)
    qtbot.waitUntil(lambda: op.done, timeout=1000)
    assert isinstance(op.error, Cancelled)
    assert not out.exists()
    assert list(tmp_path.glob("*.part")) == [] and list(tmp_path.glob(".*.part")) == []
    assert _counts(dossier) == before  # no export event in the audit chain
    ops.close()


def test_an_export_cancelled_in_its_writer_leaves_no_file(dossier: Any, tmp_path: Path) -> None:
    doc = add_text_document(dossier, "Managers kept the passports. Wages were withheld.")
    for start in range(0, 40, 5):
        service.create_annotation(dossier, doc.id, start, start + 4)
    before = _counts(dossier)
    for fmt in ("jsonld", "csv", "xlsx", "bundle", "qdpx"):
        polls = {"n": 0}

        def cancel(polls: dict[str, int] = polls) -> bool:
            polls["n"] += 1
            return polls["n"] > 4  # past the selection, inside the writer's loop

        out = tmp_path / f"out.{fmt}"
        with pytest.raises(Cancelled, match="cancelled; nothing was written"):
            export(dossier, fmt, out, cancel=cancel)
        assert not out.exists() and not list(tmp_path.glob(".*.part"))
    assert _counts(dossier) == before

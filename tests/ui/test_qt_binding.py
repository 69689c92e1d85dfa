"""The installed Qt binding keeps Python's reference counts straight.

PySide6 6.12.0 on CPython 3.11 drops a reference to ``True`` on every call of a Python slot and a
reference to ``None`` every time a Python ``data()`` override returns None; a session then dies
with "Fatal Python error: bool_dealloc / none_dealloc" after a few thousand signals or repaints.
(On 3.12+ those objects are immortal, which hides it.) This test names the problem instead.
"""

from __future__ import annotations

import sys
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, QPersistentModelIndex, Signal

CALLS = 500


class _Emitter(QObject):
    fired = Signal(object)


class _Model(QAbstractListModel):
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 1

    def data(self, index: Any, role: int = 0) -> Any:
        return None


def test_slot_calls_keep_reference_counts(qtbot: Any) -> None:
    emitter = _Emitter()
    seen: list[object] = []
    emitter.fired.connect(seen.append)
    before = sys.getrefcount(True), sys.getrefcount(None)
    for _ in range(CALLS):
        emitter.fired.emit(None)
    seen.clear()
    after = sys.getrefcount(True), sys.getrefcount(None)
    assert after[0] - before[0] > -CALLS // 2, "the Qt binding leaks references to True"
    assert after[1] - before[1] > -CALLS // 2, "the Qt binding leaks references to None"


def test_model_data_returning_none_keeps_reference_counts(qtbot: Any) -> None:
    model = _Model()
    index = model.index(0, 0)
    before = sys.getrefcount(None)
    for _ in range(CALLS):
        index.data(0)
    assert sys.getrefcount(None) - before > -CALLS // 2, (
        "the Qt binding drops a reference to None per data() call (PySide6 6.12.0 bug); "
        "install PySide6-Essentials 6.11.x")

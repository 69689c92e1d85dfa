"""The operations layer: mutations on the one writer thread with their typed change sets, queries
off the GUI thread, superseded queries dropped, undo registered, failures reported once."""

from __future__ import annotations

import threading
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtGui import QUndoCommand

from app.changes import ChangeSet, Ids
from app.services import annotations as service
from tests.helpers.documents import add_text_document
from ui.operations import Operation, Operations

TEXT = "Managers confiscated the workers' passports on arrival.\n\nWages went elsewhere."


def test_a_mutation_runs_on_the_writer_thread_and_announces_one_change_set(
        dossier: Any, qtbot: Any) -> None:
    doc = add_text_document(dossier, TEXT, "Passports")
    ops = Operations(dossier)
    seen: list[Any] = []
    ops.changed.connect(lambda changes: seen.append(("changed", changes)))

    def work(op: Operation) -> list[str]:
        seen.append(("thread", threading.current_thread()))
        first = service.create_annotation(dossier, doc.id, 0, 8)
        second = service.create_annotation(dossier, doc.id, 9, 20)
        service.update_annotation(dossier, second.id, note="two steps")
        return [first.id, second.id]

    op = ops.mutate(work, label="Tag two passages",
                    on_done=lambda ids: seen.append(("done", ids)))
    qtbot.waitUntil(lambda: op.done, timeout=5000)
    thread = next(v for k, v in seen if k == "thread")
    assert thread is not threading.main_thread()
    kinds = [k for k, _ in seen if k != "thread"]
    assert kinds == ["changed", "done"]  # models are current when on_done runs
    changes = next(v for k, v in seen if k == "changed")
    ids = op.result
    assert changes == op.changes
    assert changes.annotations == Ids(created=frozenset(ids))  # created then edited: created
    assert not changes.documents and not changes.tags
    ops.close()


def test_changes_committed_outside_an_operation_are_announced(dossier: Any, qtbot: Any) -> None:
    doc = add_text_document(dossier, TEXT, "Passports")
    ops = Operations(dossier)
    seen: list[ChangeSet] = []
    ops.changed.connect(seen.append)
    ann = service.create_annotation(dossier, doc.id, 0, 8)
    assert seen == [ChangeSet(annotations=Ids(created=frozenset({ann.id})))]
    ops.close()


def test_a_long_query_leaves_the_event_loop_turning(dossier: Any, qtbot: Any) -> None:
    ops = Operations(dossier)
    ticks: list[int] = []
    release = threading.Event()
    timer = QTimer()
    timer.setInterval(5)

    def tick() -> None:
        ticks.append(1)
        if len(ticks) >= 5:  # only a turning GUI event loop gets here and lets the query end
            release.set()

    timer.timeout.connect(tick)
    timer.start()

    def work(op: Operation) -> int:
        if not release.wait(10):
            raise TimeoutError("the GUI event loop stopped while the query ran")
        return len(service.list_annotations(dossier))

    results: list[int] = []
    op = ops.query(work, label="Listing", on_done=results.append)
    assert not op.done  # returned at once; the work waits for the GUI's timer
    qtbot.waitUntil(lambda: op.done, timeout=10000)
    timer.stop()
    assert results == [0] and len(ticks) >= 5
    ops.close()


def test_a_newer_query_with_the_same_key_supersedes_an_older_one(dossier: Any,
                                                                  qtbot: Any) -> None:
    ops = Operations(dossier)
    gate = threading.Event()
    delivered: list[str] = []

    def slow(op: Operation) -> str:
        gate.wait(10)
        return "old"

    old = ops.query(slow, label="old", key="listing", on_done=delivered.append)
    new = ops.query(lambda op: "new", label="new", key="listing", on_done=delivered.append)
    assert old.is_cancelled()
    gate.set()
    qtbot.waitUntil(lambda: old.done and new.done, timeout=5000)
    assert delivered == ["new"]
    ops.close()


class _Recorded(QUndoCommand):
    def __init__(self, log: list[str], value: str) -> None:
        super().__init__(f"record {value}")
        self.log = log
        self.value = value
        self.first = True

    def redo(self) -> None:
        if not self.first:
            self.log.append(f"redo {self.value}")
        self.first = False

    def undo(self) -> None:
        self.log.append(f"undo {self.value}")


def test_undo_is_registered_once_the_mutation_succeeded(dossier: Any, qtbot: Any) -> None:
    ops = Operations(dossier, synchronous=True)
    log: list[str] = []
    ops.mutate(lambda op: "a", label="A", undo=lambda value: _Recorded(log, value))
    failures: list[str] = []
    ops.failed.connect(failures.append)
    ops.mutate(lambda op: 1 / 0, label="B", undo=lambda value: _Recorded(log, "b"))
    assert ops.undo_stack.count() == 1  # the failed one registered nothing
    assert failures == ["could not finish: division by zero"]
    ops.undo_stack.undo()
    ops.undo_stack.redo()
    assert log == ["undo a", "redo a"]
    ops.close()


def test_cancel_reaches_the_work(dossier: Any, qtbot: Any) -> None:
    ops = Operations(dossier)
    started = threading.Event()
    errors: list[BaseException] = []

    release = threading.Event()  # set at the test's end whatever happens: no thread lingers
    # (a writer thread waiting for a cancel that never came held the pool, and the run, for ever)

    def work(op: Operation) -> None:
        started.set()
        while not op.is_cancelled() and not release.wait(0.005):
            pass
        raise InterruptedError("cancelled")

    op = ops.mutate(work, label="Long", on_error=errors.append, progress=False)
    try:
        assert started.wait(5)
        op.cancel()
        qtbot.waitUntil(lambda: op.done, timeout=1000)
        assert isinstance(errors[0], InterruptedError)
    finally:
        release.set()
        ops.close()

"""The background-task runner: work off the GUI thread, outcomes back on it, late progress,
cancelling, and the synchronous mode tests use."""

from __future__ import annotations

import threading
from typing import Any

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QProgressDialog, QPushButton, QWidget

from app.importers.base import ImportCancelled
from ui import dialogs
from ui.tasks import PROGRESS_DELAY_MS, Task, TaskRunner


def test_work_runs_off_the_gui_thread_and_reports_back_on_it(qtbot: Any) -> None:
    runner = TaskRunner()
    seen: dict[str, Any] = {}

    def work(task: Task) -> int:
        seen["work_thread"] = threading.current_thread()
        task.report(1, 2)
        return 42

    def done(result: int) -> None:
        seen["result"] = result
        seen["callback_thread"] = threading.current_thread()

    progress: list[tuple[int, int]] = []
    with qtbot.waitSignal(runner.task_started):
        task = runner.run(work, on_success=done, on_progress=lambda d, t: progress.append((d, t)))
    qtbot.waitUntil(lambda: "result" in seen, timeout=3000)
    assert seen["result"] == 42
    assert seen["work_thread"] is not threading.main_thread()
    assert seen["callback_thread"] is threading.main_thread()
    assert progress == [(1, 2)]
    assert task.done and not runner.busy
    due: list[bool] = []
    task.progress_due.connect(lambda: due.append(True))
    task._maybe_progress_due()  # what the delay timer calls: finished work asks for nothing
    assert due == []  # quick work never asks for a progress dialog


def test_slow_work_asks_for_progress_and_can_be_cancelled(qtbot: Any) -> None:
    runner = TaskRunner()
    errors: list[BaseException] = []

    class Stopped(Exception):
        pass

    release = threading.Event()  # set by the test's end at the latest, so no thread lingers

    def work(task: Task) -> None:
        while not release.wait(0.01):  # a step of work, then a look at Cancel
            if task.is_cancelled():
                raise Stopped("cancelled by the user")

    task = runner.run(work, label="Importing", on_error=errors.append)
    with qtbot.waitSignal(task.progress_due, timeout=PROGRESS_DELAY_MS + 1000):
        pass
    task.cancel()
    try:
        qtbot.waitUntil(lambda: bool(errors), timeout=1000)
    finally:
        release.set()
    assert isinstance(errors[0], Stopped)
    assert runner.wait(1000)


def test_synchronous_mode_delivers_before_returning(qtbot: Any) -> None:
    runner = TaskRunner(synchronous=True)
    outcome: list[Any] = []
    runner.run(lambda task: "ok", on_success=outcome.append)
    assert outcome == ["ok"]
    runner.run(lambda task: 1 / 0, on_error=outcome.append)
    assert isinstance(outcome[1], ZeroDivisionError)


def test_background_work_is_serialised(qtbot: Any) -> None:
    jobs = 3
    runner = TaskRunner()
    active = 0
    most = 0
    lock = threading.Lock()
    finished: list[int] = []

    started = [threading.Event() for _ in range(jobs)]
    release = threading.Event()

    def work(_task: Task, n: int) -> int:
        nonlocal active, most
        with lock:
            active += 1
            most = max(most, active)
        started[n].set()
        release.wait(10)  # the first job holds the worker until every job is queued
        with lock:
            active -= 1
        return n

    for n in range(jobs):
        runner.run(lambda task, n=n: work(task, n), on_success=finished.append)
    assert started[0].wait(5)
    assert not started[1].is_set()  # queued behind the first, not running beside it
    release.set()
    qtbot.waitUntil(lambda: len(finished) == jobs, timeout=3000)
    assert finished == list(range(jobs)) and most == 1


def test_progress_dialog_shows_late_and_its_cancel_stops_the_work(qtbot: Any) -> None:
    runner = TaskRunner()
    parent = QWidget()
    qtbot.addWidget(parent)
    shown: list[QProgressDialog] = []
    errors: list[BaseException] = []

    release = threading.Event()  # never outlive the test, whatever happens

    def work(task: Task) -> None:
        while not task.is_cancelled() and not release.wait(0.01):
            task.report(3, 10)
        raise ImportCancelled("big.pdf: import cancelled")

    task = runner.run(work, label="Importing big.pdf", on_error=errors.append)
    task.progress_due.connect(lambda: shown.append(dialogs.show_progress(parent, task)))
    assert not shown  # nothing flashes up at once: the dialog waits for PROGRESS_DELAY_MS
    qtbot.waitUntil(lambda: bool(shown), timeout=3000)
    dialog = shown[0]
    qtbot.waitUntil(lambda: dialog.maximum() == 10 and dialog.value() == 3, timeout=2000)
    assert dialog.labelText() == "Importing big.pdf"
    cancel = next(b for b in dialog.findChildren(QPushButton) if b.text() == "Cancel")
    QTest.mouseClick(cancel, Qt.MouseButton.LeftButton)
    try:
        qtbot.waitUntil(lambda: bool(errors), timeout=3000)
    finally:
        release.set()
    assert isinstance(errors[0], ImportCancelled)
    # Closed when the work has stopped (and deleted: it was opened for this task only).
    qtbot.waitUntil(lambda: not shiboken6.isValid(dialog) or not dialog.isVisible(),
                    timeout=2000)

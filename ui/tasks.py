"""The one way the GUI runs work in the background.

``runner.run(work, on_success=..., on_error=...)`` calls ``work(task)`` on a worker thread and
delivers the result or the exception back on the GUI thread. ``work`` may call ``task.report(done,
total)`` and should poll ``task.is_cancelled()``. Work runs on a single worker thread, so database
writes made by background work are serialised. The ``progress_due`` signal fires only when work is
still running after :data:`PROGRESS_DELAY_MS`, so quick work never flashes a progress dialog.

Tests pass ``synchronous=True``: work then runs at once in the calling thread and every callback
has run when :meth:`TaskRunner.run` returns.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal, Slot

from app.changes import NO_CHANGES, ChangeSet

#: How long work runs before a progress indicator is worth showing.
PROGRESS_DELAY_MS = 500

Work = Callable[["Task"], Any]


class Task(QObject):
    """One piece of background work and its outcome.

    Signals: ``succeeded(object)`` with the result, ``failed(object)`` with the exception,
    ``progressed(int, int)`` (done, total), ``progress_due()`` once the work has run for a while,
    ``finished()`` after either outcome.
    """

    succeeded = Signal(object)
    failed = Signal(object)
    progressed = Signal(int, int)
    progress_due = Signal()
    finished = Signal()

    # Emitted from the worker thread; connected to this object's slots, so Qt queues them onto the
    # GUI thread this object lives in.
    _outcome = Signal(bool, object)
    _report = Signal(int, int)

    def __init__(self, label: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.label = label
        self._cancel = threading.Event()
        self._done = False
        #: The work's return value once it succeeded (None before, or after a failure).
        self.result: Any = None
        #: The exception the work raised, once it failed.
        self.error: BaseException | None = None
        #: What a mutation committed (set by :mod:`ui.operations`).
        self.changes: ChangeSet = NO_CHANGES
        self._outcome.connect(self._deliver)
        self._report.connect(self._relay_progress)

    # -- used by the work ----------------------------------------------------------------------
    def is_cancelled(self) -> bool:
        """True once somebody asked the work to stop (thread-safe)."""
        return self._cancel.is_set()

    def report(self, done: int, total: int) -> None:
        """Tell the GUI how far the work has come (callable from the worker thread)."""
        self._report.emit(int(done), int(total))

    # -- used by the GUI -----------------------------------------------------------------------
    def cancel(self) -> None:
        """Ask the work to stop; it does so the next time it polls :meth:`is_cancelled`."""
        self._cancel.set()

    @property
    def done(self) -> bool:
        """True once the outcome has been delivered."""
        return self._done

    @Slot(bool, object)
    def _deliver(self, ok: bool, value: object) -> None:
        self._done = True
        if ok:
            self.result = value
            self.succeeded.emit(value)
        else:
            assert isinstance(value, BaseException)
            self.error = value
            self.failed.emit(value)
        self.finished.emit()

    @Slot(int, int)
    def _relay_progress(self, done: int, total: int) -> None:
        if not self._done:
            self.progressed.emit(done, total)

    @Slot()
    def _maybe_progress_due(self) -> None:
        if not self._done:
            self.progress_due.emit()

    def _execute(self, work: Work) -> None:
        try:
            result = work(self)
        except BaseException as exc:  # every failure is delivered, never lost in a thread
            self._deliver_later(False, exc)
        else:
            self._deliver_later(True, result)

    def _deliver_later(self, ok: bool, value: object) -> None:
        # RuntimeError: the application is shutting down and nobody is left to tell.
        with contextlib.suppress(RuntimeError):
            self._outcome.emit(ok, value)


class _Worker(QRunnable):
    def __init__(self, task: Task, work: Work) -> None:
        super().__init__()
        self._task = task
        self._work = work
        self.setAutoDelete(True)

    def run(self) -> None:
        self._task._execute(self._work)


class TaskRunner(QObject):
    """Runs work off the GUI thread (or synchronously, for tests), on ``threads`` threads.

    GUI code does not use this directly: :mod:`ui.operations` runs mutations on one runner with
    a single thread (so writes are serialised) and queries on another.

    Signals: ``task_started(object)`` with the :class:`Task`, so a window can show progress for it.
    """

    task_started = Signal(object)

    def __init__(self, parent: QObject | None = None, *, synchronous: bool = False,
                 threads: int = 1) -> None:
        super().__init__(parent)
        self.synchronous = synchronous
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(threads)
        self._running: set[Task] = set()

    def run(
        self, work: Work, *, label: str = "Working",
        on_success: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        on_progress: Callable[[int, int], None] | None = None,
        task: Task | None = None,
    ) -> Task:
        """Start ``work(task)``; deliver ``on_success(result)`` or ``on_error(exc)`` on the GUI.

        ``task`` is a :class:`Task` made beforehand (so a caller can hold it before a synchronous
        runner delivers); by default a new one.
        """
        task = task or Task(label)  # kept alive by ``_running`` until its outcome is delivered
        if on_success is not None:
            task.succeeded.connect(on_success)
        if on_error is not None:
            task.failed.connect(on_error)
        if on_progress is not None:
            task.progressed.connect(on_progress)
        self._running.add(task)
        task.finished.connect(lambda: self._forget(task))
        self.task_started.emit(task)
        if self.synchronous:
            task._execute(work)
            return task
        QTimer.singleShot(PROGRESS_DELAY_MS, task, task._maybe_progress_due)
        self._pool.start(_Worker(task, work))
        return task

    def _forget(self, task: Task) -> None:
        self._running.discard(task)

    @property
    def busy(self) -> bool:
        """True while some work has not delivered its outcome."""
        return bool(self._running)

    def cancel_all(self) -> None:
        """Ask every running task to stop."""
        for task in list(self._running):
            task.cancel()

    def wait(self, msecs: int = 30000) -> bool:
        """Block until the worker thread is idle (for shutdown); True if it finished in time."""
        return bool(self._pool.waitForDone(msecs))

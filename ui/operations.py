"""The one way the GUI calls the core (after Anki's ``CollectionOp`` and ``QueryOp``).

Every call from a widget, model or dialog into ``app/`` is an operation:

- :meth:`Operations.mutate` runs a change on the single **writer** thread, so writes never wait
  on the GUI thread and never on each other; the :class:`~app.changes.ChangeSet` the services
  committed while it ran is announced once, by :attr:`Operations.changed`, before ``on_done``;
  ``undo=`` turns the result into a command on the one :attr:`Operations.undo_stack`.
- :meth:`Operations.query` runs a read on a **reader** thread; a newer query with the same ``key``
  supersedes an older one (its result is dropped), so a slow listing never overwrites a newer one.
- Both hand the work an :class:`Operation` (``op.report(done, total)``, ``op.is_cancelled()``, to
  pass as the services' ``progress=``/``cancel=``); work still running after half a second shows
  a progress dialog whose Cancel cancels it (``progress=False`` for quiet work).

Outcomes arrive on the GUI thread. An error without ``on_error`` is reported once, as one line,
by :attr:`Operations.failed`. Tests pass ``synchronous=True``: work runs at once in the calling
thread, and every callback and change has been delivered when the call returns.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import reduce
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtGui import QUndoCommand, QUndoStack
from PySide6.QtWidgets import QWidget

from app.changes import NO_CHANGES, ChangeSet
from app.dossier import Dossier
from app.errors import DossierError
from ui import dialogs
from ui.tasks import Task, TaskRunner

T = TypeVar("T")

#: The handle work receives and callers get back: ``report``, ``is_cancelled``, ``cancel``,
#: ``result``, ``error``, ``changes`` and the ``succeeded``/``failed``/``finished`` signals.
Operation = Task

#: How many reads may run at once (SQLite in WAL mode serves readers beside the writer).
READER_THREADS = 2


class Operations(QObject):
    """Runs the GUI's mutations and queries on one open dossier.

    Signals: ``changed(object)`` with the :class:`ChangeSet` of each mutation (and of changes
    committed outside any operation), always on the GUI thread; ``failed(str)`` with one line
    for an operation that failed without its own ``on_error``; ``operation_started(object)``
    with each :class:`Operation`.
    """

    changed = Signal(object)
    failed = Signal(str)
    operation_started = Signal(object)

    # Emitted from whichever thread committed; queued onto the GUI thread this object lives in.
    _received = Signal(object)

    def __init__(self, dossier: Dossier, parent: QObject | None = None, *,
                 synchronous: bool = False, window: QWidget | None = None) -> None:
        super().__init__(parent)
        self.dossier = dossier
        self.synchronous = synchronous
        #: Where progress dialogs and messages appear (the main window).
        self.window = window
        self.undo_stack = QUndoStack(self)
        self._writer = TaskRunner(self, synchronous=synchronous)
        self._reader = TaskRunner(self, synchronous=synchronous, threads=READER_THREADS)
        self._local = threading.local()
        self._latest: dict[str, Operation] = {}
        self._received.connect(self._announce)
        dossier.subscribe(self._listen)

    # -- running work --------------------------------------------------------------------------
    def mutate(
        self, work: Callable[[Operation], T], *, label: str,
        on_done: Callable[[T], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        undo: Callable[[T], QUndoCommand | None] | None = None,
        progress: bool = True,
    ) -> Operation:
        """Run ``work(op)`` on the writer thread; announce its changes, then ``on_done(result)``.

        ``undo(result)`` may return a command; it is pushed on :attr:`undo_stack` (its first
        ``redo`` must do nothing: the work has done the action already).
        """
        def run(op: Operation) -> T:
            self._local.collected = []
            try:
                return work(op)
            finally:
                collected: list[ChangeSet] = self._local.collected
                self._local.collected = None
                op.changes = reduce(lambda a, b: a | b, collected, NO_CHANGES)
                if op.changes:
                    self._received.emit(op.changes)

        def done(result: T) -> None:
            if undo is not None:
                command = undo(result)
                if command is not None:
                    self.undo_stack.push(command)
            if on_done is not None:
                on_done(result)

        return self._start(self._writer, run, label, done, on_error, progress)

    def query(
        self, work: Callable[[Operation], T], *, label: str,
        on_done: Callable[[T], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        key: str | None = None, progress: bool = False,
    ) -> Operation:
        """Run the read ``work(op)`` on a reader thread and deliver ``on_done(result)``.

        With ``key``, only the latest query of that key delivers; older ones are cancelled.
        """
        op_ref: list[Operation] = []

        def current() -> bool:
            return key is None or self._latest.get(key) is op_ref[0]

        def done(result: T) -> None:
            if current():
                self._forget_key(key, op_ref[0])
                if on_done is not None:
                    on_done(result)

        def error(exc: BaseException) -> None:
            if current():
                self._forget_key(key, op_ref[0])
                self._error(on_error, exc)

        if key is not None and key in self._latest:
            self._latest.pop(key).cancel()
        # Registered before it starts: a synchronous runner delivers inside _start.
        op = Task(label)
        op_ref.append(op)
        if key is not None:
            self._latest[key] = op
        return self._start(self._reader, work, label, done, error, progress, op=op,
                           handles_error=True)

    def _start(self, runner: TaskRunner, work: Callable[[Operation], Any], label: str,
               on_done: Callable[[Any], None], on_error: Callable[[BaseException], None] | None,
               progress: bool, *, op: Operation | None = None,
               handles_error: bool = False) -> Operation:
        op = runner.run(work, label=label, on_success=on_done,
                        on_error=on_error if handles_error
                        else (lambda exc: self._error(on_error, exc)), task=op)
        self.operation_started.emit(op)
        if progress and not op.done:
            op.progress_due.connect(lambda: dialogs.show_progress(self.window, op))
        return op

    def _error(self, on_error: Callable[[BaseException], None] | None,
               exc: BaseException) -> None:
        if on_error is not None:
            on_error(exc)
            return
        message = dialogs.one_line(exc)
        if not isinstance(exc, DossierError):
            message = f"could not finish: {message}"
        self.failed.emit(message)

    def _forget_key(self, key: str | None, op: Operation) -> None:
        if key is not None and self._latest.get(key) is op:
            del self._latest[key]

    # -- changes -------------------------------------------------------------------------------
    def _listen(self, changes: ChangeSet) -> None:
        collected: list[ChangeSet] | None = getattr(self._local, "collected", None)
        if collected is not None:  # inside a mutation on this thread: announced when it ends
            collected.append(changes)
        else:
            self._received.emit(changes)

    @Slot(object)
    def _announce(self, changes: ChangeSet) -> None:
        self.changed.emit(changes)

    # -- lifetime ------------------------------------------------------------------------------
    @property
    def busy(self) -> bool:
        """True while some operation has not delivered its outcome."""
        return self._writer.busy or self._reader.busy

    def cancel_all(self) -> None:
        """Ask every running operation to stop."""
        self._writer.cancel_all()
        self._reader.cancel_all()

    def wait(self, msecs: int = 30000) -> bool:
        """Block until no operation runs (for shutdown); True if they finished in time."""
        return self._writer.wait(msecs) and self._reader.wait(msecs)

    def close(self) -> None:
        """Stop listening to the dossier (after :meth:`cancel_all` and :meth:`wait`)."""
        self.dossier.unsubscribe(self._listen)

"""File > Import… and File > Import URL…: import in the background, one input after another.

Each input is imported by a mutation of :mod:`ui.operations` (on the writer thread), with a
cancellable progress dialog when it takes longer than half a second. An encrypted PDF asks for
its password and is tried again; refusals are collected and shown together, one line per input,
when the batch ends.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from app.errors import DossierError
from app.importers.base import ImportCancelled, PasswordRequired
from app.services import imports
from app.services.imports import ImportResult
from ui import dialogs
from ui.operations import Operation, Operations


@dataclass
class _Batch:
    pending: deque[str] = field(default_factory=deque)
    imported: list[str] = field(default_factory=list)
    present: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    cancelled: bool = False


class Importer(QObject):
    """Imports files and URLs the user chose.

    Signals: ``document_imported(str id)`` for each new or already present document (the window
    opens the last one), ``finished(str summary)`` when the batch is done.
    """

    document_imported = Signal(str)
    finished = Signal(str)

    def __init__(self, ops: Operations, window: QWidget) -> None:
        super().__init__(window)
        self.ops = ops
        self.dossier = ops.dossier
        self.window = window
        self._batch: _Batch | None = None

    @property
    def busy(self) -> bool:
        """True while a batch is being imported."""
        return self._batch is not None

    def import_inputs(self, inputs: list[str]) -> bool:
        """Import files (paths) and URLs in order; False when a batch is already running."""
        if self._batch is not None or not inputs:
            return False
        self._batch = _Batch(deque(inputs))
        self._next()
        return True

    def _next(self, password: str | None = None) -> None:
        batch = self._batch
        assert batch is not None
        if not batch.pending or batch.cancelled:
            self._finish()
            return
        spec = batch.pending[0]
        name = spec if imports.is_url(spec) else Path(spec).name

        def work(op: Operation) -> ImportResult:
            if imports.is_url(spec):
                return imports.import_url(self.dossier, spec, password=password,
                                          progress=op.report, cancel=op.is_cancelled)
            return imports.import_file(self.dossier, spec, password=password,
                                       progress=op.report, cancel=op.is_cancelled)

        self.ops.mutate(work, label=f"Importing {name}", on_done=self._succeeded,
                        on_error=self._failed)

    def _succeeded(self, result: ImportResult) -> None:
        batch = self._batch
        assert batch is not None
        spec = batch.pending.popleft()
        if result.status == "refused" or result.document is None:
            batch.refused.append(f"{spec}: {result.message or 'refused'}")
        else:
            title = result.document.title
            (batch.imported if result.status == "imported" else batch.present).append(title)
            self.document_imported.emit(result.document.id)
        self._next()

    def _failed(self, error: BaseException) -> None:
        batch = self._batch
        assert batch is not None
        spec = batch.pending[0]
        if isinstance(error, PasswordRequired):
            password = dialogs.ask_text(self.window, "Password needed",
                                        f"{dialogs.one_line(error)}\nPassword:", password=True)
            if password:
                self._next(password)
                return
            batch.refused.append(f"{spec}: encrypted, and no password was given")
        elif isinstance(error, ImportCancelled):
            batch.cancelled = True
        elif isinstance(error, DossierError):
            batch.refused.append(dialogs.one_line(error))
        else:  # an importer bug: still one line, never a traceback
            batch.refused.append(f"{spec}: could not be imported ({dialogs.one_line(error)})")
        batch.pending.popleft()
        self._next()

    def _finish(self) -> None:
        batch = self._batch
        assert batch is not None
        self._batch = None
        parts = []
        if batch.imported:
            parts.append(f"imported {len(batch.imported)} document"
                         f"{'s' if len(batch.imported) != 1 else ''}")
        if batch.present:
            parts.append(f"{len(batch.present)} already in the dossier")
        if batch.cancelled:
            parts.append("import cancelled")
        if batch.refused:
            parts.append(f"{len(batch.refused)} refused")
            dialogs.inform(self.window, "Import", "\n".join(batch.refused), error=True)
        summary = "; ".join(parts) or "nothing imported"
        self.finished.emit(summary[0].upper() + summary[1:])

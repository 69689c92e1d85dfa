"""File > Export… and File > Import Annotation Set…: exchanges run in the background.

The export dialog offers every format of :data:`app.exchange.FORMATS` and the filters of the
command line (documents, tag, status, author, date range); the export runs as a query of
:mod:`ui.operations` (it reads the dossier, writes only its file) and a set import as a mutation,
both with a progress dialog after half a second whose Cancel stops them. Importing a set shows the
summary of what was added, skipped and kept as conflicts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QDate, QObject, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QWidget,
)

from app.dossier import Dossier
from app.errors import Cancelled, DossierError
from app.exchange import FORMATS, ExportResult, export
from app.exchange.filters import build_filter
from app.services import annotations as annotation_service
from app.services import codebook
from app.services.codebook import TagInfo
from app.services.sets.merge import import_set
from app.services.sets.summary import ImportSummary
from ui import dialogs, export_memory
from ui.operations import Operation, Operations

SET_FILTER = ("Annotation sets (*.jsonld *.json *.zip *.qdpx);;JSON-LD (*.jsonld *.json);;"
              "Evidence bundles (*.zip);;REFI-QDA projects (*.qdpx);;All files (*)")


@dataclass(frozen=True)
class ExportRequest:
    """What the user chose in the export dialog."""

    format: str
    path: str
    documents: tuple[str, ...]
    tag: str | None
    status: str | None
    author: str | None
    created_from: str | None
    created_to: str | None


def choose_export_path(parent: QWidget | None, title: str, suggested: str) -> str:
    """Ask where to save; empty when cancelled (tests replace this)."""
    path, _ = QFileDialog.getSaveFileName(parent, title, suggested)
    return path


def choose_set_file(parent: QWidget | None, folder: str) -> str:
    """Ask for an annotation set to import; empty when cancelled (tests replace this)."""
    path, _ = QFileDialog.getOpenFileName(parent, "Import annotation set", folder, SET_FILTER)
    return path


class ExportDialog(QDialog):
    """Format, scope and filters of an export, and the file to write."""

    def __init__(self, dossier: Dossier, current_document: str | None,
                 parent: QWidget | None = None, tags: Sequence[TagInfo] | None = None) -> None:
        """``tags``: the codebook as the window holds it (read here when not given)."""
        super().__init__(parent)
        self.setWindowTitle("Export annotations")
        self.current_document = current_document
        form = QFormLayout(self)
        self.format = QComboBox(self)
        for fmt in FORMATS.values():
            self.format.addItem(fmt.label, fmt.name)
        form.addRow("Format", self.format)
        self.only_current = QCheckBox("Only the open document", self)
        self.only_current.setEnabled(current_document is not None)
        self.only_current.setChecked(current_document is not None)
        form.addRow("Documents", self.only_current)
        self.tag = QComboBox(self)
        self.tag.addItem("All tags", None)
        if tags is None:
            with dossier.read() as session:
                tags = codebook.list_tags(session)
        for info in tags:
            self.tag.addItem("    " * info.depth + info.name, info.id)
        form.addRow("Tag", self.tag)
        self.status = QComboBox(self)
        self.status.addItem("Any status", None)
        for status in annotation_service.STATUSES:
            self.status.addItem(status.replace("_", " ").capitalize(), status)
        form.addRow("Status", self.status)
        self.author = QLineEdit(self)
        self.author.setPlaceholderText("any author")
        form.addRow("Author", self.author)
        self.use_dates = QCheckBox("Created between", self)
        self.date_from = QDateEdit(QDate.currentDate().addMonths(-1), self)
        self.date_to = QDateEdit(QDate.currentDate(), self)
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setEnabled(False)
            self.use_dates.toggled.connect(edit.setEnabled)
        dates = QHBoxLayout()
        dates.addWidget(self.use_dates)
        dates.addWidget(self.date_from)
        dates.addWidget(self.date_to)
        form.addRow("Dates", dates)
        self.path = QLineEdit(self)
        browse = QPushButton("Choose…", self)
        browse.clicked.connect(self._browse)
        where = QHBoxLayout()
        where.addWidget(self.path)
        where.addWidget(browse)
        form.addRow("Save as", where)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Export")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.format.currentIndexChanged.connect(self._format_changed)
        self._format_changed()

    def _format_changed(self) -> None:
        fmt = FORMATS[self.format.currentData()]
        if fmt.needs_document:
            self.only_current.setChecked(self.current_document is not None)
        path = self.path.text()
        if path:
            self.path.setText(str(Path(path).with_suffix(fmt.suffix)))

    def _browse(self) -> None:
        fmt = FORMATS[self.format.currentData()]
        path = choose_export_path(self, "Export annotations", f"annotations{fmt.suffix}")
        if path:
            self.path.setText(path)

    def request(self) -> ExportRequest:
        """The user's choices."""
        dates = self.use_dates.isChecked()
        return ExportRequest(
            format=self.format.currentData(), path=self.path.text().strip(),
            documents=(self.current_document,) if self.only_current.isChecked()
            and self.current_document else (),
            tag=self.tag.currentData(), status=self.status.currentData(),
            author=self.author.text().strip() or None,
            created_from=self.date_from.date().toString("yyyy-MM-dd") if dates else None,
            # A date names the whole day: the filter makes "to" inclusive (up to its midnight).
            created_to=self.date_to.date().toString("yyyy-MM-dd") if dates else None,
        )


class Exchanger(QObject):
    """Runs exports and set imports for the main window.

    Signals: ``finished(str summary)`` after each exchange, successful or not.
    """

    finished = Signal(str)

    def __init__(self, ops: Operations, window: QWidget) -> None:
        super().__init__(window)
        self.ops = ops
        self.dossier = ops.dossier
        self.window = window

    def export_dialog(self, current_document: str | None,
                      tags: Sequence[TagInfo] | None = None) -> ExportDialog:
        """Open the export dialog; exporting starts when the user accepts it."""
        dialog = ExportDialog(self.dossier, current_document, self.window, tags)
        settings = getattr(self.window, "settings", None)
        if settings is not None:
            export_memory.restore(dialog, settings)
            dialog.accepted.connect(lambda: export_memory.remember(dialog, settings))
        dialog.accepted.connect(lambda: self.export(dialog.request()))
        dialog.open()
        return dialog

    def export(self, request: ExportRequest) -> Operation | None:
        """Export in the background; the outcome is shown as one message."""
        if not request.path:
            dialogs.inform(self.window, "Export", "Choose a file to save the export to.",
                           error=True)
            return None
        if Path(request.path).exists() and not dialogs.ask(
                self.window, "Export", f"{request.path} exists. Replace it?"):
            return None

        def work(op: Operation) -> ExportResult:
            flt = build_filter(
                self.dossier, documents=request.documents,
                tags=[request.tag] if request.tag else [],
                statuses=[request.status] if request.status else [],
                authors=[request.author] if request.author else [],
                created_from=request.created_from, created_to=request.created_to,
            )
            return export(self.dossier, request.format, request.path, flt, overwrite=True,
                          progress=op.report, cancel=op.is_cancelled)

        # A mutation: the export appends its audit event (who exported what, when).
        return self.ops.mutate(work, label=f"Exporting {Path(request.path).name}",
                               on_done=self._exported, on_error=self._failed)

    def import_set_file(self, path: str | None = None) -> Operation | None:
        """Import a colleague's annotation set (asks for the file when none is given)."""
        path = path or choose_set_file(self.window, str(Path.home()))
        if not path:
            return None
        return self.ops.mutate(lambda op: import_set(self.dossier, path, progress=op.report,
                                                     cancel=op.is_cancelled),
                               label=f"Importing {Path(path).name}",
                               on_done=self._imported, on_error=self._failed)

    def _exported(self, result: ExportResult) -> None:
        message = (f"Exported {result.annotations} annotation"
                   f"{'s' if result.annotations != 1 else ''} from {result.documents} "
                   f"document{'s' if result.documents != 1 else ''} to {result.path.name}\n"
                   f"SHA-256 {result.sha256}")
        for note in result.notes:
            message += f"\n{note}"
        dialogs.inform_saved(self.window, "Export", message, str(result.path))
        self.finished.emit(message.splitlines()[0])

    def _imported(self, summary: ImportSummary) -> None:
        lines = [f"{summary.name}: {len(summary.added)} added, {summary.identical} already "
                 f"present, {len(summary.conflicts)} kept as conflicts"]
        if summary.documents_imported:
            lines.append(f"{len(summary.documents_imported)} documents brought in")
        if summary.documents_missing:
            lines.append(f"{len(summary.documents_missing)} documents are not in this dossier; "
                         "import their originals first")
        if summary.unanchored:
            lines.append(f"{len(summary.unanchored)} passages were not found in the documents")
        if summary.flagged:
            lines.append(f"{len(summary.flagged)} placed but flagged for review (their place "
                         "could not be verified): see the annotations marked fuzzy")
        lines += [f"not imported: {s['annotation']}: {s['reason']}" for s in summary.skipped[:5]]
        if len(summary.skipped) > 5:
            lines.append(f"… and {len(summary.skipped) - 5} more not imported (replies, page "
                         "notes, areas)")
        if summary.tags_created:
            lines.append(f"tags created: {', '.join(summary.tags_created)}")
        lines += summary.warnings
        dialogs.inform(self.window, "Import annotation set", "\n".join(lines))
        self.finished.emit(lines[0])

    def _failed(self, error: BaseException) -> None:
        message = dialogs.one_line(error)
        if isinstance(error, Cancelled):  # the user's own choice: a note, not an error box
            self.finished.emit(message[0].upper() + message[1:])
            return
        if not isinstance(error, DossierError):
            message = f"the exchange failed ({message})"
        dialogs.inform(self.window, "Dossier", message, error=True)
        self.finished.emit(message)

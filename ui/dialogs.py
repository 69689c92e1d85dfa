"""Questions and messages to the user, behind small functions tests replace.

Every modal question goes through :func:`ask`, :func:`ask_text`, :func:`choose_files` or
:func:`inform`; a test monkeypatches them (``monkeypatch.setattr(dialogs, "ask_text", ...)``) so
no dialog ever waits for a click that will not come. Callers must use them through the module
(``dialogs.ask(...)``), not import the functions by name.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QFileDialog,
    QInputDialog,
    QLineEdit,
    QMessageBox,
    QProgressDialog,
    QWidget,
)

from ui.tasks import Task

#: File types offered by File > Import….
IMPORT_FILTER = ("Documents (*.pdf *.html *.htm *.txt *.md *.markdown);;PDF (*.pdf);;"
                 "Web pages (*.html *.htm);;Text (*.txt *.md *.markdown);;All files (*)")


def one_line(error: BaseException | str) -> str:
    """A user-facing, single-line message for an error (never a traceback)."""
    text = str(error).strip() or type(error).__name__
    first = text.splitlines()[0]
    return first if len(first) <= 300 else first[:299] + "…"


def ask(parent: QWidget | None, title: str, question: str) -> bool:
    """Ask a yes/no question; True for yes."""
    answer = QMessageBox.question(parent, title, question,
                                  QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                  QMessageBox.StandardButton.No)
    return answer == QMessageBox.StandardButton.Yes


def ask_text(parent: QWidget | None, title: str, label: str, *, password: bool = False,
             text: str = "") -> str | None:
    """Ask for one line of text (hidden when ``password``); None when cancelled."""
    mode = QLineEdit.EchoMode.Password if password else QLineEdit.EchoMode.Normal
    value, ok = QInputDialog.getText(parent, title, label, mode, text)
    return value if ok else None


def choose_files(parent: QWidget | None, title: str, folder: str) -> list[str]:
    """Let the user pick files to import; empty when cancelled."""
    paths, _ = QFileDialog.getOpenFileNames(parent, title, folder, IMPORT_FILTER)
    return list(paths)


def choose_item(parent: QWidget | None, title: str, label: str, items: list[str]) -> str | None:
    """Let the user pick one of ``items``; None when cancelled."""
    value, ok = QInputDialog.getItem(parent, title, label, items, 0, False)
    return value if ok else None


def choose_colour(parent: QWidget | None, title: str, colour: str) -> str | None:
    """Let the user pick a colour ("#rrggbb"); None when cancelled."""
    from PySide6.QtGui import QColor
    from PySide6.QtWidgets import QColorDialog

    chosen = QColorDialog.getColor(QColor(colour), parent, title)
    return chosen.name() if chosen.isValid() else None


def choose_save_file(parent: QWidget | None, title: str, path: str, filters: str) -> str | None:
    """Ask where to save; None when cancelled."""
    chosen, _ = QFileDialog.getSaveFileName(parent, title, path, filters)
    return chosen or None


def choose_open_file(parent: QWidget | None, title: str, folder: str, filters: str) -> str | None:
    """Ask for one file to open; None when cancelled."""
    chosen, _ = QFileDialog.getOpenFileName(parent, title, folder, filters)
    return chosen or None


def choose_folder(parent: QWidget | None, title: str, folder: str) -> str | None:
    """Ask for a folder; None when cancelled."""
    chosen = QFileDialog.getExistingDirectory(parent, title, folder)
    return chosen or None


def inform_saved(parent: QWidget | None, title: str, message: str, path: str) -> None:
    """Say a file was written, with a "Show in Folder" button that opens its folder."""
    from pathlib import Path

    from PySide6.QtCore import QUrl
    from PySide6.QtGui import QDesktopServices

    box = QMessageBox(QMessageBox.Icon.Information, title, message,
                      QMessageBox.StandardButton.Ok, parent)
    show = box.addButton("Show in Folder", QMessageBox.ButtonRole.ActionRole)
    folder = str(Path(path).parent)
    show.clicked.connect(lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(folder)))
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()


def inform(parent: QWidget | None, title: str, message: str, *, error: bool = False) -> None:
    """Show a short message; returns at once, the box stays open until dismissed.

    For errors each line of ``message`` is one problem, kept to one line.
    """
    if error:
        message = "\n".join(one_line(line) for line in message.splitlines() if line.strip())
    box = QMessageBox(QMessageBox.Icon.Warning if error else QMessageBox.Icon.Information,
                      title, message, QMessageBox.StandardButton.Ok, parent)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()


class TaskProgressDialog(QProgressDialog):
    """A progress dialog tied to one task: shows its progress, and Cancel cancels it.

    Its slots belong to the dialog, so Qt drops the connections when the dialog is deleted.
    """

    def __init__(self, parent: QWidget | None, task: Task) -> None:
        super().__init__(task.label, "Cancel", 0, 0, parent)
        self.task = task
        self.setWindowTitle("Dossier")
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setMinimumDuration(0)
        self.setAutoClose(False)
        self.setAutoReset(False)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        task.progressed.connect(self.show_progress)
        task.finished.connect(self.close)
        self.canceled.connect(self.cancel_task)

    @Slot(int, int)
    def show_progress(self, done: int, total: int) -> None:
        """Move the bar (a busy indicator while the total is unknown)."""
        self.setMaximum(max(total, 0))
        self.setValue(min(done, total) if total > 0 else 0)

    @Slot()
    def cancel_task(self) -> None:
        """Ask the task to stop; the dialog closes when it has."""
        if not self.task.done:
            self.task.cancel()
            self.setLabelText(f"{self.task.label} — stopping…")


def show_progress(parent: QWidget | None, task: Task) -> QProgressDialog:
    """Show a window-modal progress dialog for ``task`` whose Cancel button cancels it.

    Call it when ``task.progress_due`` fires, so only work longer than about half a second shows
    one; it closes itself when the task finishes.
    """
    dialog = TaskProgressDialog(parent, task)
    dialog.show()
    return dialog

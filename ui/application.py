"""Starting the desktop application on an open dossier."""

from __future__ import annotations

import sys
import traceback
from pathlib import Path
from types import TracebackType

import platformdirs
from PySide6.QtWidgets import QApplication, QMainWindow, QMessageBox, QWidget

from app.dossier import Dossier, default_dossier_path
from app.errors import DossierError
from ui import dialogs
from ui.settings import APPLICATION, ORGANISATION


def create_application(argv: list[str] | None = None) -> QApplication:
    """The QApplication with Dossier's organisation and application names (for QSettings)."""
    app = QApplication.instance()
    if isinstance(app, QApplication):
        return app
    app = QApplication(argv if argv is not None else sys.argv[:1])
    app.setOrganizationName(ORGANISATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName("Dossier")
    return app


def crash_log_path() -> Path:
    """Where unexpected errors are written in full (the user sees one line)."""
    return Path(platformdirs.user_log_dir("Dossier", appauthor=False)) / "errors.log"


def install_error_handler(window: QWidget) -> None:
    """Turn an unexpected exception in a slot into a one-line message and a log entry."""
    def handle(kind: type[BaseException], error: BaseException,
               tb: TracebackType | None) -> None:
        path = crash_log_path()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("a", encoding="utf-8") as log:
                log.write("".join(traceback.format_exception(kind, error, tb)) + "\n")
            where = f" (details in {path})"
        except OSError:
            where = ""
        dialogs.inform(window, "Dossier",
                       f"Something went wrong: {dialogs.one_line(error)}{where}", error=True)

    sys.excepthook = handle


def start_window(folder: Path | None, user: str | None = None) -> QMainWindow:
    """Apply the preferences, ask the name on the first run, then lock and open a dossier.

    ``folder`` None opens the dossier used last (else the default one). Raises DossierError when
    the dossier is refused (e.g. open in another Dossier window).
    """
    create_application()
    from ui import dossiers, preferences
    from ui.settings import Settings

    settings = Settings()
    preferences.apply(settings)
    if user is None:
        user = dossiers.ensure_display_name()
    if folder is None:
        recent = dossiers.recent_dossiers(settings)
        folder = Path(recent[0]) if recent else default_dossier_path()
    return dossiers.open_dossier_window(folder, user=user, settings=settings)


def run_folder(folder: Path | None, user: str | None = None) -> int:
    """:func:`start_window`, then run until the window closes.

    A dossier already open in another Dossier window is refused: a message box, then the error
    is raised again for the command line's one-line message and exit status.
    """
    app = create_application()
    try:
        window = start_window(folder, user)
    except DossierError as exc:
        box = QMessageBox(QMessageBox.Icon.Warning, "Dossier", dialogs.one_line(exc),
                          QMessageBox.StandardButton.Ok)
        box.exec()
        raise
    install_error_handler(window)
    try:
        return app.exec()
    finally:
        sys.excepthook = sys.__excepthook__


def run(dossier: Dossier) -> int:
    """Show the main window and run the event loop until it closes."""
    app = create_application()
    from ui.main_window import MainWindow

    window = MainWindow(dossier)
    install_error_handler(window)
    window.show()
    try:
        return app.exec()
    finally:
        sys.excepthook = sys.__excepthook__

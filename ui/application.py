"""Starting the desktop application on an open dossier."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication

from app.dossier import Dossier


def create_application(argv: list[str] | None = None) -> QApplication:
    """The QApplication with Dossier's organisation and application names (for QSettings)."""
    app = QApplication.instance()
    if isinstance(app, QApplication):
        return app
    app = QApplication(argv if argv is not None else sys.argv[:1])
    app.setOrganizationName("Dossier")
    app.setApplicationName("Dossier")
    app.setApplicationDisplayName("Dossier")
    return app


def run(dossier: Dossier) -> int:
    """Show the main window and run the event loop until it closes."""
    app = create_application()
    from ui.main_window import MainWindow

    window = MainWindow(dossier)
    window.show()
    return app.exec()

"""The main window (a first version: the document list of the open dossier)."""

from __future__ import annotations

from PySide6.QtWidgets import QListWidget, QMainWindow

from app.dossier import Dossier
from app.services import documents


class MainWindow(QMainWindow):
    """Dossier's main window."""

    def __init__(self, dossier: Dossier) -> None:
        super().__init__()
        self.dossier = dossier
        self.setWindowTitle(f"Dossier — {dossier.folder.name}")
        self.resize(1100, 750)
        self.documents = QListWidget(self)
        self.setCentralWidget(self.documents)
        for doc in documents.list_documents(dossier):
            self.documents.addItem(f"{doc.title}  ({doc.kind})")
        self.statusBar().showMessage(f"{self.documents.count()} documents in {dossier.folder}")

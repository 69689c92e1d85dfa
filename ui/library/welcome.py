"""The welcome page shown in the reader while no document is open.

With an empty library it offers "Import Documents…" and "Open the Sample Dossier".
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget


class WelcomePage(QWidget):
    """Wraps the window's welcome label and adds the first steps as buttons."""

    def __init__(self, label: QLabel, import_documents: Callable[[], object],
                 open_samples: Callable[[], object], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("welcome_page")
        self.label = label
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(label)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.import_button = QPushButton("Import Documents…", self)
        self.import_button.clicked.connect(lambda _checked=False: import_documents())
        self.sample_button = QPushButton("Open the Sample Dossier", self)
        self.sample_button.setToolTip("Two short fictional documents to practise highlighting "
                                      "and tagging on")
        self.sample_button.clicked.connect(lambda _checked=False: open_samples())
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.sample_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        layout.addStretch(2)
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        label.show()  # a widget taken out of a stacked layout is left hidden

    def set_empty(self, empty: bool) -> None:
        """Offer the first steps only while the library is empty."""
        self.import_button.setVisible(empty)
        self.sample_button.setVisible(empty)

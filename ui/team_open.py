"""File > Open Team Dossier…: the address of a team dossier and its password.

The address (``USER@HOST:PORT/DATABASE``) is remembered in the settings; the password only in the
system keyring (:mod:`app.keychain`), and only when the user asks for it to be remembered. The
dialog fills in a kept password when the address is typed. Opening runs when Open is clicked;
a refusal (wrong password, unreachable server) is shown in the dialog, which stays open.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app import keychain
from app.dossier import Dossier
from app.errors import DossierError
from app.location import ServerAddress
from ui.dialogs import one_line
from ui.settings import LAST_TEAM_DOSSIER, Settings

if TYPE_CHECKING:
    from ui.main_window import MainWindow

#: Opens a team dossier from its URL with the password in it; the dialog's default is
#: :meth:`Dossier.open` as ``user``.
Opener = Callable[[str], Dossier]


class OpenTeamDossierDialog(QDialog):
    """Asks for a team dossier's address and password, and opens it.

    ``opened(dossier)`` is the result: :attr:`dossier` is set when the dialog is accepted.
    """

    def __init__(self, opener: Opener, settings: Settings | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("open_team_dossier")
        self.setWindowTitle("Open Team Dossier")
        self.setMinimumWidth(520)
        self.opener = opener
        self.settings = settings
        self.dossier: Dossier | None = None
        self._filled_from_keyring = False
        layout = QVBoxLayout(self)
        intro = QLabel("A team dossier is kept on a PostgreSQL server and shared by the whole "
                       "team. Ask its administrator for your login.", self)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.address = QLineEdit(self)
        self.address.setPlaceholderText("user@host:5432/database")
        self.address.setMinimumWidth(380)
        self.password = QLineEdit(self)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.remember = QCheckBox("Remember the password in the system keyring", self)
        self.remember.setChecked(True)
        form.addRow("Address", self.address)
        form.addRow("Password", self.password)
        form.addRow("", self.remember)
        layout.addLayout(form)
        self.message = QLabel(self)
        self.message.setObjectName("open_team_message")
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setWordWrap(True)
        self.message.setVisible(False)
        layout.addWidget(self.message)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Open | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.address.editingFinished.connect(self._fill_password)
        self.password.textEdited.connect(lambda _t: self._typed_password())
        if settings is not None:
            self.address.setText(settings.get(LAST_TEAM_DOSSIER).removeprefix("postgresql://"))
            self._fill_password()

    def _address(self) -> ServerAddress:
        return ServerAddress.parse(keychain.normalise_address(self.address.text()))

    def _fill_password(self) -> None:
        """Put in the password kept for this address, if the user has not typed one."""
        if self.password.text() and not self._filled_from_keyring:
            return
        try:
            kept = keychain.stored_password(self._address())
        except DossierError:
            return
        self.password.setText(kept or "")
        self._filled_from_keyring = kept is not None
        if kept is not None:
            self._say("The password kept in the system keyring is filled in.", error=False)

    def _typed_password(self) -> None:
        self._filled_from_keyring = False

    def _say(self, text: str, *, error: bool = True) -> None:
        self.message.setText(text)
        self.message.setStyleSheet("color: #b3261e;" if error else "color: palette(mid);")
        self.message.setVisible(True)
        self.adjustSize()  # room for the whole message, never squeezing the fields

    def accept(self) -> None:
        """Open the team dossier; stay open with the reason when it cannot be opened."""
        try:
            url = keychain.normalise_address(self.address.text())
            address = ServerAddress.parse(url)
        except DossierError as exc:
            self._say(one_line(exc))
            return
        password = self.password.text()
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            self.dossier = self.opener(keychain.with_password(url, password))
        except DossierError as exc:
            self._say(one_line(exc))
            return
        finally:
            QGuiApplication.restoreOverrideCursor()
        if self.settings is not None:
            self.settings.set(LAST_TEAM_DOSSIER, url)  # the address only, never the password
        if self.remember.isChecked() and password:
            try:
                keychain.store_password(address, password)
            except DossierError as exc:
                self.setProperty("keyring_problem", one_line(exc))
        elif not self.remember.isChecked():
            keychain.forget_password(address)
        super().accept()


def open_team_dossier(window: MainWindow) -> OpenTeamDossierDialog:
    """File > Open Team Dossier…: ask, open the team dossier in a new window, close this one."""
    from ui import dossiers
    from ui.main_window import MainWindow

    user = window.dossier.user_name
    dialog = OpenTeamDossierDialog(lambda url: Dossier.open(url, user=user, create=False),
                                   window.settings, window)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def opened() -> None:
        assert dialog.dossier is not None
        new = MainWindow(dialog.dossier, settings=window.settings)
        dossiers.track_window(new)
        new.show()
        problem = dialog.property("keyring_problem")
        if problem:
            new.show_message(str(problem))
        window.close()

    dialog.accepted.connect(opened)
    dialog.open()
    return dialog

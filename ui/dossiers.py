"""Dossiers in the window: File > New, Open and Open Recent; one window per dossier.

Opening takes the dossier's lock (:mod:`app.lock`) first, so a dossier already open in another
Dossier window is refused with a clear message; the lock goes when the window closes (or the
process ends). The first start asks for the user's display name (:mod:`app.userconfig`).
"""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu

from app import userconfig
from app.dossier import DB_FILE, Dossier
from app.errors import DossierError
from app.lock import DossierLock
from ui import dialogs
from ui.settings import RECENT_DOSSIERS, Settings

if TYPE_CHECKING:
    from ui.main_window import MainWindow

RECENT_LIMIT = 8
#: Windows open in this process (Qt does not keep top-level windows alive by itself).
_WINDOWS: list[MainWindow] = []


def ensure_display_name(parent: object = None) -> str | None:
    """The stored display name; on first run, ask for it (None when the user declines)."""
    name = userconfig.display_name()
    while name is None:
        try:
            login = getpass.getuser()
        except Exception:  # no login name in some containers
            login = ""
        typed = dialogs.ask_text(None, "Welcome to Dossier",
                                 "Your name, as it will appear on your annotations:", text=login)
        if typed is None:
            return None
        try:
            name = userconfig.set_display_name(typed)
        except DossierError as exc:
            dialogs.inform(None, "Dossier", str(exc), error=True)
    return name


def recent_dossiers(settings: Settings) -> list[str]:
    """Recently opened dossier folders, newest first (missing ones dropped)."""
    return [p for p in settings.get(RECENT_DOSSIERS).split("\n")
            if p and (Path(p) / DB_FILE).exists()]


def remember(settings: Settings, folder: Path) -> None:
    """Put ``folder`` at the top of the recent list."""
    entry = str(folder.resolve())
    items = [entry, *(p for p in recent_dossiers(settings) if p != entry)]
    settings.set(RECENT_DOSSIERS, "\n".join(items[:RECENT_LIMIT]))


class _Release(QObject):
    """Closes the dossier and lets go of its lock once its window has closed."""

    def __init__(self, window: MainWindow, lock: DossierLock) -> None:
        super().__init__(window)
        self.lock = lock
        self.window = window
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        """When the window closes: release everything once its own close handling is done."""
        if watched is self.window and event.type() == QEvent.Type.Close:
            QTimer.singleShot(0, self._release)
        return False

    def _release(self) -> None:
        if self.window.isVisible():  # the close was refused
            return
        self.window.dossier.close()
        self.lock.release()
        if self.window in _WINDOWS:
            _WINDOWS.remove(self.window)


def track_window(window: MainWindow) -> None:
    """Keep a window without a folder lock (a team dossier) alive until it closes."""
    _WINDOWS.append(window)
    _CloseDossier(window)


class _CloseDossier(QObject):
    """Closes a team dossier's connections once its window has closed."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        """After the window's own close handling: let go of the dossier."""
        if watched is self.window and event.type() == QEvent.Type.Close:
            QTimer.singleShot(0, self._release)
        return False

    def _release(self) -> None:
        if not self.window.isVisible():
            self.window.dossier.close()
            if self.window in _WINDOWS:
                _WINDOWS.remove(self.window)


def open_dossier_window(folder: Path, *, user: str | None = None, create: bool = True,
                        settings: Settings | None = None) -> MainWindow:
    """Lock, open and show ``folder`` in a new main window; raises DossierError when refused."""
    from ui.main_window import MainWindow

    lock = DossierLock(folder)
    lock.acquire()
    try:
        dossier = Dossier.open(folder, user=user, create=create)
    except BaseException:
        lock.release()
        raise
    window = MainWindow(dossier, settings=settings)
    _Release(window, lock)
    _WINDOWS.append(window)
    remember(window.settings, folder)
    window.show()
    return window


class DossierMenu(QObject):
    """File > New Dossier…, Open Dossier…, Open Recent for one window."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        file_menu = window.menus["file"]
        first = file_menu.actions()[0]  # File > Import…: the dossier entries go above it
        self.new_action = QAction("&New Dossier…", window)
        self.new_action.triggered.connect(self.new_dossier)
        self.open_action = QAction("&Open Dossier…", window)
        self.open_action.setShortcut("Ctrl+Shift+O")
        self.open_action.triggered.connect(self.open_dossier)
        self.recent_menu = QMenu("Open &Recent", window)
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        file_menu.insertAction(first, self.new_action)
        file_menu.insertAction(first, self.open_action)
        file_menu.insertMenu(first, self.recent_menu)
        self.team_action = QAction("Open &Team Dossier…", window)
        self.team_action.triggered.connect(self.open_team_dossier)
        file_menu.insertAction(first, self.team_action)
        file_menu.insertSeparator(first)

    def new_dossier(self) -> None:
        """Choose an empty folder and open a new dossier there."""
        folder = dialogs.choose_folder(self.window, "New dossier: choose an empty folder",
                                       str(self.window.dossier.folder.parent))
        if not folder:
            return
        path = Path(folder)
        if (path / DB_FILE).exists():
            self.switch_to(path)
            return
        if path.exists() and any(path.iterdir()):
            path = path / "Dossier"
            if path.exists():
                self.window.show_error(f"{folder} is not empty; choose an empty folder")
                return
        self.switch_to(path, create=True)

    def open_dossier(self) -> None:
        """Choose a dossier folder and open it."""
        folder = dialogs.choose_folder(self.window, "Open dossier",
                                       str(self.window.dossier.folder.parent))
        if folder:
            self.switch_to(Path(folder))

    def open_team_dossier(self) -> None:
        """Ask for a team dossier's address and password, and open it in a new window."""
        from ui.team_open import open_team_dossier

        open_team_dossier(self.window)

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        current = str(self.window.dossier.folder.resolve())
        for path in recent_dossiers(self.window.settings):
            act = self.recent_menu.addAction(Path(path).name + "   " + path)
            act.setEnabled(path != current)
            act.triggered.connect(lambda _c=False, p=path: self.switch_to(Path(p)))
        if self.recent_menu.isEmpty():
            self.recent_menu.addAction("No recent dossiers").setEnabled(False)

    def switch_to(self, folder: Path, *, create: bool = False) -> MainWindow | None:
        """Open ``folder`` in a new window and close this one; refusals are one message."""
        if not create and not (folder / DB_FILE).exists():
            self.window.show_error(f"{folder} holds no dossier ({DB_FILE} is missing); "
                                   "choose a dossier folder, or File ▸ New Dossier…")
            return None
        if folder.resolve() == self.window.dossier.folder.resolve():
            return self.window
        try:
            window = open_dossier_window(folder, user=self.window.dossier.user_name,
                                         settings=self.window.settings)
        except DossierError as exc:
            self.window.show_error(str(exc))
            return None
        self.window.close()
        return window

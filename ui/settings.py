"""Settings, each declared once with its type and default.

Preferences (what the user chose) live under ``preferences/``; the saved window layout lives under
``window/`` and can be thrown away without losing a preference. Both are kept in ``QSettings``
under organisation "Dossier", application "Dossier"; tests pass their own ``QSettings`` file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QMainWindow

ORGANISATION = "Dossier"
APPLICATION = "Dossier"

T = TypeVar("T", str, int, float, bool)


@dataclass(frozen=True)
class Option(Generic[T]):
    """One preference: its key, type and default, and what it means."""

    key: str
    type: type[T]
    default: T
    doc: str


#: Every preference Dossier keeps. Add new ones here, and only here.
PDF_VIEW_MODE = Option("preferences/pdf_view_mode", str, "page",
                       "how PDFs open: 'page' (rendered pages) or 'text' (extracted text)")
LAST_IMPORT_FOLDER = Option("preferences/last_import_folder", str, "",
                            "folder the import dialog opens in")
LAST_DOCUMENT = Option("preferences/last_document", str, "",
                       "id of the document open when Dossier was closed")
RECENT_DOSSIERS = Option("preferences/recent_dossiers", str, "",
                         "dossier folders opened lately, newest first, one per line")
LAST_TEAM_DOSSIER = Option("preferences/last_team_dossier", str, "",
                           "address of the team dossier opened last (never its password)")
THEME = Option("preferences/theme", str, "system", "colour theme: 'system', 'light' or 'dark'")
READER_FONT = Option("preferences/reader_font", str, "", "font family of the text reader")
READER_FONT_SIZE = Option("preferences/reader_font_size", int, 0,
                          "point size of the text reader's font (0: the system's)")
DEFAULT_ZOOM = Option("preferences/default_zoom", float, 1.0,
                      "zoom a document opens at the first time (1.0 = 100 %)")
READING_POSITIONS = Option("state/reading_positions", str, "{}",
                           "per document: page, scroll position, zoom and view mode (JSON)")
EXPORT_FORMAT = Option("preferences/export_format", str, "", "format chosen at the last export")
EXPORT_ONLY_CURRENT = Option("preferences/export_only_current", bool, True,
                             "whether the last export was of the open document only")
EXPORT_FOLDER = Option("preferences/export_folder", str, "", "folder of the last export")
OPTIONS: tuple[Option[Any], ...] = (EXPORT_FORMAT, EXPORT_ONLY_CURRENT, EXPORT_FOLDER,
                                    PDF_VIEW_MODE, LAST_IMPORT_FOLDER, LAST_DOCUMENT,
                                    RECENT_DOSSIERS, THEME, READER_FONT, READER_FONT_SIZE,
                                    DEFAULT_ZOOM, READING_POSITIONS, LAST_TEAM_DOSSIER)

_GEOMETRY_KEY = "window/geometry"
_STATE_KEY = "window/state"
#: Bumped when docks are added or renamed, so an old saved layout is ignored, not half-applied.
LAYOUT_VERSION = 1


class Settings:
    """Typed access to preferences and to the saved window layout."""

    def __init__(self, store: QSettings | None = None) -> None:
        self.store = store if store is not None else QSettings(ORGANISATION, APPLICATION)

    def get(self, option: Option[T]) -> T:
        """The stored value of ``option``, or its default when missing or unreadable."""
        raw = self.store.value(option.key, None)
        if raw is None:
            return option.default
        text = str(raw)  # INI files give strings back; native stores may give the type
        try:
            if option.type is bool:
                return option.type(text.lower() in ("true", "1", "yes"))
            return option.type(text)
        except ValueError:
            return option.default

    def set(self, option: Option[T], value: T) -> None:
        """Store ``value`` for ``option``."""
        if not isinstance(value, option.type):
            raise TypeError(f"{option.key} takes {option.type.__name__}, not {value!r}")
        self.store.setValue(option.key, value)

    def save_window(self, window: QMainWindow) -> None:
        """Remember the window's geometry and its toolbars' and docks' layout."""
        self.store.setValue(_GEOMETRY_KEY, window.saveGeometry())
        self.store.setValue(_STATE_KEY, window.saveState(LAYOUT_VERSION))
        self.store.sync()

    def restore_window(self, window: QMainWindow) -> bool:
        """Put the window back as it was saved; False when nothing (usable) was saved."""
        geometry = self.store.value(_GEOMETRY_KEY, None)
        state = self.store.value(_STATE_KEY, None)
        restored = False
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            restored = window.restoreGeometry(geometry)
        if isinstance(state, QByteArray) and not state.isEmpty():
            restored = window.restoreState(state, LAYOUT_VERSION) and restored
        return restored

    def forget_window(self) -> None:
        """Drop the saved layout (preferences stay)."""
        self.store.remove("window")

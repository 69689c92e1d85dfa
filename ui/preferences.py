"""Edit > Preferences: display name, theme, reader font and size, default zoom."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFontComboBox,
    QFormLayout,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from app import userconfig
from ui import theme
from ui.settings import DEFAULT_ZOOM, READER_FONT, READER_FONT_SIZE, THEME, Settings
from ui.views.text_editor import set_reader_font


@dataclass(frozen=True)
class Preferences:
    """What the dialog edits."""

    name: str
    theme: str
    font: str
    font_size: int
    zoom: float


def current(settings: Settings, fallback_name: str) -> Preferences:
    """The preferences as stored now."""
    return Preferences(userconfig.display_name() or fallback_name, settings.get(THEME),
                       settings.get(READER_FONT), settings.get(READER_FONT_SIZE),
                       settings.get(DEFAULT_ZOOM))


def store(settings: Settings, prefs: Preferences) -> None:
    """Save ``prefs`` (the name where the command line reads it too) and apply them."""
    userconfig.set_display_name(prefs.name)
    settings.set(THEME, prefs.theme if prefs.theme in theme.THEMES else "system")
    settings.set(READER_FONT, prefs.font)
    settings.set(READER_FONT_SIZE, prefs.font_size)
    settings.set(DEFAULT_ZOOM, prefs.zoom)
    apply(settings)


def apply(settings: Settings) -> None:
    """Apply the stored theme and reader font to the running application."""
    theme.apply(settings.get(THEME))
    set_reader_font(settings.get(READER_FONT), float(settings.get(READER_FONT_SIZE)))


class PreferencesDialog(QDialog):
    """The form; :meth:`preferences` reads what it holds."""

    def __init__(self, prefs: Preferences, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Preferences")
        form = QFormLayout(self)
        self.name = QLineEdit(prefs.name, self)
        self.name.setToolTip("Shown as the author of your annotations, in the window and on "
                             "the command line")
        self.theme = QComboBox(self)
        for key, label in theme.THEMES.items():
            self.theme.addItem(label, key)
        self.theme.setCurrentIndex(max(self.theme.findData(prefs.theme), 0))
        self.reader_font = QFontComboBox(self)
        if prefs.font:
            self.reader_font.setCurrentFont(QFont(prefs.font))
        self.font_size = QSpinBox(self)
        self.font_size.setRange(0, 48)
        self.font_size.setSpecialValueText("Default")
        self.font_size.setSuffix(" pt")
        self.font_size.setValue(prefs.font_size)
        self.zoom = QDoubleSpinBox(self)
        self.zoom.setRange(25, 400)
        self.zoom.setDecimals(0)
        self.zoom.setSingleStep(10)
        self.zoom.setSuffix(" %")
        self.zoom.setValue(prefs.zoom * 100)
        form.addRow("Your name:", self.name)
        form.addRow("Theme:", self.theme)
        form.addRow("Reader font:", self.reader_font)
        form.addRow("Reader font size:", self.font_size)
        form.addRow("Default zoom:", self.zoom)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def preferences(self) -> Preferences:
        """What the form holds."""
        return Preferences(self.name.text(), str(self.theme.currentData()),
                           self.reader_font.currentFont().family(), self.font_size.value(),
                           self.zoom.value() / 100)

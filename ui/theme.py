"""Colour themes: follow the system, light or dark. The reader keeps white paper in every theme
(its own palette, ``ui/views/text_editor.py``; PDF pages are paper), so highlight colours, made
for paper, stay readable; the rest of the window follows the theme."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

from ui.settings import THEME, Settings

THEMES = {"system": "Follow the system", "light": "Light", "dark": "Dark"}
#: The style the platform gave the application, before a theme replaced it.
_SYSTEM_STYLE: list[str] = []


def dark_palette() -> QPalette:
    """A dark palette with enough contrast for text, links and selections."""
    p = QPalette()
    window, base, text = QColor("#2b2d30"), QColor("#1e1f22"), QColor("#e6e6e6")
    roles = {
        QPalette.ColorRole.Window: window, QPalette.ColorRole.WindowText: text,
        QPalette.ColorRole.Base: base, QPalette.ColorRole.AlternateBase: QColor("#26282b"),
        QPalette.ColorRole.ToolTipBase: QColor("#3c3f41"), QPalette.ColorRole.ToolTipText: text,
        QPalette.ColorRole.Text: text, QPalette.ColorRole.Button: QColor("#3c3f41"),
        QPalette.ColorRole.ButtonText: text, QPalette.ColorRole.BrightText: QColor("#ff6b6b"),
        QPalette.ColorRole.Link: QColor("#7cb7ff"), QPalette.ColorRole.Highlight:
            QColor("#2f65ca"), QPalette.ColorRole.HighlightedText: QColor("#ffffff"),
        QPalette.ColorRole.PlaceholderText: QColor("#9a9a9a"), QPalette.ColorRole.Mid:
            QColor("#8a8a8a"),
    }
    for role, colour in roles.items():
        p.setColor(role, colour)
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.WindowText,
                 QPalette.ColorRole.ButtonText):
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor("#7a7a7a"))
    return p


def apply(theme: str) -> None:
    """Apply ``theme`` ("system", "light" or "dark") to the running application."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        return
    if not _SYSTEM_STYLE:
        _SYSTEM_STYLE.append(app.style().name())
    if theme == "system":
        system = QStyleFactory.create(_SYSTEM_STYLE[0])
        if system is not None and app.style().name() != _SYSTEM_STYLE[0]:
            app.setStyle(system)
        app.setPalette(QPalette())  # the platform's palette again
        return
    fusion = QStyleFactory.create("Fusion")
    if fusion is not None:
        app.setStyle(fusion)
    app.setPalette(dark_palette() if theme == "dark" else app.style().standardPalette())


def apply_saved(settings: Settings | None = None) -> None:
    """Apply the theme stored in the preferences."""
    apply((settings or Settings()).get(THEME))


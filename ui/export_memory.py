"""The export dialog remembers the format, scope and folder of the last export."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from app.exchange import FORMATS
from ui.settings import EXPORT_FOLDER, EXPORT_FORMAT, EXPORT_ONLY_CURRENT, Settings

if TYPE_CHECKING:
    from ui.exchanging import ExportDialog


def restore(dialog: ExportDialog, settings: Settings) -> None:
    """Put the last export's choices back into a new dialog."""
    index = dialog.format.findData(settings.get(EXPORT_FORMAT))
    if index >= 0:
        dialog.format.setCurrentIndex(index)
    fmt = FORMATS[dialog.format.currentData()]
    if dialog.only_current.isEnabled() and not fmt.needs_document:
        dialog.only_current.setChecked(settings.get(EXPORT_ONLY_CURRENT))
    folder = settings.get(EXPORT_FOLDER)
    if folder and Path(folder).is_dir() and not dialog.path.text():
        dialog.path.setText(str(Path(folder) / f"annotations{fmt.suffix}"))


def remember(dialog: ExportDialog, settings: Settings) -> None:
    """Keep the choices of an accepted dialog for the next export."""
    settings.set(EXPORT_FORMAT, str(dialog.format.currentData()))
    if dialog.only_current.isEnabled():
        settings.set(EXPORT_ONLY_CURRENT, dialog.only_current.isChecked())
    path = dialog.path.text().strip()
    if path:
        settings.set(EXPORT_FOLDER, str(Path(path).parent))

"""Saving what a widget shows, and comparing the colours of its pixels, in UI tests."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtGui import QColor, QImage


def save_screenshot(image: QImage, name: str, tmp_path: Path) -> Path:
    """Save to the test's folder, and to $DOSSIER_SCREENSHOTS when set."""
    path = tmp_path / name
    assert image.save(str(path))
    folder = os.environ.get("DOSSIER_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        assert image.save(str(Path(folder) / name))
    return path


def close(a: QColor, b: QColor, tolerance: int = 6) -> bool:
    """True when ``a`` and ``b`` differ by at most ``tolerance`` in each of red, green, blue."""
    return all(abs(x - y) <= tolerance for x, y in
               ((a.red(), b.red()), (a.green(), b.green()), (a.blue(), b.blue())))

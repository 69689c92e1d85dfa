"""Help > Keyboard Shortcuts: every shortcut of the window, and the tag keys of the codebook."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

if TYPE_CHECKING:
    from ui.main_window import MainWindow

#: Keys the views bind themselves (not menu actions).
VIEW_KEYS = (("Ctrl+F", "Find in the document"), ("F3 / Shift+F3", "Next / previous match"),
             ("Escape", "Close the find bar"), ("Ctrl+C", "Copy the selected passage"))


def _actions(window: MainWindow) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    seen: set[tuple[str, str]] = set()
    for menu in window.menus.values():
        for act in menu.actions():
            keys = _keys(act)
            label = act.text().split("\t")[0].replace("&", "").rstrip("…")
            if keys and label and (keys, label) not in seen and not act.isSeparator():
                seen.add((keys, label))
                rows.append((keys, label))
    return rows


def _typeable(keys: str) -> bool:
    """A key combination a keyboard has (not a multimedia key such as "Open" or "Zoom In")."""
    return ("+" in keys or len(keys) <= 3 or keys in ("Del", "Delete", "Esc", "Backspace")
            or (keys[0] == "F" and keys[1:].isdigit()))


def _keys(act: QAction) -> str:
    keys = [s.toString(QKeySequence.SequenceFormat.NativeText) for s in act.shortcuts()]
    keys = [k for k in keys if k and _typeable(k)]
    tab = act.text().split("\t")
    if not keys and len(tab) > 1:
        keys = [tab[1]]
    return " / ".join(k for k in keys if k)


def shortcut_rows(window: MainWindow) -> list[tuple[str, str, str]]:
    """(section, keys, what it does) for every shortcut, menus first, then tags."""
    rows = [("Menus", keys, label) for keys, label in _actions(window)]
    rows += [("Reader", keys, label) for keys, label in VIEW_KEYS]
    rows += [("Tags", t.shortcut, f"Tag the selection as {t.path}")
             for t in window.codebook_model.tags() if t.shortcut]
    return rows


def shortcuts_html(window: MainWindow) -> str:
    """The table shown by the dialog."""
    parts = []
    section = ""
    for sect, keys, label in shortcut_rows(window):
        if sect != section:
            if section:
                parts.append("</table>")
            parts.append(f"<h3>{sect}</h3><table cellspacing=4>")
            section = sect
        parts.append(f"<tr><td><b>{html.escape(keys)}</b></td>"
                     f"<td>{html.escape(label)}</td></tr>")
    parts.append("</table>")
    return "".join(parts)


def show_shortcuts(window: MainWindow, parent: QWidget | None = None) -> QDialog:
    """Open the shortcuts list (non-modal); returns the dialog."""
    dialog = QDialog(parent or window)
    dialog.setWindowTitle("Keyboard Shortcuts")
    layout = QVBoxLayout(dialog)
    text = QTextBrowser(dialog)
    text.setHtml(shortcuts_html(window))
    layout.addWidget(text)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, dialog)
    buttons.rejected.connect(dialog.close)
    layout.addWidget(buttons)
    dialog.resize(520, 640)
    dialog.show()
    return dialog

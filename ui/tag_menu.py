"""The Tags menu: every code of the codebook under its category, with its key shown."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMenu

from ui.chips import swatch_icon

if TYPE_CHECKING:
    from ui.main_window import MainWindow


def fill_tag_menu(window: MainWindow, menu: QMenu) -> None:
    """List the codebook: categories as submenus, codes with their keys; choosing one tags."""
    menu.clear()
    enabled = window.tagger.selection() is not None or window.tagger.current_id is not None
    submenus: dict[str, QMenu] = {}
    for info in window.codebook_model.tags():
        if not info.is_codable:
            submenus[info.id] = menu.addMenu(swatch_icon(info.colour), info.name)
            continue
        parent = submenus.get(info.parent_id or "", menu)
        label = f"{info.name}\t{info.shortcut}" if info.shortcut else info.name
        act = parent.addAction(swatch_icon(info.colour), label)
        act.setEnabled(enabled)
        act.setToolTip(info.description or info.path)
        act.triggered.connect(lambda _c=False, tag_id=info.id: window.tagger.apply_tag(tag_id))
    if not enabled:
        menu.addSeparator()
        menu.addAction("Select a passage first to tag it").setEnabled(False)
    menu.setToolTipsVisible(True)
